// What the node announces: endpoints (reference §3.5) and its KubeSpan part.
#include "kubespan/announced_endpoints.h"

#include <gtest/gtest.h>

#include "tests/kubespan/fixtures.h"

namespace nodenet::kubespan {
namespace {

using namespace testing;

std::string announced(const std::vector<state::IpPrefix>& current, const std::optional<state::IpAddress>& kubespan_ip,
                      const std::optional<state::IpAddress>& public_ip, const KubeSpanSettings& s) {
    auto r = announced_endpoints(current, kubespan_ip, public_ip, s);
    return r.ok() ? text(*r) : "error: " + r.error();
}

const std::vector<state::IpPrefix> kCurrent = prefixes(
    {"10.0.0.5/24", "192.168.1.5/24", "2001:db8::5/64", "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/64",
     "fdae:41e4:649b:9303::7/64", "fd12:3456:789a:bc03::1/64"});
const state::IpAddress kKubeSpanIp = ip("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169");

TEST(AnnouncedEndpoints, NodeAddressesWithoutKubeSpanAndSideroLink) {
    KubeSpanSettings s;
    // The KubeSpan address goes, and every SideroLink ULA by Talos's test (byte 7 = 0x03), not only
    // the well-known fdae:41e4:649b:9303::/64.
    EXPECT_EQ(announced(kCurrent, kKubeSpanIp, std::nullopt, s),
              "10.0.0.5:51820 192.168.1.5:51820 [2001:db8::5]:51820");
    // Without a KubeSpan address yet, nothing else is dropped.
    EXPECT_EQ(announced(prefixes({"10.0.0.5/24", "10.0.0.5/32"}), std::nullopt, std::nullopt, s), "10.0.0.5:51820");
}

TEST(AnnouncedEndpoints, PublicIpAppendedWhenNew) {
    KubeSpanSettings s;
    EXPECT_EQ(announced(kCurrent, kKubeSpanIp, ip("203.0.113.9"), s),
              "10.0.0.5:51820 192.168.1.5:51820 [2001:db8::5]:51820 203.0.113.9:51820");
    EXPECT_EQ(announced(kCurrent, kKubeSpanIp, ip("10.0.0.5"), s), "10.0.0.5:51820 192.168.1.5:51820 [2001:db8::5]:51820");
}

TEST(AnnouncedEndpoints, FiltersApplyToThePublicIpButNotToExtraEndpoints) {
    KubeSpanSettings s;
    s.endpoint_filters = std::vector<std::string>{"0.0.0.0/0", "!192.168.0.0/16", "!203.0.113.0/24"};
    s.extra_endpoints = {endpoint("192.168.1.5", 51820), endpoint("198.51.100.1", 4000), endpoint("10.0.0.5", 51820),
                         endpoint("198.51.100.1", 4000)};
    EXPECT_EQ(announced(kCurrent, kKubeSpanIp, ip("203.0.113.9"), s),
              "10.0.0.5:51820 192.168.1.5:51820 198.51.100.1:4000");
}

TEST(AnnouncedEndpoints, NegationsAloneAnnounceOnlyTheExtraEndpoints) {
    KubeSpanSettings s;
    s.endpoint_filters = std::vector<std::string>{"!192.168.0.0/16"};
    EXPECT_EQ(announced(kCurrent, kKubeSpanIp, ip("203.0.113.9"), s), "");
    s.extra_endpoints = {endpoint("2001:db8::99", 51820)};
    EXPECT_EQ(announced(kCurrent, kKubeSpanIp, ip("203.0.113.9"), s), "[2001:db8::99]:51820");
    s.endpoint_filters = std::vector<std::string>{"10"};
    EXPECT_EQ(announced(kCurrent, kKubeSpanIp, std::nullopt, s),
              "error: KubeSpan endpoint filter 1 \"10\": failed to parse subnet: netip.ParsePrefix(\"10\"): no '/'");
}

TEST(AnnouncedEndpoints, LocalKubeSpanPart) {
    Identity id;
    id.public_key.bytes[0] = 1;
    id.address = prefix("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/128");
    KubeSpanSettings s;
    s.exclude_advertised_networks = prefixes({"192.168.0.0/16"});
    auto pods = prefixes({"10.244.1.0/24", "fd00:10:244:1::/64"});
    auto endpoints = std::vector<discovery::Endpoint>{endpoint("10.0.0.5", 51820)};
    discovery::KubeSpanPart part = local_kubespan_part(id, s, pods, endpoints);
    EXPECT_EQ(part.public_key, wireguard::to_base64(id.public_key));
    EXPECT_EQ(part.address, kKubeSpanIp);
    EXPECT_TRUE(part.additional_addresses.empty());  // advertiseKubernetesNetworks is off
    EXPECT_EQ(text(part.exclude_advertised_networks), "192.168.0.0/16");
    EXPECT_EQ(text(part.endpoints), "10.0.0.5:51820");
    s.advertise_kubernetes_networks = true;
    EXPECT_EQ(text(local_kubespan_part(id, s, pods, endpoints).additional_addresses), "10.244.1.0/24 fd00:10:244:1::/64");
}

}  // namespace
}  // namespace nodenet::kubespan
