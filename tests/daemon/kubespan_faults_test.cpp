// KubeSpan when things fail: an announced endpoint that does not answer, a tunnel cut and healed,
// and where packets to a down peer go with and without allowDownPeerBypass. The machines are
// KubeSpanMesh's; what is checked is the `get` views, the events, `wg show`, the kubespan link's
// counters and counters per source node on the switch (the discovery server's bridge).
#include <gtest/gtest.h>

#include "tests/daemon/kubespan_machines.h"

namespace nodenet::daemon_test {
namespace {

constexpr auto npos = std::string::npos;

std::string state_of(const DaemonMachine& m, const std::string& label) { return peer_status(m, label).value("state", ""); }

bool pings(const TestNetns& ns, const std::string& target, int count = 1) {
    return ns.run({"ping", "-c", std::to_string(count), "-i", "0.2", "-W", "1", target}).exit_code == 0;
}

uint64_t kubespan_tx_packets(const TestNetns& ns) {
    return ns.ip_json("-s link show kubespan").at(0)["stats64"]["tx"]["packets"].get<uint64_t>();
}

// The node's input (and, with `both`, output) of WireGuard's port dropped by a foreign table.
void cut(const TestNetns& ns, bool both) {
    std::vector<std::string> chains{"chain in { type filter hook input priority 0; udp dport 51820 drop; }"};
    if (both) chains.push_back("chain out { type filter hook output priority 0; udp dport 51820 drop; }");
    cut_tunnel(ns, chains);
}

TEST_F(KubeSpanMesh, ADeadFirstEndpointIsTriedThenTheNextOneConnects) {
    // node-1 announces none of its addresses (an empty filter keeps nothing) and, as its
    // extraAnnouncedEndpoints, first an address nobody has on the switch, then its own. node-2
    // announces nothing either, so node-1 cannot reach it first (WireGuard would roam to where
    // node-1's handshake came from): node-2 must find node-1 through its endpoints, in order.
    const std::string dead = "10.77.0.99:51820", live = "10.77.0.11:51820";
    const std::string none = "      filters:\n        endpoints: []\n";
    add_node(1, node_config(1, true, none) +
                    "---\napiVersion: v1alpha1\nkind: KubeSpanEndpointsConfig\nextraAnnouncedEndpoints:\n  - " + dead +
                    "\n  - " + live + "\n");
    add_node(2, node_config(2, true, none));
    const DaemonMachine& two = nodes_[1]->machine;
    ASSERT_TRUE(eventually([&] { return !peer_endpoints(two, "node-1").empty(); }, 20s)) << logs();
    EXPECT_EQ(peer_endpoints(two, "node-1"), (std::vector<std::string>{dead, live}));
    ASSERT_TRUE(eventually([&] { return state_of(two, "node-1") == "up"; }, 40s)) << logs();

    // Up on the live endpoint, picked by rotation (not roamed to): the last used one is it.
    auto status = peer_status(two, "node-1");
    EXPECT_EQ(status["endpoint"], live) << status.dump();
    EXPECT_EQ(status["lastUsedEndpoint"], live) << status.dump();
    auto wg = nodes_[1]->ns.run({"wg", "show", "kubespan", "endpoints"}).out;
    EXPECT_NE(wg.find(live), npos) << wg;
    EXPECT_EQ(wg.find("10.77.0.99"), npos) << wg;
    // The dead endpoint was tried first, then the live one, which came up.
    std::string events = two.events();
    size_t tried_dead = events.find("trying endpoint " + dead), tried_live = events.find("trying endpoint " + live),
           up = events.find("peer up (endpoint " + live + ")");
    ASSERT_NE(tried_dead, npos) << events;
    ASSERT_NE(tried_live, npos) << events;
    ASSERT_NE(up, npos) << events;
    EXPECT_LT(tried_dead, tried_live) << events;
    EXPECT_LT(tried_live, up) << events;

    // The tunnel carries traffic both ways between the KubeSpan addresses.
    std::string one_ks = kubespan_address(nodes_[0]->machine), two_ks = kubespan_address(two);
    EXPECT_TRUE(pings(nodes_[1]->ns, one_ks, 2)) << logs();
    EXPECT_TRUE(pings(nodes_[0]->ns, two_ks, 2)) << logs();
}

TEST_F(KubeSpanMesh, APeerWhoseTunnelIsCutGoesDownAndComesBackUpWhenHealed) {
    // Handshake initiations are WireGuard's only 148-byte messages (UDP length 156; the pings
    // here travel as 128- and 144-byte data messages): counted from node-1, they show it retrying.
    BridgeCounters counters(server_->ns());
    counters.add("initiations_from_1", "ip saddr 10.77.0.11 udp dport 51820 udp length 156");
    // node-1 sees a peer down 8 s after its last handshake; WireGuard re-handshakes only every
    // 2 minutes, or 15 s after data it sent went unanswered: node-1 pings while it waits.
    add_node(1, node_config(1), true, {}, {"--kubespan-down-after", "8"});
    add_node(2, node_config(2));
    ASSERT_TRUE(eventually([&] { return all_up(1); }, 30s)) << logs();
    const DaemonMachine& one = nodes_[0]->machine;
    const TestNetns& ns = nodes_[0]->ns;
    std::string two_ks = kubespan_address(nodes_[1]->machine);
    ASSERT_TRUE(pings(ns, two_ks)) << logs();

    cut(nodes_[1]->ns, true);
    uint64_t initiations = counters.packets("initiations_from_1");
    ASSERT_TRUE(eventually([&] { pings(ns, two_ks); return state_of(one, "node-2") == "down"; }, 30s)) << logs();
    // node-1 retries the handshake, and the cut defeats it: still down, no answer.
    ASSERT_TRUE(eventually([&] { pings(ns, two_ks); return counters.packets("initiations_from_1") > initiations; }, 40s))
        << logs();
    EXPECT_EQ(state_of(one, "node-2"), "down");
    EXPECT_FALSE(pings(ns, two_ks));

    // Healed: the next retry completes a handshake and the peer is up again.
    auto heal = nodes_[1]->ns.run({"nft", "delete", "table", "inet", "cut"});
    ASSERT_EQ(heal.exit_code, 0) << heal.err;
    ASSERT_TRUE(eventually([&] { pings(ns, two_ks); return state_of(one, "node-2") == "up"; }, 30s))
        << get(one, "kubespanpeerstatuses").dump() << "\n" << ns.run({"wg", "show", "kubespan", "dump"}).out << logs();
    EXPECT_TRUE(pings(ns, two_ks));
    std::string events = one.events();
    size_t down = events.find("peer down (endpoint 10.77.0.12:51820)"),
           up_again = events.rfind("peer up (endpoint 10.77.0.12:51820)");
    ASSERT_NE(down, npos) << events;
    ASSERT_NE(up_again, npos) << events;
    EXPECT_LT(down, up_again) << events;
}

TEST_F(KubeSpanMesh, PingsToADownPeerLeaveInClearWithAllowDownPeerBypassAndIntoTheTunnelWithout) {
    // node-1 allows the bypass, node-3 keeps Talos's default; node-2's input of WireGuard's port
    // is cut (ICMP still passes). Counters per source node on the switch tell whose pings crossed
    // it in clear, and whose went out as WireGuard.
    BridgeCounters counters(server_->ns());
    counters.add("clear_from_1", "ip saddr 10.77.0.11 icmp type echo-request");
    counters.add("clear_from_3", "ip saddr 10.77.0.13 icmp type echo-request");
    counters.add("wireguard_from_3", "ip saddr 10.77.0.13 udp dport 51820");
    const std::vector<std::string> quick_down{"--kubespan-down-after", "8"};
    add_node(1, node_config(1, true, "      allowDownPeerBypass: true\n"), true, {}, quick_down);
    add_node(2, node_config(2));
    add_node(3, node_config(3), true, {}, quick_down);
    ASSERT_TRUE(eventually([&] { return all_up(2); }, 30s)) << logs();
    cut(nodes_[1]->ns, false);
    auto down = [&](const DaemonMachine& m) { return state_of(m, "node-2") == "down"; };
    ASSERT_TRUE(eventually([&] { return down(nodes_[0]->machine) && down(nodes_[2]->machine); }, 40s)) << logs();
    ASSERT_TRUE(eventually([&] { return !routed(nodes_[0]->ns, "10.77.0.12"); }, 10s)) << logs();
    ASSERT_TRUE(routed(nodes_[2]->ns, "10.77.0.12"));

    // With the bypass: node-1's pings cross the switch in clear and are answered.
    uint64_t clear1 = counters.packets("clear_from_1");
    auto r = nodes_[0]->ns.run({"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.12"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err << logs();
    EXPECT_GE(counters.packets("clear_from_1"), clear1 + 3);

    // Without: node-3's pings go into the kubespan link and out as WireGuard to the dead tunnel;
    // none crosses the switch in clear, none is answered.
    const TestNetns& three = nodes_[2]->ns;
    uint64_t clear3 = counters.packets("clear_from_3"), wireguard3 = counters.packets("wireguard_from_3");
    uint64_t tx = kubespan_tx_packets(three);
    auto r3 = three.run({"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.12"});
    EXPECT_NE(r3.exit_code, 0) << r3.out;
    EXPECT_EQ(counters.packets("clear_from_3"), clear3);
    EXPECT_GE(kubespan_tx_packets(three), tx + 3);
    EXPECT_GE(counters.packets("wireguard_from_3"), wireguard3 + 3);
}

}  // namespace
}  // namespace nodenet::daemon_test
