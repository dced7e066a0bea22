// The ciphers of affiliate data and endpoints: round trips, sizes, and every reason for refusing
// bytes. Compatibility with another implementation is in vectors_test.cpp.
#include "discovery/affiliate_crypto.h"

#include <gtest/gtest.h>

#include <random>

namespace nodenet::discovery {
namespace {

ClusterKey key_of(uint8_t first) {
    ClusterKey k;
    for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(first + i);
    return k;
}

Nonce nonce_of(uint8_t first) {
    Nonce n;
    for (size_t i = 0; i < n.size(); ++i) n[i] = static_cast<uint8_t>(first + i);
    return n;
}

std::string error_of(const Result<std::string>& r) { return r.ok() ? "accepted" : r.error(); }

TEST(AffiliateCrypto, ClusterSecret) {
    auto key = parse_cluster_secret("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=");
    ASSERT_TRUE(key.ok()) << key.error();
    EXPECT_EQ(key->bytes, key_of(1).bytes);
    EXPECT_EQ(parse_cluster_secret("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==").error(),
              "cluster secret: 31 bytes, an AES-256 key needs 32");
    EXPECT_EQ(parse_cluster_secret("not base64!").error(),
              "cluster secret: not base64 (illegal base64 data at input byte 3)");
    EXPECT_EQ(parse_cluster_secret("").error(), "cluster secret: 0 bytes, an AES-256 key needs 32");
}

TEST(AffiliateCrypto, DataRoundTripAndLayout) {
    ClusterKey key = key_of(1);
    for (size_t n : {0u, 1u, 15u, 16u, 17u, 500u, 2020u}) {
        std::string plain(n, '\0');
        for (size_t i = 0; i < n; ++i) plain[i] = static_cast<char>(i * 7);
        auto sealed = seal_affiliate_data(key, plain, nonce_of(9));
        ASSERT_TRUE(sealed.ok()) << sealed.error();
        ASSERT_EQ(sealed->size(), 12 + n + 16);
        EXPECT_EQ(sealed->substr(0, 12), std::string(reinterpret_cast<const char*>(nonce_of(9).data()), 12));
        auto opened = open_affiliate_data(key, *sealed);
        ASSERT_TRUE(opened.ok()) << opened.error();
        EXPECT_EQ(*opened, plain);
    }
    // Another nonce, other bytes: a node's data never repeats on the wire.
    EXPECT_NE(*seal_affiliate_data(key, "same", nonce_of(1)), *seal_affiliate_data(key, "same", nonce_of(2)));
}

TEST(AffiliateCrypto, DataRefusedWithReasons) {
    ClusterKey key = key_of(1);
    std::string sealed = *seal_affiliate_data(key, "affiliate bytes", nonce_of(3));
    EXPECT_EQ(error_of(open_affiliate_data(key, "")), "no data");
    EXPECT_EQ(error_of(open_affiliate_data(key, sealed.substr(0, 27))),
              "27 bytes, too short for AES-GCM (a 12-byte nonce and a 16-byte tag)");
    EXPECT_EQ(error_of(open_affiliate_data(key, sealed.substr(0, 28))),
              "authentication failed (AES-GCM): another cluster's secret, or damaged data");
    EXPECT_EQ(error_of(open_affiliate_data(key_of(2), sealed)),
              "authentication failed (AES-GCM): another cluster's secret, or damaged data");
    for (size_t i = 0; i < sealed.size(); ++i) {  // any flipped bit: nonce, ciphertext or tag
        std::string damaged = sealed;
        damaged[i] = static_cast<char>(damaged[i] ^ 0x10);
        EXPECT_FALSE(open_affiliate_data(key, damaged).ok()) << "byte " << i;
    }
    EXPECT_EQ(error_of(open_affiliate_data(key, std::string(2049, 'x'))),
              "2049 bytes, more than the 2048 a discovery service keeps");
    EXPECT_EQ(error_of(seal_affiliate_data(key, std::string(2021, 'x'), nonce_of(0))),
              "affiliate data: 2049 bytes encrypted, more than the 2048 a discovery service keeps");
    EXPECT_TRUE(seal_affiliate_data(key, std::string(2020, 'x'), nonce_of(0)).ok());
}

TEST(AffiliateCrypto, EndpointRoundTripIsDeterministic) {
    ClusterKey key = key_of(1);
    for (size_t n = 0; n <= 31; ++n) {
        std::string plain(n, 'e');
        auto sealed = seal_endpoint(key, plain);
        ASSERT_TRUE(sealed.ok()) << sealed.error();
        EXPECT_EQ(sealed->size(), n < 16 ? 16u : 32u);
        EXPECT_EQ(*sealed, *seal_endpoint(key, plain));  // what lets the service merge duplicates
        EXPECT_EQ(*open_endpoint(key, *sealed), plain);
    }
    // Each block on its own (ECB): equal halves of the input give equal halves of the output.
    std::string two_blocks = *seal_endpoint(key, std::string(1, '\0') + std::string(15, 'z') + std::string(15, 'z'));
    EXPECT_NE(two_blocks.substr(0, 16), two_blocks.substr(16));
    EXPECT_EQ(error_of(seal_endpoint(key, std::string(32, 'e'))),
              "endpoint: 48 bytes encrypted, more than the 32 a discovery service keeps");
    EXPECT_EQ(error_of(seal_endpoint(key, std::string(256, 'e'))), "endpoint: 256 bytes, one length byte holds 255");
}

TEST(AffiliateCrypto, EndpointRefusedWithReasons) {
    ClusterKey key = key_of(1);
    EXPECT_EQ(error_of(open_endpoint(key, "")), "empty");
    EXPECT_EQ(error_of(open_endpoint(key, std::string(15, 'x'))), "15 bytes, not a whole number of 16-byte AES blocks");
    EXPECT_EQ(error_of(open_endpoint(key, std::string(48, 'x'))), "48 bytes, more than the 32 a discovery service keeps");
    // Any 16-byte block encrypted: the second block of a 31-byte endpoint is its last 16 bytes.
    auto encrypted_block = [&](const std::string& block) { return seal_endpoint(key, std::string(15, 'p') + block)->substr(16); };
    EXPECT_EQ(error_of(open_endpoint(key, encrypted_block(std::string(1, '\x14') + std::string(15, 'a')))),
              "its length byte says 20 bytes but 15 follow: another cluster's secret, or damaged data");
    EXPECT_EQ(error_of(open_endpoint(key, encrypted_block(std::string("\x03" "abc" "\x01", 5) + std::string(11, '\0')))),
              "the padding after its 3 bytes is not zero: another cluster's secret, or damaged data");
    EXPECT_EQ(*open_endpoint(key, encrypted_block(std::string("\x0f", 1) + std::string(15, 'f'))), std::string(15, 'f'));
    // Wrong key: the length byte or the padding comes out as noise.
    int length_refused = 0;
    int padding_refused = 0;
    std::mt19937 rng(5);
    for (int i = 0; i < 200; ++i) {
        std::string plain(10, '\0');
        for (auto& c : plain) c = static_cast<char>(rng());
        auto r = open_endpoint(key_of(2), *seal_endpoint(key, plain));
        ASSERT_FALSE(r.ok()) << "a wrong key passed both checks once in 2^40: suspicious";
        length_refused += r.error().find("length byte") != std::string::npos;
        padding_refused += r.error().find("padding") != std::string::npos;
    }
    EXPECT_GT(length_refused, 150);
    EXPECT_GT(padding_refused, 0);
}

}  // namespace
}  // namespace nodenet::discovery
