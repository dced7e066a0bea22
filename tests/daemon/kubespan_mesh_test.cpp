// KubeSpan for real: node machines (network, UTS and mount namespaces, each with its own
// /run/wireguard, as wireguard-go puts its UAPI socket there) running `nodenet daemon` with
// KubeSpan on, a discovery server machine whose bridge joins them. What is checked is what the
// kernel and the wire show: pings between the nodes' KubeSpan and node addresses, counters on the
// bridge proving that the traffic crossed it as WireGuard (UDP 51820) and never in clear, and
// `ip -j rule`, `ip -j route show table 180`, `nft -j list ruleset` as independent readers.
#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "tests/discovery/server_machine.h"

namespace nodenet::daemon_test {
namespace {

constexpr const char* kClusterId = "nodenet-kubespan-cluster-0123456789";
constexpr const char* kSecret = "ZzYt0LiUNYumRqwOyymJHDSoSWBtJqXtwHNR9rXU6Q4=";

std::string node_config(int i, bool kubespan = true, const std::string& kubespan_extra = "",
                        const std::string& address = "", const std::string& gateway = "") {
    std::string c = "version: v1alpha1\nmachine:\n  type: " + std::string(i == 1 ? "controlplane" : "worker") +
                    "\n  network:\n    hostname: node-" + std::to_string(i) +
                    "\n    interfaces:\n      - interface: eth0\n        addresses: [" +
                    (address.empty() ? "10.77.0." + std::to_string(10 + i) + "/24" : address) + "]\n";
    if (!gateway.empty()) c += "        routes:\n          - network: 0.0.0.0/0\n            gateway: " + gateway + "\n";
    if (kubespan) c += "    kubespan:\n      enabled: true\n" + kubespan_extra;
    return c + "cluster:\n  id: " + kClusterId + "\n  secret: " + kSecret +
           "\n  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n"
           "      service:\n        endpoint: http://" + kServer + ":3000\n";
}

// Every process whose network namespace is `ns`: wireguard-go outlives the daemon that started it
// (the machine keeps its tunnel while nodenet restarts), so the test ends it.
void kill_processes_in(const TestNetns& ns) {
    struct stat want {};
    if (fstat(ns.fds().net, &want) != 0) return;
    DIR* proc = opendir("/proc");
    if (!proc) return;
    while (dirent* e = readdir(proc)) {
        pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0 || pid == getpid()) continue;
        struct stat st {};
        std::string path = "/proc/" + std::string(e->d_name) + "/ns/net";
        if (stat(path.c_str(), &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev) kill(pid, SIGKILL);
    }
    closedir(proc);
}

struct Node {
    Node() {
        // wireguard-go always puts its socket in /var/run/wireguard: one of its own per machine,
        // or the three `kubespan` links would share one socket path.
        ns.in_child([] {
            mkdir("/run/wireguard", 0755);
            if (mount("tmpfs", "/run/wireguard", "tmpfs", 0, "size=1m,mode=0755") != 0)
                throw std::runtime_error("cannot mount a private /run/wireguard");
            return std::string();
        });
    }
    ~Node() {
        machine.stop(SIGKILL);
        kill_processes_in(ns);
    }
    TestNetns ns;
    TempDir dir;
    DaemonMachine machine{ns, dir, false};
};

nlohmann::json get(const DaemonMachine& m, const std::string& kind) { return get_resources(m, kind); }

// Peer label → state, as `get kubespanpeerstatuses` shows them.
std::map<std::string, std::string> peer_states(const DaemonMachine& m) {
    std::map<std::string, std::string> out;
    for (const auto& r : get(m, "kubespanpeerstatuses")) out[r["spec"]["label"]] = r["spec"]["state"];
    return out;
}

std::string kubespan_address(const DaemonMachine& m) {
    auto ids = get(m, "kubespanidentities");
    if (ids.empty()) return "";
    std::string a = ids[0]["spec"]["address"];
    return a.substr(0, a.find('/'));
}

// `fwmark 0x40/0x60 lookup 180` at priority 32500 among the rules `ip -j rule show` lists.
bool has_kubespan_rule(const nlohmann::json& rules) {
    for (const auto& r : rules)
        if (r.value("priority", 0) == 32500 && r.value("fwmark", "") == "0x40" && r.value("fwmask", "") == "0x60" &&
            r.value("table", "") == "180")
            return true;
    return false;
}

// Counters on the server's bridge: ICMP crossing it in clear, and WireGuard's UDP port 51820.
class BridgeCounters {
public:
    explicit BridgeCounters(const TestNetns& server) : ns_(server) {
        std::string rules =
            "table bridge nodenet_test {\n"
            "  counter clear_icmp {}\n  counter wireguard {}\n"
            "  chain forward { type filter hook forward priority 0; policy accept;\n"
            "    icmp type { echo-request, echo-reply } counter name clear_icmp\n"
            "    meta l4proto ipv6-icmp icmpv6 type { echo-request, echo-reply } counter name clear_icmp\n"
            "    udp dport 51820 counter name wireguard\n  }\n}\n";
        std::filesystem::path file = dir_.path() / "counters.nft";
        { std::ofstream(file) << rules; }
        auto add = ns_.run({"nft", "-f", file.string()});
        if (add.exit_code != 0) throw std::runtime_error("nft: " + add.err);
    }
    uint64_t packets(const std::string& counter) const {
        auto r = ns_.run({"nft", "-j", "list", "counter", "bridge", "nodenet_test", counter});
        if (r.exit_code != 0) throw std::runtime_error("nft list counter " + counter + ": " + r.err);
        nlohmann::json listing = nlohmann::json::parse(r.out);
        for (const auto& item : listing["nftables"])
            if (item.contains("counter")) return item["counter"]["packets"].get<uint64_t>();
        throw std::runtime_error("nft list counter " + counter + ": no counter in " + r.out);
    }

private:
    const TestNetns& ns_;
    TempDir dir_;
};

class KubeSpanMesh : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
        if (access("/usr/bin/wireguard-go", X_OK) != 0) GTEST_SKIP() << "wireguard-go is not installed";
        server_ = std::make_unique<ServerMachine>(server_dir_);
        server_->start();
    }
    void TearDown() override {
        nodes_.clear();
        if (server_) server_->stop(SIGKILL);
    }
    // `plug`: false for a node the test connects itself (behind a NAT).
    // A shorter tick and connection timeout make a dead endpoint rotate within seconds; the down
    // interval stays Talos's 275 s: WireGuard re-handshakes only every 2 minutes, keepalives do
    // not count, so a shorter one would declare working peers down.
    Node& add_node(int i, const std::string& config, bool plug = true, const std::function<void(Node&)>& wire = {},
                   const std::vector<std::string>& extra = {}) {
        nodes_.push_back(std::make_unique<Node>());
        Node& n = *nodes_.back();
        if (plug) server_->plug(n.ns, i);
        if (wire) wire(n);
        n.machine.write_config(config);
        std::vector<std::string> args{"--discovery-ttl", "5", "--discovery-refresh", "2", "--discovery-backoff", "0.2",
                                      "--kubespan-tick", "1", "--kubespan-connect-timeout", "3"};
        args.insert(args.end(), extra.begin(), extra.end());
        n.machine.start(args);
        EXPECT_TRUE(n.machine.wait_ready(20s)) << n.machine.log();
        return n;
    }
    std::string logs() const {
        std::string all = "server: " + read_text(server_->log_path());
        for (const auto& n : nodes_) all += "\nnode: " + n->machine.log();
        return all;
    }
    bool all_up(size_t peers) const {
        for (const auto& n : nodes_) {
            auto states = peer_states(n->machine);
            if (states.size() != peers) return false;
            for (const auto& [label, state] : states)
                if (state != "up") return false;
        }
        return true;
    }

    TempDir server_dir_;
    std::unique_ptr<ServerMachine> server_;
    std::vector<std::unique_ptr<Node>> nodes_;
};

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

// Endpoints of the peer labelled `label`, as `get kubespanpeerspecs` shows them.
std::vector<std::string> peer_endpoints(const DaemonMachine& m, const std::string& label) {
    std::vector<std::string> out;
    for (const auto& r : get(m, "kubespanpeerspecs"))
        if (r["spec"]["label"] == label)
            for (const auto& e : r["spec"]["endpoints"]) out.push_back(e);
    return out;
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
    auto nat_side = [&] {
        for (const std::string& e : peer_endpoints(nodes_[2]->machine, "node-3"))
            if (e.starts_with("10.77.0.50:")) return true;
        return false;
    };
    EXPECT_TRUE(eventually(nat_side, 20s)) << get(nodes_[2]->machine, "kubespanpeerspecs").dump();
    std::string node3 = get(nodes_[1]->machine, "identities")[0]["spec"]["nodeId"];
    auto harvested_for_3 = [&] {
        for (const auto& h : get(nodes_[0]->machine, "kubespanendpoints"))
            if (h["spec"]["affiliateID"] == node3 && h["spec"]["endpoint"].get<std::string>().starts_with("10.77.0.50:"))
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

// Whether `ip` is in the routed IPv4 set of the machine's nftables table.
bool routed(const TestNetns& ns, const std::string& ip) {
    auto set = ns.run({"nft", "-j", "list", "set", "inet", "nodenet", "kubespan_targets_ipv4"}).out;
    return set.find("\"" + ip + "\"") != std::string::npos;
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
    for (const char* cmd : {"add table inet cut", "add chain inet cut in { type filter hook input priority 0 ; }",
                            "add rule inet cut in udp dport 51820 drop"}) {
        std::vector<std::string> argv{"nft"};
        std::istringstream words(cmd);
        for (std::string w; words >> w;) argv.push_back(w);
        auto r = nodes_[1]->ns.run(argv);
        ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    }
    auto down = [&](const DaemonMachine& m) { return peer_states(m)["node-2"] == "down"; };
    ASSERT_TRUE(eventually([&] { return down(nodes_[0]->machine) && down(nodes_[2]->machine); }, 40s)) << logs();
    EXPECT_TRUE(eventually([&] { return !routed(nodes_[0]->ns, "10.77.0.12"); }, 10s))
        << nodes_[0]->ns.run({"nft", "-j", "list", "set", "inet", "nodenet", "kubespan_targets_ipv4"}).out;
    EXPECT_TRUE(routed(nodes_[2]->ns, "10.77.0.12"));
}

}  // namespace
}  // namespace nodenet::daemon_test
