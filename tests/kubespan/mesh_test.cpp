// What the pure manager installs (reference §3.2) and the routed set for nftables.
#include "kubespan/mesh.h"

#include <gtest/gtest.h>

#include "kubespan/kubespan_address.h"
#include "tests/kubespan/fixtures.h"

namespace nodenet::kubespan {
namespace {

using namespace testing;

constexpr const char* kSecret = "ZzYt0LiUNYumRqwOyymJHDSoSWBtJqXtwHNR9rXU6Q4=";
constexpr const char* kKeyA = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
constexpr const char* kKeyB = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=";

KubeSpanSettings enabled_settings() {
    KubeSpanSettings s;
    s.enabled = true;
    s.cluster_secret = kSecret;
    s.preshared_key = *wireguard::parse_key_base64(kSecret);
    s.mtu = 1380;
    return s;
}

Identity identity() {
    Identity id;
    id.private_key.bytes[0] = 0x40;
    id.address = prefix("fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/128");
    id.subnet = prefix("fd7f:175a:b97c:5602::/64");
    return id;
}

std::vector<PeerSpec> peers() {
    return {{kKeyA, "a", "worker-a", prefixes({"10.0.0.1/32", "10.244.1.0/24", "fd7f:175a:b97c:5602::a/128"}),
             {endpoint("198.51.100.1", 51820)}},
            {kKeyB, "b", "worker-b", prefixes({"10.0.0.2/32", "10.0.0.3/32", "2001:db8::2/128", "fd7f:175a:b97c:5602::b/128"}),
             {endpoint("198.51.100.2", 51820)}}};
}

TEST(Mesh, LinkAddressRoutesAndRules) {
    KubeSpanSettings s = enabled_settings();
    Identity id = identity();
    std::vector<PeerSpec> ps = peers();
    std::map<std::string, PeerStatus> statuses;
    PeerStatus a;
    a.last_used_endpoint = endpoint("198.51.100.1", 51820);
    statuses[kKeyA] = a;
    PeerStatus b;  // roamed: no endpoint written
    b.last_used_endpoint = endpoint("198.51.100.2", 51820);
    b.endpoint = endpoint("203.0.113.9", 4000);
    statuses[kKeyB] = b;

    Mesh m = build_mesh({s, id, ps, statuses});
    const state::LayeredSpecs& specs = m.specs;
    EXPECT_TRUE(specs.warnings.empty());

    ASSERT_EQ(specs.links.size(), 1u);
    const state::Link& link = specs.links[0];
    EXPECT_EQ(link.name, "kubespan");
    EXPECT_EQ(link.kind, state::LinkKind::Wireguard);
    EXPECT_EQ(link.up, true);
    EXPECT_EQ(link.mtu, 1380u);
    EXPECT_EQ(link.origin.layer, state::Layer::Operator);
    EXPECT_EQ(link.origin.source, "kubespan");
    ASSERT_TRUE(link.wireguard.has_value());
    const wireguard::DeviceConfig& wg = *link.wireguard;
    EXPECT_EQ(wg.private_key, id.private_key);
    EXPECT_EQ(wg.listen_port, 51820);
    EXPECT_EQ(wg.firewall_mark, 0x20u);
    ASSERT_EQ(wg.peers.size(), 2u);
    EXPECT_EQ(wireguard::to_base64(wg.peers[0].public_key), kKeyA);
    EXPECT_EQ(wireguard::to_base64(*wg.peers[0].preshared_key), kSecret);
    EXPECT_EQ(wg.peers[0].persistent_keepalive_seconds, 25);
    EXPECT_EQ(text(wg.peers[0].allowed_ips), "10.0.0.1/32 10.244.1.0/24 fd7f:175a:b97c:5602::a/128");
    EXPECT_EQ(wg.peers[0].endpoint, "198.51.100.1:51820");
    EXPECT_EQ(wg.peers[1].endpoint, "");

    ASSERT_EQ(specs.addresses.size(), 1u);
    EXPECT_EQ(specs.addresses[0].link, "kubespan");
    EXPECT_EQ(specs.addresses[0].prefix.str(), "fd7f:175a:b97c:5602:2c1a:b6ff:fe53:8169/64");
    EXPECT_EQ(specs.addresses[0].origin.layer, state::Layer::Operator);

    ASSERT_EQ(specs.routes.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        const state::Route& r = specs.routes[i];
        EXPECT_EQ(r.family, i == 0 ? state::Family::V4 : state::Family::V6);
        EXPECT_EQ(r.destination.str(), i == 0 ? "0.0.0.0/0" : "::/0");
        EXPECT_EQ(r.link, "kubespan");
        EXPECT_FALSE(r.gateway.has_value());
        EXPECT_EQ(r.table, 180u);
        EXPECT_EQ(r.metric, 1u);
        EXPECT_EQ(r.mtu, 1380u);
        EXPECT_EQ(r.origin.source, "kubespan");
    }
    ASSERT_EQ(specs.rules.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        const state::RoutingRule& r = specs.rules[i];
        EXPECT_EQ(r.family, i == 0 ? state::Family::V4 : state::Family::V6);
        EXPECT_EQ(r.priority, 32500u);
        EXPECT_EQ(r.action, state::RuleAction::Lookup);
        EXPECT_EQ(r.table, 180u);
        EXPECT_EQ(r.fwmark, 0x40u);
        EXPECT_EQ(r.fwmask, 0x60u);
        EXPECT_EQ(r.origin.layer, state::Layer::Operator);
    }
    // Routing forced (the default): every peer's prefixes but the KubeSpan ULAs, merged.
    EXPECT_EQ(text(m.routed.v4), "10.0.0.1/32 10.0.0.2/31 10.244.1.0/24");
    EXPECT_EQ(text(m.routed.v6), "2001:db8::2/128");
}

TEST(Mesh, BrokenPeerKeyOrMissingAddressIsAWarning) {
    KubeSpanSettings s = enabled_settings();
    Identity id = identity();
    id.address.reset();
    std::vector<PeerSpec> ps = peers();
    ps[0].public_key = "nope";
    std::map<std::string, PeerStatus> statuses;
    Mesh m = build_mesh({s, id, ps, statuses});
    ASSERT_EQ(m.specs.links.at(0).wireguard->peers.size(), 1u);
    EXPECT_TRUE(m.specs.addresses.empty());
    ASSERT_EQ(m.specs.warnings.size(), 2u);
    EXPECT_EQ(m.specs.warnings[0],
              "KubeSpan peer a is left out: its public key: not a WireGuard key: 4 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(m.specs.warnings[1], "KubeSpan identity has no address yet: no address on the kubespan link");
}

TEST(Mesh, MergesAsTheOperatorLayer) {
    KubeSpanSettings s = enabled_settings();
    Identity id = identity();
    std::vector<PeerSpec> ps = peers();
    std::map<std::string, PeerStatus> statuses;
    Mesh m = build_mesh({s, id, ps, statuses});
    std::vector<std::string> warnings;
    state::DesiredState d = state::merge({m.specs}, warnings);
    EXPECT_TRUE(warnings.empty());
    ASSERT_EQ(d.links.count("kubespan"), 1u);
    EXPECT_EQ(d.links.at("kubespan").wireguard->peers.size(), 2u);
    EXPECT_EQ(d.addresses.size(), 1u);
    EXPECT_EQ(d.routes.size(), 2u);
    EXPECT_EQ(d.rules.size(), 2u);
}

TEST(RoutedSet, WithoutForcedRoutingOnlyPeersThatAreUp) {
    std::vector<PeerSpec> ps = peers();
    std::map<std::string, PeerStatus> statuses;
    statuses[kKeyB].state = PeerState::Up;
    statuses[kKeyA].state = PeerState::Down;
    RoutedSet r = routed_set(ps, statuses, false);
    EXPECT_EQ(text(r.v4), "10.0.0.2/31");
    EXPECT_EQ(text(r.v6), "2001:db8::2/128");
    statuses[kKeyB].state = PeerState::Unknown;
    EXPECT_EQ(routed_set(ps, statuses, false), RoutedSet{});
    // A peer without a status is not up; forced routing takes it anyway.
    EXPECT_EQ(routed_set(ps, {}, false), RoutedSet{});
    EXPECT_EQ(text(routed_set(ps, {}, true).v4), "10.0.0.1/32 10.0.0.2/31 10.244.1.0/24");
}

TEST(RoutedSet, KubeSpanUlasOfAnyClusterAreLeftOutOtherUlasStay) {
    std::vector<PeerSpec> ps = {{kKeyA, "a", "a", prefixes({"fd00:1:2:302::/64", "fd00:1:2:303::/64", "fd12::1/128"}), {}}};
    RoutedSet r = routed_set(ps, {}, true);
    EXPECT_TRUE(r.v4.empty());
    EXPECT_EQ(text(r.v6), "fd00:1:2:303::/64 fd12::1/128");
}

}  // namespace
}  // namespace nodenet::kubespan
