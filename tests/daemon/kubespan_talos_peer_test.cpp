// A nodenet node and a Talos node of one cluster form a KubeSpan tunnel, the Talos side written
// apart from nodenet's C++: tests/discovery/talos_kubespan_peer.py (python3-cryptography for the
// X25519 key and Talos's ciphers, hashlib for the address, python3-grpcio for the discovery
// calls, protobuf by hand from the reference's field numbers) publishes the Talos node's KubeSpan
// affiliate, reads nodenet's, and writes the `wg setconf` file; the test configures the Talos
// machine's `kubespan` link (wireguard-go) from that output alone. What is checked is what nodenet
// shows, what the Python side computed on its own, pings both ways through the tunnel, and the
// bridge's counters (nothing in clear).
#include <gtest/gtest.h>

#include "tests/daemon/kubespan_machines.h"
#include "tests/wireguard/userspace_guard.h"

namespace nodenet::daemon_test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kTalosId = "TalosKubeSpanNodeTalosKubeSpanNodeTalosKub";

std::string mac_of(const TestNetns& ns, const std::string& link) {
    auto links = ns.ip_json("link show dev " + link);
    return links.empty() ? "" : links[0].value("address", "");
}

TEST_F(KubeSpanMesh, ANodenetNodeAndATalosNodeFormATunnel) {
    if (server_->ns().run({kPython, "-c", "import grpc, cryptography"}).exit_code != 0)
        GTEST_SKIP() << "no python3-grpcio / python3-cryptography (scripts/setup installs them)";
    SKIP_WITHOUT_WIREGUARD_GO();
    BridgeCounters counters(server_->ns());
    add_node(1, node_config(1));
    const DaemonMachine& nodenet_node = nodes_[0]->machine;
    const TestNetns& one = nodes_[0]->ns;
    ASSERT_TRUE(eventually([&] { return !kubespan_address(nodenet_node).empty(); }, 20s)) << logs();

    // The Talos machine: a Node of the fixture whose daemon never starts, eth0 on the bridge.
    nodes_.push_back(std::make_unique<Node>());
    const TestNetns& talos = nodes_.back()->ns;
    server_->plug(talos, 2);
    talos.must("addr add 10.77.0.12/24 dev eth0");
    talos.must("link set eth0 up");
    talos.must("link set lo up");

    TempDir out;
    std::string wg_conf = (out.path() / "kubespan.conf").string();
    std::string script = std::string(NODENET_SOURCE_DIR) + "/tests/discovery/talos_kubespan_peer.py";
    auto py = talos.run({kPython, script, "--endpoint", std::string(kServer) + ":3000", "--cluster-id", kClusterId,
                         "--secret", kSecret, "--node-id", kTalosId, "--hostname", "talos-worker-1", "--address",
                         "10.77.0.12", "--mac", mac_of(talos, "eth0"), "--peer-mac", mac_of(one, "eth0"),
                         "--wg-config", wg_conf, "--timeout", "30"},
                        50s);
    ASSERT_EQ(py.exit_code, 0) << py.out << py.err << logs();
    auto talos_side = nlohmann::json::parse(py.out);
    const std::string talos_address = talos_side["address"];
    const auto& peer = talos_side["peer"];

    // Identity and address: what Python computed from the cluster ID and nodenet's MAC is what
    // nodenet has, and nodenet's affiliate carries it with its public key and endpoint.
    auto identity = get(nodenet_node, "kubespanidentities");
    ASSERT_EQ(identity.size(), 1u) << identity.dump();
    EXPECT_EQ(talos_side["expected_peer_address"], kubespan_address(nodenet_node)) << py.out;
    EXPECT_EQ(peer["kubespan"]["address"], kubespan_address(nodenet_node)) << py.out;
    EXPECT_EQ(peer["kubespan"]["public_key"], identity[0]["spec"]["publicKey"]) << py.out;
    EXPECT_EQ(peer["hostname"], "node-1");
    EXPECT_EQ(peer["addresses"], nlohmann::json::array({"10.77.0.11"}));
    EXPECT_EQ(peer["endpoints"][0], "10.77.0.11:51820") << py.out;
    EXPECT_EQ(peer["allowed_ips"], nlohmann::json::array({"10.77.0.11/32", kubespan_address(nodenet_node) + "/128"}));
    EXPECT_EQ(talos_side["prefix"], identity[0]["spec"]["subnet"]) << identity.dump();

    // The Talos side, configured from the script's output only: link `kubespan` (wireguard-go),
    // its ULA /64, the `wg setconf` file; and, as Talos's table 180 does, the peer's node address
    // routed into the tunnel for everything but WireGuard's own packets (fwmark 0x20).
    std::string started = wireguard::testing::start_in(talos, "kubespan");
    ASSERT_EQ(started, "") << started;
    talos.must("link set kubespan mtu 1420 up");
    talos.must("addr add " + talos_address + "/64 dev kubespan");
    auto setconf = talos.run({"wg", "setconf", "kubespan", wg_conf});
    ASSERT_EQ(setconf.exit_code, 0) << setconf.err << read_text(wg_conf);
    talos.must("route add 10.77.0.11/32 dev kubespan table 180");
    talos.must("rule add not fwmark 0x20 lookup 180 priority 32500");

    // nodenet: the Talos peer up, allowed its /128 and its node address.
    auto up = [&] { return peer_states(nodenet_node)["talos-worker-1"] == "up"; };
    ASSERT_TRUE(eventually(up, 40s)) << get(nodenet_node, "kubespanpeerstatuses").dump() << "\n"
                                     << talos.run({"wg", "show", "kubespan", "dump"}).out << "\n"
                                     << one.run({"wg", "show", "kubespan", "dump"}).out << logs();
    auto specs = get(nodenet_node, "kubespanpeerspecs");
    ASSERT_EQ(specs.size(), 1u) << specs.dump();
    EXPECT_EQ(specs[0]["spec"]["label"], "talos-worker-1");
    EXPECT_EQ(specs[0]["metadata"]["id"], talos_side["public_key"]) << specs.dump();
    std::set<std::string> allowed;
    for (const auto& a : specs[0]["spec"]["allowedIPs"]) allowed.insert(a);
    EXPECT_EQ(allowed, (std::set<std::string>{talos_address + "/128", "10.77.0.12/32"})) << specs.dump();
    EXPECT_EQ(peer_endpoints(nodenet_node, "talos-worker-1"), std::vector<std::string>{"10.77.0.12:51820"});

    // Pings both ways, KubeSpan addresses and node addresses, all through the tunnel.
    const std::string nodenet_address = kubespan_address(nodenet_node);
    for (const auto& [from, target] : std::vector<std::pair<const TestNetns*, std::string>>{
             {&one, talos_address}, {&talos, nodenet_address}, {&one, "10.77.0.12"}, {&talos, "10.77.0.11"}}) {
        auto r = from->run({"ping", "-c", "2", "-i", "0.2", "-W", "2", target});
        EXPECT_EQ(r.exit_code, 0) << (from == &one ? "nodenet" : "talos") << " to " << target << ": " << r.out << r.err
                                  << talos.run({"wg", "show", "kubespan", "dump"}).out;
    }
    EXPECT_EQ(counters.packets("clear_icmp"), 0u) << "pings crossed the bridge in clear";
    EXPECT_GT(counters.packets("wireguard"), 8u);
    // The Talos side saw the handshake too, from nodenet's published endpoint.
    auto dump = talos.run({"wg", "show", "kubespan", "dump"}).out;
    EXPECT_NE(dump.find("\t10.77.0.11:51820\t"), std::string::npos) << dump;
}

}  // namespace
}  // namespace nodenet::daemon_test
