#include "config/yaml_tree.h"

#include <gtest/gtest.h>

#include <string>

namespace nodenet::yaml {
namespace {

struct Parsed {
    Stream stream;
    SyntaxError error;
    bool ok = false;
};

std::unique_ptr<Parsed> parse_text(std::string_view text, Limits limits = {}) {
    auto p = std::make_unique<Parsed>();
    p->ok = parse(text, p->stream, p->error, limits);
    return p;
}

TEST(YamlTree, KeepsPositionsOfKeysAndValues) {
    auto p = parse_text("machine:\n  network:\n    hostname: node-1\n");
    ASSERT_TRUE(p->ok) << p->error.message;
    ASSERT_EQ(p->stream.documents.size(), 1u);
    const Node* network = p->stream.documents[0].root->get("machine")->get("network");
    ASSERT_NE(network, nullptr);
    const Node* hostname = network->get("hostname");
    EXPECT_EQ(hostname->value, "node-1");
    EXPECT_EQ(hostname->mark.line, 3u);
    EXPECT_EQ(hostname->mark.column, 15u);
    EXPECT_EQ(network->key_node("hostname")->mark.column, 5u);
}

TEST(YamlTree, DistinguishesPlainQuotedBlockAndNull) {
    auto p = parse_text("a: 1500\nb: '1500'\nc: ~\nd:\ne: null\nf: |\n  text\ng: \"\"\n");
    ASSERT_TRUE(p->ok);
    const Node* root = p->stream.documents[0].root;
    EXPECT_EQ(root->get("a")->style, Style::Plain);
    EXPECT_EQ(root->get("a")->kind, Kind::Scalar);
    EXPECT_EQ(root->get("b")->style, Style::Quoted);
    EXPECT_TRUE(root->get("c")->is_null());
    EXPECT_TRUE(root->get("d")->is_null());
    EXPECT_TRUE(root->get("e")->is_null());
    EXPECT_EQ(root->get("f")->style, Style::Block);
    EXPECT_EQ(root->get("f")->value, "text\n");
    EXPECT_EQ(root->get("g")->kind, Kind::Scalar);  // a quoted empty string is not null
}

TEST(YamlTree, RejectsDuplicateKeysWithBothLines) {
    auto p = parse_text("a: 1\nb: 2\na: 3\n");
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.message, "mapping key \"a\" already defined at line 1");
    EXPECT_EQ(p->error.mark.line, 3u);
    EXPECT_EQ(p->error.mark.column, 1u);
}

TEST(YamlTree, RejectsDuplicateKeysInLargeMappings) {
    std::string text;
    for (int i = 0; i < 100; ++i) text += "k" + std::to_string(i) + ": v\n";
    text += "k42: again\n";
    auto p = parse_text(text);
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.message, "mapping key \"k42\" already defined at line 43");
}

TEST(YamlTree, QuotesADuplicateKeyAsGoDoes) {
    // yaml.v3 formats the key with %#v: a tab (or a line break, a quote) comes out escaped.
    auto p = parse_text("\"a\\tb\\\"\": 1\n\"a\\tb\\\"\": 2\n");
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.message, "mapping key \"a\\tb\\\"\" already defined at line 1");
}

TEST(YamlTree, AliasesShareTheAnchoredNode) {
    auto p = parse_text("a: &x {k: v}\nb: *x\n");
    ASSERT_TRUE(p->ok);
    const Node* root = p->stream.documents[0].root;
    EXPECT_EQ(root->get("a"), root->get("b"));
}

TEST(YamlTree, BoundsAliasExpansion) {
    // Billion laughs: each level multiplies by ten; the tree stays small, the expansion does not.
    std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; ++c) {
        std::string prev(1, static_cast<char>(c - 1));
        text += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 10; ++i) text += (i ? ", *" : "*") + prev;
        text += "]\n";
    }
    auto p = parse_text(text);
    ASSERT_FALSE(p->ok);
    EXPECT_NE(p->error.message.find("aliases expand the document beyond"), std::string::npos);
    EXPECT_GT(p->error.mark.line, 1u);
}

TEST(YamlTree, RejectsUnknownAndSelfReferencingAnchors) {
    auto unknown = parse_text("a: *nope\n");
    ASSERT_FALSE(unknown->ok);
    EXPECT_EQ(unknown->error.message, "unknown anchor \"nope\" referenced");
    auto self = parse_text("a: &x [*x]\n");
    ASSERT_FALSE(self->ok);
    EXPECT_EQ(self->error.message, "anchor \"x\" value contains itself");
}

TEST(YamlTree, BoundsNestingDepth) {
    std::string text(100000, '[');
    auto p = parse_text(text);
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.message, "nesting is deeper than 128 levels");
    EXPECT_EQ(p->error.mark.column, 129u);
}

TEST(YamlTree, BoundsNodeCount) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "- x\n";
    Limits limits;
    limits.max_nodes = 100;
    auto p = parse_text(text, limits);
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.message, "the config has more than 100 YAML nodes");
    EXPECT_EQ(p->error.mark.line, 100u);
}

TEST(YamlTree, ResolvesMergeKeysWithExplicitKeysWinning) {
    auto p = parse_text("base: &b {mtu: 1500, dhcp: true}\ndev:\n  <<: *b\n  mtu: 9000\n");
    ASSERT_TRUE(p->ok) << p->error.message;
    const Node* dev = p->stream.documents[0].root->get("dev");
    EXPECT_EQ(dev->get("mtu")->value, "9000");
    EXPECT_EQ(dev->get("dhcp")->value, "true");
    EXPECT_EQ(dev->get("<<"), nullptr);
    EXPECT_EQ(dev->get("dhcp")->mark.line, 1u);  // points where the value was written
}

TEST(YamlTree, RejectsMergeOfAScalar) {
    auto p = parse_text("a:\n  <<: 5\n");
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.message, "map merge requires map or sequence of maps as the value");
}

TEST(YamlTree, ReportsInvalidUtf8AtItsPosition) {
    auto p = parse_text("a: ok\nb: \xff\xfe\n");
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.mark.line, 2u);
    EXPECT_EQ(p->error.mark.column, 4u);
    EXPECT_NE(p->error.message.find("UTF-8"), std::string::npos) << p->error.message;
}

TEST(YamlTree, RejectsControlCharacters) {
    auto p = parse_text(std::string("a: b\x01\n", 6));
    ASSERT_FALSE(p->ok);
    EXPECT_NE(p->error.message.find("control characters"), std::string::npos) << p->error.message;
}

TEST(YamlTree, ReportsSyntaxErrorsWithLine) {
    auto p = parse_text("a:\n  b: 1\n c: 2\n");
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.mark.line, 3u);
    EXPECT_FALSE(p->error.message.empty());
}

TEST(YamlTree, RejectsNonScalarKeys) {
    auto p = parse_text("? [a, b]\n: c\n");
    ASSERT_FALSE(p->ok);
    EXPECT_EQ(p->error.message, "mapping keys must be scalars, found a sequence");
}

TEST(YamlTree, SplitsDocumentsAndKeepsEmptyOnes) {
    auto p = parse_text("a: 1\n---\n# only a comment\n---\nb: 2\n");
    ASSERT_TRUE(p->ok);
    ASSERT_EQ(p->stream.documents.size(), 3u);
    EXPECT_TRUE(p->stream.documents[1].root->is_null());
    EXPECT_EQ(p->stream.documents[2].root->mark.line, 5u);
}

TEST(YamlTree, EmptyInputHasNoDocuments) {
    auto p = parse_text("");
    ASSERT_TRUE(p->ok);
    EXPECT_TRUE(p->stream.documents.empty());
}

TEST(YamlTree, CountsColumnsInCharacters) {
    auto p = parse_text("é: ü\nkey: [x, y]\n");
    ASSERT_TRUE(p->ok);
    EXPECT_EQ(p->stream.documents[0].root->get("é")->mark.column, 4u);
}

}  // namespace
}  // namespace nodenet::yaml
