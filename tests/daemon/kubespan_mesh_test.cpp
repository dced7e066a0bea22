// KubeSpan for real: node machines (network, UTS and mount namespaces, each with its own
// /run/wireguard, as wireguard-go puts its UAPI socket there) running `nodenet daemon` with
// KubeSpan on, a discovery server machine whose bridge joins them. What is checked is what the
// kernel and the wire show: pings between the nodes' KubeSpan and node addresses, counters on the
// bridge proving that the traffic crossed it as WireGuard (UDP 51820) and never in clear, and
// `ip -j rule`, `ip -j route show table 180`, `nft -j list ruleset` as independent readers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "tests/daemon/kubespan_machines.h"

namespace nodenet::daemon_test {
namespace {

TEST_F(KubeSpanMesh, ThreeNodesFormAMeshAndTalkOnlyThroughIt) {
    BridgeCounters counters(server_->ns());
    add_node(1, node_config(1));
    // node-2 advertises its pod CIDRs (--pod-cidrs) and node-3 one written by a CNI hook into
    // <state-dir>/pod-cidrs: the others allow and route them to it.
    add_node(2, node_config(2, true, "      advertiseKubernetesNetworks: true\n"), true, {}, {"--pod-cidrs", "10.244.2.0/24"});
    nodes_.push_back(std::make_unique<Node>());
    {
        Node& n = *nodes_.back();
        server_->plug(n.ns, 3);
        std::filesystem::create_directories(n.machine.state_dir());
        { std::ofstream(std::filesystem::path(n.machine.state_dir()) / "pod-cidrs") << "# pods\n10.244.3.0/24\n"; }
        n.machine.write_config(node_config(3, true, "      advertiseKubernetesNetworks: true\n"));
        n.machine.start({"--discovery-ttl", "5", "--discovery-refresh", "2", "--discovery-backoff", "0.2",
                         "--kubespan-tick", "1", "--kubespan-connect-timeout", "3"});
        ASSERT_TRUE(n.machine.wait_ready(20s)) << n.machine.log();
    }
    ASSERT_TRUE(eventually([&] { return all_up(2); }, 40s)) << logs();

    // What the views show: the peers by node name, each allowed its node address and KubeSpan /128.
    const DaemonMachine& one = nodes_[0]->machine;
    auto specs = get(one, "kubespanpeerspecs");
    ASSERT_EQ(specs.size(), 2u) << specs.dump();
    std::set<std::string> labels;
    for (const auto& s : specs) labels.insert(s["spec"]["label"]);
    EXPECT_EQ(labels, (std::set<std::string>{"node-2", "node-3"}));
    std::string two = kubespan_address(nodes_[1]->machine), three = kubespan_address(nodes_[2]->machine);
    ASSERT_FALSE(two.empty());
    for (const auto& s : specs) {
        std::set<std::string> allowed;
        for (const auto& a : s["spec"]["allowedIPs"]) allowed.insert(a);
        std::string label = s["spec"]["label"];
        std::string node_ip = label == "node-2" ? "10.77.0.12/32" : "10.77.0.13/32";
        EXPECT_TRUE(allowed.count(node_ip)) << s.dump();
        EXPECT_TRUE(allowed.count((label == "node-2" ? two : three) + "/128")) << s.dump();
        EXPECT_TRUE(allowed.count(label == "node-2" ? "10.244.2.0/24" : "10.244.3.0/24")) << s.dump();
    }
    auto table = one.nodenet({"get", "kubespanpeerstatuses"});
    EXPECT_NE(table.out.find("LABEL"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("up"), std::string::npos) << table.out;

    // The kernel, read by others: the rules, table 180 and the nftables table.
    const TestNetns& ns = nodes_[0]->ns;
    EXPECT_TRUE(has_kubespan_rule(ns.ip_json("rule show"))) << ns.ip("-j rule show").out;
    EXPECT_TRUE(has_kubespan_rule(ns.ip_json("-6 rule show"))) << ns.ip("-6 -j rule show").out;
    auto routes = ns.ip_json("route show table 180");
    ASSERT_EQ(routes.size(), 1u) << routes.dump();
    EXPECT_EQ(routes[0]["dst"], "default");
    EXPECT_EQ(routes[0]["dev"], "kubespan");
    auto ruleset = ns.run({"nft", "-j", "list", "ruleset"});
    EXPECT_NE(ruleset.out.find("kubespan_outgoing"), std::string::npos) << ruleset.out;
    EXPECT_NE(ruleset.out.find("10.77.0.12"), std::string::npos) << ruleset.out;

    // Pings: KubeSpan addresses (the kubespan link's /64) and node addresses (marked into table 180).
    for (const std::string& target : {two, three, std::string("10.77.0.12"), std::string("10.77.0.13")}) {
        auto r = ns.run({"ping", "-c", "2", "-i", "0.2", "-W", "2", target});
        EXPECT_EQ(r.exit_code, 0) << target << ": " << r.out << r.err << logs();
    }
    EXPECT_EQ(counters.packets("clear_icmp"), 0u) << "pings crossed the bridge in clear";
    EXPECT_GT(counters.packets("wireguard"), 4u);
}

TEST_F(KubeSpanMesh, RestartWritesNothingAndDisablingLeavesNoTrace) {
    for (int i = 1; i <= 2; ++i) add_node(i, node_config(i));
    ASSERT_TRUE(eventually([&] { return all_up(1); }, 40s)) << logs();
    DaemonMachine& m = nodes_[0]->machine;
    const TestNetns& ns = nodes_[0]->ns;
    auto before = ns.run({"nft", "-j", "list", "table", "inet", "nodenet"}).out;

    // A restart adopts the link, its peers, the rules and the table: not one write.
    ASSERT_EQ(m.stop(SIGTERM), 0);
    m.start({"--discovery-ttl", "5", "--discovery-refresh", "2", "--discovery-backoff", "0.2", "--kubespan-tick", "1"});
    ASSERT_TRUE(m.wait_ready(20s)) << m.log();
    ASSERT_TRUE(eventually([&] { return peer_states(m).size() == 1; }, 20s)) << m.log();
    ASSERT_TRUE(eventually([&] { return peer_states(m).begin()->second == "up"; }, 20s)) << m.log();
    EXPECT_EQ(m.log().find("applied"), std::string::npos) << m.log();
    EXPECT_EQ(ns.run({"nft", "-j", "list", "table", "inet", "nodenet"}).out, before);

    // A foreign table is left alone when KubeSpan goes.
    ASSERT_EQ(ns.run({"nft", "add", "table", "inet", "other"}).exit_code, 0);
    m.write_config(node_config(1, false));
    auto r = m.nodenet({"apply", "-c", m.config_path()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_TRUE(eventually([&] { return ns.ip_json("link show").dump().find("kubespan") == std::string::npos; }, 10s))
        << m.log();
    for (const auto& rule : ns.ip_json("rule show")) EXPECT_NE(rule.value("priority", 0), 32500) << rule.dump();
    for (const auto& rule : ns.ip_json("-6 rule show")) EXPECT_NE(rule.value("priority", 0), 32500) << rule.dump();
    EXPECT_TRUE(ns.ip_json("route show table 180").empty());
    auto ruleset = ns.run({"nft", "-j", "list", "ruleset"}).out;
    EXPECT_EQ(ruleset.find("nodenet"), std::string::npos) << ruleset;
    EXPECT_NE(ruleset.find("\"other\""), std::string::npos) << ruleset;
}

TEST_F(KubeSpanMesh, ANodeBehindANatJoinsAndItsMappedEndpointIsHarvestedForTheOthers) {
    // node-3 sits behind a router that masquerades its traffic to 10.77.0.50 and maps the source
    // port into 40000-40100, so that the endpoint the others can reach is one node-3 cannot know:
    // node-1 learns it when node-3's keepalive opens the mapping, and harvests it for node-2.
    BridgeCounters counters(server_->ns());
    const std::string harvest = "      harvestExtraEndpoints: true\n";
    // Nodes 1 and 2 route everything else to the switch: a socket's first route lookup (unmarked)
    // must find a route before nftables marks the packet into table 180.
    add_node(1, node_config(1, true, harvest, "10.77.0.11/24", kServer));
    TestNetns router;
    server_->plug(router, 50);
    router.must("addr add 10.77.0.50/24 dev eth0");
    router.must("link set eth0 up");
    router.must("link set lo up");
    router.in_child([] {
        int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "1", 1) != 1) throw std::runtime_error("cannot enable forwarding");
        close(fd);
        return std::string();
    });
    TempDir nat_dir;
    {
        std::ofstream(nat_dir.path() / "nat.nft")
            << "table ip nat {\n  chain post { type nat hook postrouting priority 100; policy accept;\n"
               "    oifname \"eth0\" ip saddr 192.168.50.0/24 meta l4proto udp masquerade to :40000-40100\n"
               "    oifname \"eth0\" ip saddr 192.168.50.0/24 masquerade\n  }\n}\n";
    }
    auto nat = router.run({"nft", "-f", (nat_dir.path() / "nat.nft").string()});
    ASSERT_EQ(nat.exit_code, 0) << nat.err;
    add_node(3, node_config(3, true, harvest, "192.168.50.2/24", "192.168.50.1"), false, [&](Node& n) {
        router.must("link add lan0 type veth peer name eth0 netns " + n.ns.path());
        router.must("addr add 192.168.50.1/24 dev lan0");
        router.must("link set lan0 up");
    });
    add_node(2, node_config(2, true, harvest, "10.77.0.12/24", kServer));
    ASSERT_TRUE(eventually([&] { return all_up(2); }, 60s)) << logs();

    // Through the tunnel only: node-1 to node-3's address behind the NAT, and back.
    const TestNetns& one = nodes_[0]->ns;
    // The NATed node reaches node-1, then node-1 reaches it back, both ways through the tunnel.
    auto out = nodes_[1]->ns.run({"ping", "-c", "2", "-i", "0.2", "-W", "2", "10.77.0.11"});
    EXPECT_EQ(out.exit_code, 0) << "node-3 to node-1: " << out.out << out.err << logs();
    for (const std::string& target : {std::string("192.168.50.2"), kubespan_address(nodes_[1]->machine)}) {
        auto in = one.run({"ping", "-c", "2", "-i", "0.2", "-W", "2", target});
        EXPECT_EQ(in.exit_code, 0) << "node-1 to " << target << ": " << in.out << in.err
                                   << one.run({"wg", "show", "kubespan", "dump"}).out;
    }
    EXPECT_EQ(counters.packets("clear_icmp"), 0u);

    // node-1 harvests the endpoint it sees node-3 use (the router's side of the NAT) and publishes
    // it for node-3; node-2 has it among node-3's endpoints.
    // The router's mapped port (40000-40100), which node-3 cannot announce itself: it announces
    // the address the service saw with its own port 51820, which nothing answers on the router.
    auto mapped = [](const std::string& endpoint) {
        if (!endpoint.starts_with("10.77.0.50:")) return false;
        int port = std::atoi(endpoint.c_str() + std::strlen("10.77.0.50:"));
        return port >= 40000 && port <= 40100;
    };
    auto nat_side = [&] {
        for (const std::string& e : peer_endpoints(nodes_[2]->machine, "node-3"))
            if (mapped(e)) return true;
        return false;
    };
    EXPECT_TRUE(eventually(nat_side, 20s)) << get(nodes_[2]->machine, "kubespanpeerspecs").dump();
    std::string node3 = get(nodes_[1]->machine, "identities")[0]["spec"]["nodeId"];
    auto harvested_for_3 = [&] {
        for (const auto& h : get(nodes_[0]->machine, "kubespanendpoints"))
            if (h["spec"]["affiliateID"] == node3 && mapped(h["spec"]["endpoint"]))
                return true;
        return false;
    };
    EXPECT_TRUE(eventually(harvested_for_3, 20s)) << get(nodes_[0]->machine, "kubespanendpoints").dump() << "\n"
                                                  << get(nodes_[0]->machine, "kubespanpeerstatuses").dump() << "\n"
                                                  << one.run({"wg", "show", "kubespan", "dump"}).out << "\n" << node3;
    auto harvested = get(nodes_[0]->machine, "kubespanendpoints");
    EXPECT_FALSE(harvested.empty()) << get(nodes_[0]->machine, "kubespanpeerstatuses").dump() << "\n"
                                    << one.run({"wg", "show", "kubespan", "dump"}).out;
}

TEST_F(KubeSpanMesh, ANodeThatLeavesIsDroppedFromPeersAndTheRoutedSet) {
    for (int i = 1; i <= 2; ++i) add_node(i, node_config(i));
    ASSERT_TRUE(eventually([&] { return all_up(1); }, 40s)) << logs();
    const TestNetns& ns = nodes_[0]->ns;
    ASSERT_NE(ns.run({"nft", "-j", "list", "set", "inet", "nodenet", "kubespan_targets_ipv4"}).out.find("10.77.0.12"),
              std::string::npos);
    auto r = nodes_[1]->machine.nodenet({"leave"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_TRUE(eventually([&] { return get(nodes_[0]->machine, "kubespanpeerspecs").empty(); }, 10s)) << logs();
    EXPECT_TRUE(eventually(
        [&] {
            auto set = ns.run({"nft", "-j", "list", "set", "inet", "nodenet", "kubespan_targets_ipv4"}).out;
            return set.find("10.77.0.12") == std::string::npos;
        },
        5s));
    EXPECT_TRUE(eventually([&] { return ns.run({"wg", "show", "kubespan", "peers"}).out.empty(); }, 5s))
        << ns.run({"wg", "show", "kubespan", "peers"}).out;
}

TEST_F(KubeSpanMesh, ADownPeerLeavesTheRoutedSetOnlyWithAllowDownPeerBypass) {
    // node-1 allows the bypass, node-3 keeps Talos's default; node-2 stays in the cluster but its
    // tunnel is cut (a foreign nftables table drops WireGuard's port). A down interval of 8 s
    // makes its peers go down soon: what is checked is what "down" does to the routed set.
    const std::vector<std::string> quick_down{"--kubespan-down-after", "8"};
    add_node(1, node_config(1, true, "      allowDownPeerBypass: true\n"), true, {}, quick_down);
    add_node(2, node_config(2));
    add_node(3, node_config(3), true, {}, quick_down);
    ASSERT_TRUE(eventually([&] { return routed(nodes_[0]->ns, "10.77.0.12") && routed(nodes_[2]->ns, "10.77.0.12"); }, 30s))
        << logs();
    cut_tunnel(nodes_[1]->ns, {"chain in { type filter hook input priority 0; udp dport 51820 drop; }"});
    auto down = [&](const DaemonMachine& m) { return peer_states(m)["node-2"] == "down"; };
    ASSERT_TRUE(eventually([&] { return down(nodes_[0]->machine) && down(nodes_[2]->machine); }, 40s)) << logs();
    EXPECT_TRUE(eventually([&] { return !routed(nodes_[0]->ns, "10.77.0.12"); }, 10s))
        << nodes_[0]->ns.run({"nft", "-j", "list", "set", "inet", "nodenet", "kubespan_targets_ipv4"}).out;
    EXPECT_TRUE(routed(nodes_[2]->ns, "10.77.0.12"));
}

}  // namespace
}  // namespace nodenet::daemon_test
