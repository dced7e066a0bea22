// node-identity.yaml as Talos writes and reads it, and the reasons for a broken one.
#include "discovery/node_identity.h"

#include <gtest/gtest.h>

namespace nodenet::discovery {
namespace {

constexpr const char* kTalosNodeId = "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L";

std::string parse_error(std::string_view text) {
    auto r = parse_node_identity(text, "/var/lib/nodenet/node-identity.yaml");
    return r.ok() ? "accepted " + *r : r.error();
}

TEST(NodeIdentity, NodeIdFromRandomBytes) {
    std::array<uint8_t, kNodeIdBytes> zeros{};
    EXPECT_EQ(node_id_from_bytes(zeros), std::string(43, 'A'));
    std::array<uint8_t, kNodeIdBytes> bytes{};
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
    std::string id = node_id_from_bytes(bytes);
    EXPECT_TRUE(check_node_id(id).ok());
    EXPECT_NE(id, node_id_from_bytes(zeros));
}

TEST(NodeIdentity, RendersAsYamlV3Does) {
    EXPECT_EQ(render_node_identity(kTalosNodeId), "nodeId: sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L\n");
    // Text that a YAML reader would take for a number is quoted, as yaml.v3 quotes it.
    std::string digits(43, '7');
    EXPECT_EQ(render_node_identity(digits), "nodeId: \"" + digits + "\"\n");
    std::string exponent = std::string(20, '1') + "e" + std::string(22, '2');
    EXPECT_EQ(render_node_identity(exponent), "nodeId: \"" + exponent + "\"\n");
    std::string hexish = "0x" + std::string(41, 'A');
    EXPECT_EQ(render_node_identity(hexish), "nodeId: " + hexish + "\n");  // too long for an int: a string
}

TEST(NodeIdentity, ParsesWhatItRendersAndWhatTalosWrites) {
    auto id = parse_node_identity(render_node_identity(kTalosNodeId), "f");
    ASSERT_TRUE(id.ok()) << id.error();
    EXPECT_EQ(*id, kTalosNodeId);
    std::string digits(43, '7');
    EXPECT_EQ(parse_error(render_node_identity(digits)),
              "/var/lib/nodenet/node-identity.yaml: nodeId \"" + digits + "\": decodes to 33 bytes, not 32");
    // Quoted, other keys, a comment, a second document: read as Talos's decoder reads them.
    EXPECT_EQ(parse_error(std::string("# node\nnodeId: '") + kTalosNodeId + "'\nother: 1\n---\nnodeId: x\n"),
              std::string("accepted ") + kTalosNodeId);
}

TEST(NodeIdentity, SaysWhyAFileIsBroken) {
    const std::string f = "/var/lib/nodenet/node-identity.yaml: ";
    EXPECT_EQ(parse_error(""), f + "empty");
    EXPECT_EQ(parse_error("# nothing\n"), f + "empty");
    EXPECT_EQ(parse_error("nodeId: [\n"), f + "not YAML: line 2, column 1: did not find expected node content (while parsing a flow node at line 2)");
    EXPECT_EQ(parse_error("- a\n"), f + "a YAML sequence, not a mapping with nodeId");
    EXPECT_EQ(parse_error("nodeid: abc\n"), f + "no nodeId");
    EXPECT_EQ(parse_error("nodeId:\n"), f + "nodeId is empty");
    EXPECT_EQ(parse_error("nodeId: {a: b}\n"), f + "nodeId is a YAML mapping, not a string");
    EXPECT_EQ(parse_error("nodeId: ''\n"), f + "nodeId \"\": empty");
    // One character lost: still 32 bytes to the decoder, but not what base62 writes for them.
    EXPECT_EQ(parse_error("nodeId: sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6\n"),
              f + "nodeId \"sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6\": not the base62 of the 32 bytes it decodes to "
                  "(a character lost or changed?)");
    // 37 characters of 6 bits and a last one of 2 (D = 3): 224 bits.
    EXPECT_EQ(parse_error("nodeId: sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QD\n"),
              f + "nodeId \"sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QD\": decodes to 28 bytes, not 32");
    EXPECT_EQ(parse_error("nodeId: \"sou7yy34yk-X3n\"\n"),
              f + "nodeId \"sou7yy34yk-X3n\": character 11 is not base62 (A-Z, a-z, 0-9)");
    // A control character is shown as '?', never written into the message as it is.
    EXPECT_EQ(parse_error("nodeId: \"ab\\ecd\"\n"), f + "nodeId \"ab?cd\": character 3 is not base62 (A-Z, a-z, 0-9)");
    // What the YAML parser quotes back from the file (here a key with a tab, twice: found by
    // fuzz_affiliate) reaches the message as printable characters only, on one line.
    std::string dup = parse_error("node\td: no\nnode\td: [1, 2]\n]");
    EXPECT_EQ(dup.find_first_of("\t\n"), std::string::npos) << dup;
    EXPECT_TRUE(dup.starts_with(f + "not YAML")) << dup;
}

TEST(NodeIdentity, MachineIdNeedsSixteenBytes) {
    EXPECT_EQ(machine_id_from_node_id("abc").error(), "node ID: decodes to 3 bytes, fewer than 16");
    EXPECT_EQ(machine_id_from_node_id("a!").error(), "node ID: character 2 is not base62 (A-Z, a-z, 0-9)");
}

}  // namespace
}  // namespace nodenet::discovery
