// Keys in base64 and hex, and X25519 public keys against RFC 7748 and `wg pubkey`.
#include "wireguard/key.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <memory>

namespace nodenet::wireguard {
namespace {

// RFC 7748, section 6.1: Alice's private and public keys.
constexpr const char* kAlicePrivateHex = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr const char* kAlicePublicHex = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr const char* kAlicePrivate64 = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
constexpr const char* kAlicePublic64 = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";

Key must_hex(const char* text) {
    auto k = parse_key_hex(text);
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error());
    return k.ok() ? *k : Key{};
}

TEST(WireguardKey, Base64RoundTrip) {
    auto k = parse_key_base64(kAlicePrivate64);
    ASSERT_TRUE(k.ok()) << k.error();
    EXPECT_EQ(to_hex(*k), kAlicePrivateHex);
    EXPECT_EQ(to_base64(*k), kAlicePrivate64);
    EXPECT_EQ(to_base64(Key{}), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    Key ones;
    ones.bytes.fill(0xFF);
    EXPECT_EQ(to_base64(ones), "//////////////////////////////////////////8=");
    EXPECT_EQ(*parse_key_base64("//////////////////////////////////////////8="), ones);
    EXPECT_TRUE(Key{}.is_zero());
    EXPECT_FALSE(ones.is_zero());
}

TEST(WireguardKey, Base64IsStrict) {
    auto error = [](const std::string& text) {
        auto k = parse_key_base64(text);
        return k.ok() ? std::string("accepted") : k.error();
    };
    EXPECT_EQ(error(""), "not a WireGuard key: 0 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(error("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo"),
              "not a WireGuard key: 43 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(error(std::string(kAlicePrivate64) + "\n"),
              "not a WireGuard key: 45 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(error("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA"),
              "not a WireGuard key: it must end with exactly one '='");
    EXPECT_EQ(error("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC=="),
              "not a WireGuard key: it must end with exactly one '='");
    EXPECT_EQ(error("dwdtCnMY-X08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="),
              "not a WireGuard key: character 9 is not base64");  // base64url is not accepted
    EXPECT_EQ(error("dwdtCnMY X08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="), "not a WireGuard key: character 9 is not base64");
}

// 'p' sets one of the two bits past the 256 of the key. `wg` refuses it; Talos (Go's lenient
// base64) takes it as the same key as 'o', and so does nodenet.
TEST(WireguardKey, TrailingBitsAreIgnoredAsTalosDoes) {
    auto lenient = parse_key_base64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=");
    auto canonical = parse_key_base64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
    ASSERT_TRUE(lenient.ok() && canonical.ok());
    EXPECT_EQ(*lenient, *canonical);
    EXPECT_EQ(to_base64(*lenient), "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
}

TEST(WireguardKey, ErrorsNeverQuoteTheKey) {
    auto k = parse_key_base64("dwdtCnMY!X08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.error().find("dwdt"), std::string::npos);
    auto h = parse_key_hex(std::string(kAlicePrivateHex).replace(10, 1, "x"));
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.error().find("77076d"), std::string::npos);
}

TEST(WireguardKey, Hex) {
    Key k = must_hex(kAlicePrivateHex);
    EXPECT_EQ(to_base64(k), kAlicePrivate64);
    EXPECT_EQ(to_hex(k), kAlicePrivateHex);
    // Upper case is read (wireguard-go and `wg` read it); lower case is written.
    EXPECT_EQ(must_hex("77076D0A7318A57D3C16C17251B26645DF4C2F87EBC0992AB177FBA51DB92C2A"), k);
    EXPECT_EQ(parse_key_hex("77076d").error(), "not a WireGuard key: 6 characters, expected 64 hex digits");
    EXPECT_EQ(parse_key_hex(std::string(63, '0') + "g").error(), "not a WireGuard key: not hexadecimal");
    EXPECT_EQ(parse_key_hex(std::string(63, '0') + " ").error(), "not a WireGuard key: not hexadecimal");
    EXPECT_TRUE(must_hex(std::string(64, '0').c_str()).is_zero());
}

TEST(WireguardKey, Clamping) {
    Key k = clamped(must_hex(kAlicePrivateHex));
    EXPECT_EQ(to_hex(k), "70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a");
    EXPECT_EQ(clamped(k), k);
    EXPECT_EQ(to_hex(*public_key(k)), kAlicePublicHex);  // the same public key
    Key ones;
    ones.bytes.fill(0xFF);
    EXPECT_EQ(clamped(ones).bytes[0], 0xF8);
    EXPECT_EQ(clamped(ones).bytes[31], 0x7F);
    EXPECT_EQ(clamped(Key{}).bytes[31], 0x40);
}

TEST(WireguardKey, PublicKeyFollowsRfc7748) {
    auto pub = public_key(must_hex(kAlicePrivateHex));
    ASSERT_TRUE(pub.ok()) << pub.error();
    EXPECT_EQ(to_hex(*pub), kAlicePublicHex);
    EXPECT_EQ(to_base64(*pub), kAlicePublic64);
}

// `wg genkey` makes clamped keys; the public key must not depend on the clamping being done first.
TEST(WireguardKey, PublicKeyAgreesWithWgPubkey) {
    if (system("command -v wg >/dev/null 2>&1") != 0) GTEST_SKIP() << "wg (wireguard-tools) is not installed";
    Key unclamped;
    for (size_t i = 0; i < kKeyLength; ++i) unclamped.bytes[i] = static_cast<uint8_t>(0xF0 + i * 7);
    std::string cmd = "echo " + to_base64(unclamped) + " | wg pubkey";
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    ASSERT_TRUE(p);
    char line[128] = {};
    ASSERT_NE(fgets(line, sizeof line, p.get()), nullptr);
    std::string expected(line);
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    auto pub = public_key(unclamped);
    ASSERT_TRUE(pub.ok()) << pub.error();
    EXPECT_EQ(to_base64(*pub), expected);
}

}  // namespace
}  // namespace nodenet::wireguard
