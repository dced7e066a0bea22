// jxskiss/base62 as Talos uses it for node IDs, checked against Talos's own vector.
#include "discovery/base62.h"

#include <gtest/gtest.h>

#include <random>

#include "discovery/node_identity.h"

namespace nodenet::discovery {
namespace {

std::string hex(const std::vector<uint8_t>& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
    return out;
}

// Talos's TestIdentityConvertMachineID (internal/app/machined/pkg/adapters/cluster/identity_test.go):
// this node ID gives /etc/machine-id be871ac0d0dd31fa4caca753b0f3f1b2, the hex of its first 16 bytes.
constexpr const char* kTalosNodeId = "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L";

TEST(Base62, DecodesTalosNodeIdAsTalosDoes) {
    auto raw = base62_decode(kTalosNodeId);
    ASSERT_TRUE(raw.ok()) << raw.error();
    ASSERT_EQ(raw->size(), 32u);
    EXPECT_EQ(hex(*raw).substr(0, 32), "be871ac0d0dd31fa4caca753b0f3f1b2");
    EXPECT_EQ(base62_encode(*raw), kTalosNodeId);
    auto machine_id = machine_id_from_node_id(kTalosNodeId);
    ASSERT_TRUE(machine_id.ok()) << machine_id.error();
    EXPECT_EQ(*machine_id, "be871ac0d0dd31fa4caca753b0f3f1b2");
}

// Hand-worked from the algorithm: 0xFF is 11111111; the last six bits 111111 (63) are compacted to
// five (31, 'f'), leaving 111 (7, 'H'); the library's own tests round-trip zeros and 0xFF runs.
TEST(Base62, SmallInputs) {
    EXPECT_EQ(base62_encode(std::vector<uint8_t>{}), "");
    EXPECT_EQ(base62_encode(std::vector<uint8_t>{0}), "AA");
    EXPECT_EQ(base62_encode(std::vector<uint8_t>{0xFF}), "fH");
    EXPECT_EQ(*base62_decode("fH"), (std::vector<uint8_t>{0xFF}));
    EXPECT_EQ(*base62_decode("AA"), (std::vector<uint8_t>{0}));
    EXPECT_TRUE(base62_decode("")->empty());
}

TEST(Base62, RoundTripsEveryLengthAndPattern) {
    std::mt19937 rng(12);
    for (size_t n = 0; n < 200; ++n) {
        for (int pattern = 0; pattern < 3; ++pattern) {
            std::vector<uint8_t> bytes(n);
            for (auto& b : bytes) b = pattern == 0 ? 0 : pattern == 1 ? 0xFF : static_cast<uint8_t>(rng());
            std::string text = base62_encode(bytes);
            auto back = base62_decode(text);
            ASSERT_TRUE(back.ok()) << back.error();
            ASSERT_EQ(*back, bytes) << "length " << n << " pattern " << pattern << " text " << text;
        }
    }
}

// Talos's identity test expects 43 or 44 characters; that holds for almost all IDs, since a group
// is written with five bits only for 4 of its 64 values. Many such groups make longer IDs, up to 52
// for 32 bytes of 0xFF (every group compacted).
TEST(Base62, ThirtyTwoBytesAreMostly43Or44Characters) {
    std::mt19937 rng(7);
    int short_ones = 0;
    for (int i = 0; i < 2000; ++i) {
        std::array<uint8_t, kNodeIdBytes> bytes;
        for (auto& b : bytes) b = static_cast<uint8_t>(rng());
        std::string id = node_id_from_bytes(bytes);
        ASSERT_GE(id.size(), 43u);
        ASSERT_LE(id.size(), 52u);
        short_ones += id.size() <= 44;
        ASSERT_TRUE(check_node_id(id).ok()) << id;
    }
    EXPECT_GT(short_ones, 1900);
    std::array<uint8_t, kNodeIdBytes> ones;
    ones.fill(0xFF);
    EXPECT_EQ(node_id_from_bytes(ones).size(), 52u);
    EXPECT_TRUE(check_node_id(node_id_from_bytes(ones)).ok());
}

TEST(Base62, RefusesCharactersOutsideTheAlphabet) {
    EXPECT_EQ(base62_decode("abc-def").error(), "character 4 is not base62 (A-Z, a-z, 0-9)");
    EXPECT_EQ(base62_decode("abc=").error(), "character 4 is not base62 (A-Z, a-z, 0-9)");
    EXPECT_EQ(base62_decode(std::string("ab\0c", 4)).error(), "character 3 is not base62 (A-Z, a-z, 0-9)");
}

}  // namespace
}  // namespace nodenet::discovery
