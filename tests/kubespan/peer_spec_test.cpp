// Peers from affiliates (reference §3.4), overlap resolution in node-ID order (§6 item 11).
#include "kubespan/peer_spec.h"

#include <gtest/gtest.h>

#include "tests/kubespan/fixtures.h"

namespace nodenet::kubespan {
namespace {

using namespace testing;

discovery::Affiliate affiliate(const std::string& node_id, const std::string& key, const char* kubespan_ip,
                               std::initializer_list<const char*> addresses, std::initializer_list<const char*> pods = {},
                               std::initializer_list<const char*> excluded = {}) {
    discovery::Affiliate a;
    a.node_id = node_id;
    a.nodename = "n-" + node_id;
    for (const char* t : addresses) a.addresses.push_back(ip(t));
    a.kubespan.public_key = key;
    if (kubespan_ip) a.kubespan.address = ip(kubespan_ip);
    a.kubespan.additional_addresses = prefixes(pods);
    a.kubespan.exclude_advertised_networks = prefixes(excluded);
    a.kubespan.endpoints = {endpoint("198.51.100.1", 51820), endpoint("10.0.0.1", 51820)};
    return a;
}

constexpr const char* kKeyA = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
constexpr const char* kKeyB = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=";
constexpr const char* kKeyC = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

TEST(PeerSpecs, AllowedIpsFromAddressesPodsAndTheKubeSpanAddress) {
    PeerSpecs s = peer_specs({affiliate("b", kKeyB, "fd7f:175a:b97c:5602::b", {"10.0.0.2", "2001:db8::2"},
                                        {"10.244.2.0/24"}),
                              affiliate("self", kKeyA, "fd7f:175a:b97c:5602::a", {"10.0.0.1"})},
                             "self");
    ASSERT_EQ(s.peers.size(), 1u);
    const PeerSpec& p = s.peers[0];
    EXPECT_EQ(p.public_key, kKeyB);
    EXPECT_EQ(p.node_id, "b");
    EXPECT_EQ(p.label, "n-b");
    EXPECT_EQ(text(p.allowed_ips), "10.0.0.2/32 10.244.2.0/24 2001:db8::2/128 fd7f:175a:b97c:5602::b/128");
    EXPECT_EQ(text(p.endpoints), "198.51.100.1:51820 10.0.0.1:51820");  // as published, in order
    EXPECT_TRUE(s.warnings.empty());
}

TEST(PeerSpecs, ExcludedNetworksGoButTheKubeSpanAddressStays) {
    PeerSpecs s = peer_specs({affiliate("b", kKeyB, "fd7f:175a:b97c:5602::b", {"10.0.0.2", "192.168.5.2"},
                                        {"10.244.0.0/16"}, {"192.168.0.0/16", "10.244.128.0/17", "fd00::/8"})},
                             "self");
    ASSERT_EQ(s.peers.size(), 1u);
    EXPECT_EQ(text(s.peers[0].allowed_ips), "10.0.0.2/32 10.244.0.0/17 fd7f:175a:b97c:5602::b/128");
}

TEST(PeerSpecs, SkipsSelfAffiliatesWithoutKubeSpanAndBrokenOnes) {
    discovery::Affiliate no_kubespan = affiliate("c", "", nullptr, {"10.0.0.3"});
    PeerSpecs s = peer_specs({no_kubespan, affiliate("d", kKeyC, nullptr, {"10.0.0.4"}),
                              affiliate("e", kKeyB, "fd7f:175a:b97c:5602::e", {"10.0.0.5"}),
                              affiliate("f", kKeyB, "fd7f:175a:b97c:5602::f", {"10.0.0.6"})},
                             "self");
    ASSERT_EQ(s.peers.size(), 1u);
    EXPECT_EQ(s.peers[0].node_id, "e");
    ASSERT_EQ(s.warnings.size(), 2u);
    EXPECT_EQ(s.warnings[0], "node d (n-d) publishes a KubeSpan public key but no KubeSpan address: not a peer");
    EXPECT_EQ(s.warnings[1], "node f (n-f) publishes the KubeSpan public key of node e: not a peer");
}

TEST(PeerSpecs, OverlapGoesToTheNodeIdThatSortsFirst) {
    // Given in the other order: the node ID decides, not the input order.
    PeerSpecs s = peer_specs({affiliate("zeta", kKeyB, "fd7f:175a:b97c:5602::2", {"10.0.0.2"}, {"10.244.0.0/16"}),
                              affiliate("alpha", kKeyA, "fd7f:175a:b97c:5602::1", {"10.0.0.1"}, {"10.244.1.0/24"}),
                              affiliate("mid", kKeyC, "fd7f:175a:b97c:5602::3", {"10.0.0.3", "10.0.0.1"})},
                             "self");
    ASSERT_EQ(s.peers.size(), 3u);
    EXPECT_EQ(s.peers[0].node_id, "alpha");
    EXPECT_EQ(text(s.peers[0].allowed_ips), "10.0.0.1/32 10.244.1.0/24 fd7f:175a:b97c:5602::1/128");
    EXPECT_EQ(s.peers[1].node_id, "mid");
    EXPECT_EQ(text(s.peers[1].allowed_ips), "10.0.0.3/32 fd7f:175a:b97c:5602::3/128");
    EXPECT_EQ(s.peers[2].node_id, "zeta");
    // 10.244.0.0/16 without alpha's 10.244.1.0/24: split into what is left.
    EXPECT_EQ(text(s.peers[2].allowed_ips),
              "10.0.0.2/32 10.244.0.0/24 10.244.2.0/23 10.244.4.0/22 10.244.8.0/21 10.244.16.0/20 10.244.32.0/19 "
              "10.244.64.0/18 10.244.128.0/17 fd7f:175a:b97c:5602::2/128");
    ASSERT_EQ(s.warnings.size(), 2u);
    EXPECT_EQ(s.warnings[0], "KubeSpan peer address overlap: 10.0.0.1/32 of node mid (n-mid) already routed to "
                             "node alpha (n-alpha), left out");
    EXPECT_EQ(s.warnings[1], "KubeSpan peer address overlap: 10.244.1.0/24 of node zeta (n-zeta) already routed to "
                             "node alpha (n-alpha), left out");
}

TEST(PeerSpecs, AnOverlapCanTakeEverything) {
    PeerSpecs s = peer_specs({affiliate("a", kKeyA, "fd7f:175a:b97c:5602::1", {"10.0.0.1"}, {"0.0.0.0/0", "::/0"}),
                              affiliate("b", kKeyB, "fd7f:175a:b97c:5602::2", {"10.0.0.2"})},
                             "self");
    ASSERT_EQ(s.peers.size(), 2u);
    EXPECT_TRUE(s.peers[1].allowed_ips.empty());
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0], "KubeSpan peer address overlap: 10.0.0.2/32, fd7f:175a:b97c:5602::2/128 of node b (n-b) "
                             "already routed to node a (n-a), left out (nothing is left for node b (n-b))");
}

}  // namespace
}  // namespace nodenet::kubespan
