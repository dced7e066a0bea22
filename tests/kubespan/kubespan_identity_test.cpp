// kubespan-identity.yaml as Talos writes and reads it, and the reasons for a broken one. The keys
// are RFC 7748's X25519 test vector (§6.1, Alice), in base64 computed with Python.
#include "kubespan/kubespan_identity.h"

#include <gtest/gtest.h>

#include "kubespan/kubespan_address.h"

namespace nodenet::kubespan {
namespace {

// Alice's private key as RFC 7748 gives it (not clamped), clamped, and its public key.
constexpr const char* kAlicePrivate = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
constexpr const char* kAliceClamped = "cAdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LGo=";
constexpr const char* kAlicePublic = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
constexpr const char* kFile = "/var/lib/nodenet/kubespan-identity.yaml";

Identity alice() {
    auto key = wireguard::parse_key_base64(kAlicePrivate);
    auto id = new_identity(std::span<const uint8_t, 32>(key->bytes));
    EXPECT_TRUE(id.ok()) << id.error();
    return *id;
}

std::string parse_error(const std::string& text) {
    auto r = parse_identity_file(text, kFile);
    return r.ok() ? "accepted" : r.error();
}

TEST(KubeSpanIdentity, NewIdentityClampsTheKeyAndHasNoAddressYet) {
    Identity id = alice();
    EXPECT_EQ(wireguard::to_base64(id.private_key), kAliceClamped);
    EXPECT_EQ(wireguard::to_base64(id.public_key), kAlicePublic);
    EXPECT_FALSE(id.address.has_value());
    EXPECT_FALSE(id.subnet.has_value());
    // The file Talos writes on first boot: the address is computed after the file is written.
    EXPECT_EQ(render_identity_file(id), std::string("address: \"\"\nsubnet: \"\"\nprivateKey: ") + kAliceClamped +
                                            "\npublicKey: " + kAlicePublic + "\n");
}

TEST(KubeSpanIdentity, AddressFromTheClusterAndTheMac) {
    auto subnet = kubespan_prefix("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=");
    auto id = with_address(alice(), *subnet, "2e:1a:b6:53:81:69");
    ASSERT_TRUE(id.ok()) << id.error();
    EXPECT_EQ(id->address->str(), "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/128");
    EXPECT_EQ(id->subnet->str(), "fd7f:175a:b97c:5602::/64");
    EXPECT_EQ(render_identity_file(*id), std::string("address: fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/128\n"
                                                     "subnet: fd7f:175a:b97c:5602::/64\nprivateKey: ") +
                                             kAliceClamped + "\npublicKey: " + kAlicePublic + "\n");
    EXPECT_EQ(with_address(alice(), *subnet, "2e:1a:b6").error(),
              "KubeSpan address: the hardware address \"2e:1a:b6\" is not a MAC of 6 or 8 bytes");
}

TEST(KubeSpanIdentity, RoundTrip) {
    auto subnet = kubespan_prefix("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=");
    for (const Identity& id : {alice(), *with_address(alice(), *subnet, "2e:1a:b6:53:81:69")}) {
        auto back = parse_identity_file(render_identity_file(id), kFile);
        ASSERT_TRUE(back.ok()) << back.error();
        EXPECT_EQ(*back, id);
    }
}

TEST(KubeSpanIdentity, ReadsWhatTalosWrites) {
    // yaml.v3's output for a Talos file, with another key and a second document.
    auto id = parse_identity_file(std::string("address: \"\"\nsubnet: ''\nprivateKey: ") + kAlicePrivate +
                                      "\npublicKey: " + kAlicePublic + "\nother: 1\n---\nprivateKey: x\n",
                                  kFile);
    ASSERT_TRUE(id.ok()) << id.error();
    EXPECT_EQ(wireguard::to_base64(id->private_key), kAlicePrivate);  // kept as written; WireGuard clamps it
    EXPECT_EQ(wireguard::to_base64(id->public_key), kAlicePublic);
    EXPECT_FALSE(id->address.has_value());
    // Without publicKey, it is derived.
    id = parse_identity_file(std::string("privateKey: ") + kAliceClamped + "\n", kFile);
    ASSERT_TRUE(id.ok()) << id.error();
    EXPECT_EQ(wireguard::to_base64(id->public_key), kAlicePublic);
}

TEST(KubeSpanIdentity, SaysWhyAFileIsBroken) {
    const std::string f = std::string(kFile) + ": ";
    EXPECT_EQ(parse_error(""), f + "empty");
    EXPECT_EQ(parse_error("# nothing\n"), f + "empty");
    EXPECT_EQ(parse_error("privateKey: [\n"),
              f + "not YAML: line 2, column 1: did not find expected node content (while parsing a flow node at line 2)");
    EXPECT_EQ(parse_error("- a\n"), f + "a YAML sequence, not a mapping with privateKey");
    EXPECT_EQ(parse_error("address: \"\"\n"), f + "no privateKey");
    EXPECT_EQ(parse_error("privateKey: \"\"\n"), f + "privateKey is empty");
    EXPECT_EQ(parse_error("privateKey: {a: b}\n"), f + "privateKey is a YAML mapping, not a string");
    // A damaged key is named, never quoted: it is a secret.
    EXPECT_EQ(parse_error("privateKey: dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC=\n"),
              f + "privateKey: not a WireGuard key: 43 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(parse_error(std::string("privateKey: ") + kAlicePrivate + "\npublicKey: " + kAliceClamped + "\n"),
              f + "publicKey does not match privateKey");
    EXPECT_EQ(parse_error(std::string("privateKey: ") + kAlicePrivate + "\npublicKey: abc\n"),
              f + "publicKey: not a WireGuard key: 3 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(parse_error(std::string("privateKey: ") + kAlicePrivate + "\naddress: fd00::1\n"),
              f + "address \"fd00::1\": netip.ParsePrefix(\"fd00::1\"): no '/'");
    EXPECT_EQ(parse_error(std::string("privateKey: ") + kAlicePrivate + "\nsubnet: [a]\n"),
              f + "subnet is a YAML sequence, not a string");
    // What the YAML parser quotes back from the file (here a key with a tab, twice: found by
    // fuzz_affiliate) reaches the message as printable characters only, on one line.
    std::string dup = parse_error("node\td: no\nnode\td: [1, 2]\n]");
    EXPECT_EQ(dup.find_first_of("\t\n"), std::string::npos) << dup;
    EXPECT_TRUE(dup.starts_with(f + "not YAML")) << dup;
}

}  // namespace
}  // namespace nodenet::kubespan
