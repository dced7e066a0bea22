// The KubeSpan ULA and EUI-64 address. The expected values were computed with Python's hashlib and
// ipaddress (sha256(id).digest()[-16:], byte 0 = 0xfd, byte 7 = purpose; EUI-64 by hand), not with
// this code; the first pair is also Talos's own test (adapters/kubespan/identity_test.go).
#include "kubespan/kubespan_address.h"

#include <gtest/gtest.h>

#include "kubespan/constants.h"

namespace nodenet::kubespan {
namespace {

state::IpAddress ip(const char* text) { return *state::parse_ip_address(text); }
state::IpPrefix prefix(const char* text) { return *state::parse_ip_prefix(text); }

std::string address(const char* subnet, const char* mac) {
    auto a = kubespan_address(prefix(subnet), mac);
    return a ? a->str() : "none";
}

TEST(KubeSpanAddress, UlaPrefixFromTheClusterId) {
    auto p = kubespan_prefix("8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=");
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->str(), "fd7f:175a:b97c:5602::/64");
    EXPECT_EQ(kubespan_prefix("OXkqDOjhAIRNYpb1hM+ugqxvlvV9R9/IjIJIPV8wHmI=")->str(), "fda2:c011:b23:c902::/64");
    EXPECT_EQ(ula_prefix("OXkqDOjhAIRNYpb1hM+ugqxvlvV9R9/IjIJIPV8wHmI=", kUlaSideroLink)->str(), "fda2:c011:b23:c903::/64");
    // SideroLink's well-known fdae:41e4:649b:9303::/64 is the SideroLink ULA of an empty cluster ID.
    EXPECT_EQ(ula_prefix("", kUlaSideroLink)->str(), "fdae:41e4:649b:9303::/64");
    EXPECT_EQ(kubespan_prefix("")->str(), "fdae:41e4:649b:9302::/64");
}

TEST(KubeSpanAddress, Eui64FromTheMac) {
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", "2e:1a:b6:53:81:69"), "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169");
    // The U/L bit is inverted both ways; upper case and '-' separators are read.
    EXPECT_EQ(address("fda2:c011:b23:c902::/64", "00:00:5e:00:53:01"), "fda2:c011:b23:c902:200:5eff:fe00:5301");
    EXPECT_EQ(address("fda2:c011:b23:c902::/64", "FF-FF-FF-FF-FF-FF"), "fda2:c011:b23:c902:fdff:ffff:feff:ffff");
    // A 64-bit hardware address goes in as it is, U/L bit inverted.
    EXPECT_EQ(address("fda2:c011:b23:c902::/64", "02:00:5e:10:00:00:00:01"), "fda2:c011:b23:c902:0:5e10:0:1");
    // Only the first 64 bits of the prefix are kept.
    EXPECT_EQ(address("fda2:c011:b23:c902:1:2:3:4/64", "00:00:5e:00:53:01"), "fda2:c011:b23:c902:200:5eff:fe00:5301");
}

TEST(KubeSpanAddress, NoAddressFromAWrongMacOrAnIpv4Prefix) {
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", ""), "none");
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", "2e:1a:b6:53:81"), "none");           // 5 bytes
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", "2e:1a:b6:53:81:69:01"), "none");     // 7 bytes
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", "2e:1a:b6:53:81:6"), "none");
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", "2e:1a:b6:53:81:69:"), "none");
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", "2e1a:b653:8169"), "none");
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64", "2g:1a:b6:53:81:69"), "none");
    // 20-byte InfiniBand addresses have no EUI-64 (eui64.ParseMAC refuses them too).
    EXPECT_EQ(address("fd7f:175a:b97c:5602::/64",
                      "00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01"), "none");
    EXPECT_EQ(address("10.0.0.0/8", "2e:1a:b6:53:81:69"), "none");
}

TEST(KubeSpanAddress, IsUlaTestsByte0AndThePurposeByteOnly) {
    EXPECT_TRUE(is_kubespan_ula(ip("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169")));
    EXPECT_TRUE(is_kubespan_ula(ip("fd00::2:0:0:0:1")));  // any cluster's: byte 7 = 0x02
    EXPECT_FALSE(is_kubespan_ula(ip("fd7f:175a:b97c:5603::1")));
    EXPECT_FALSE(is_kubespan_ula(ip("fc7f:175a:b97c:5602::1")));  // fc00::/8 is a ULA, not Talos's
    EXPECT_FALSE(is_kubespan_ula(ip("10.0.0.2")));
    EXPECT_TRUE(is_ula(ip("fdae:41e4:649b:9303::1"), kUlaSideroLink));
    EXPECT_FALSE(is_ula(ip("fdae:41e4:649b:9303::1"), kUlaKubeSpan));
}

}  // namespace
}  // namespace nodenet::kubespan
