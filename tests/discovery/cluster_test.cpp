// A cluster discovering itself for real: node machines (network, UTS and mount namespaces) each
// running `nodenet daemon`, and a server machine running `nodenet discovery-server`, joined by a
// bridge in the server's namespace. What is checked is what an operator sees: `nodenet get
// affiliates|members` on each node, the events, the server's snapshot. A Talos node written apart
// from nodenet (talos_peer.py: python3-grpcio, python3-cryptography, protobuf by hand) proves the
// wire format both ways.
#include <gtest/gtest.h>

#include <set>

#include "tests/discovery/server_machine.h"

namespace nodenet::daemon_test {
namespace {

constexpr const char* kClusterId = "nodenet-test-cluster-id-0123456789";
constexpr const char* kSecret = "ZzYt0LiUNYumRqwOyymJHDSoSWBtJqXtwHNR9rXU6Q4=";
constexpr const char* kOtherSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

std::string node_config(int i, const std::string& secret = kSecret) {
    return "version: v1alpha1\nmachine:\n  type: " + std::string(i == 1 ? "controlplane" : "worker") +
           "\n  network:\n    hostname: node-" + std::to_string(i) +
           "\n    interfaces:\n      - interface: eth0\n        addresses: [10.77.0." + std::to_string(10 + i) +
           "/24]\ncluster:\n  id: " + kClusterId + "\n  secret: " + secret +
           "\n  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n"
           "      service:\n        endpoint: http://" + kServer + ":3000\n";
}

struct Node {
    TestNetns ns;
    TempDir dir;
    DaemonMachine machine{ns, dir, false};
};

nlohmann::json get(const DaemonMachine& m, const std::string& kind) { return get_resources(m, kind); }

std::set<std::string> hostnames(const DaemonMachine& m, const std::string& kind = "affiliates") {
    std::set<std::string> names;
    for (const auto& r : get(m, kind)) names.insert(r["spec"]["hostname"].get<std::string>());
    return names;
}

std::string node_id(const DaemonMachine& m) {
    auto ids = get(m, "identities");
    return ids.empty() ? "" : ids[0]["spec"]["nodeId"].get<std::string>();
}

class DiscoveryCluster : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
        server_ = std::make_unique<ServerMachine>(server_dir_);
        server_->start();
    }
    Node& add_node(int i, const std::string& secret = kSecret, std::vector<std::string> extra = {}) {
        nodes_.push_back(std::make_unique<Node>());
        Node& n = *nodes_.back();
        server_->plug(n.ns, i);
        n.machine.write_config(node_config(i, secret));
        extra.insert(extra.end(), {"--discovery-ttl", "4", "--discovery-refresh", "2", "--discovery-backoff", "0.2"});
        n.machine.start(extra);
        EXPECT_TRUE(n.machine.wait_ready()) << n.machine.log();
        return n;
    }
    std::string logs() const {
        std::string all = "server: " + read_text(server_->log_path());
        for (const auto& n : nodes_) all += "\nnode: " + n->machine.log();
        return all;
    }

    TempDir server_dir_;
    std::unique_ptr<ServerMachine> server_;
    std::vector<std::unique_ptr<Node>> nodes_;
};

const std::set<std::string> kThree{"node-1", "node-2", "node-3"};

TEST_F(DiscoveryCluster, ThreeNodesFindEachOtherAndSeeNodesLeaveAndDie) {
    for (int i = 1; i <= 3; ++i) add_node(i);
    for (const auto& n : nodes_)
        ASSERT_TRUE(eventually([&] { return hostnames(n->machine) == kThree; }, 15s)) << logs();
    // Members: ID = nodename; the control plane shows its API server port, every node its OS.
    auto members = get(nodes_[1]->machine, "members");
    ASSERT_EQ(members.size(), 3u) << members.dump();
    EXPECT_EQ(members[0]["metadata"]["id"], "node-1");
    EXPECT_EQ(members[0]["spec"]["machineType"], "controlplane");
    EXPECT_EQ(members[0]["spec"]["controlPlane"]["apiServerPort"], 6443);
    EXPECT_EQ(members[0]["spec"]["addresses"], nlohmann::json::array({"10.77.0.11"}));
    EXPECT_FALSE(members[1]["spec"]["operatingSystem"].get<std::string>().empty());
    auto table = nodes_[0]->machine.nodenet({"get", "members"});
    EXPECT_NE(table.out.find("ID       VERSION   HOSTNAME   MACHINE TYPE   OS"), std::string::npos) << table.out;
    // The raw view: one per other node, as the service reported it.
    auto raw = nodes_[0]->machine.nodenet({"get", "affiliates", "--namespace", "cluster-raw", "-o", "json"});
    EXPECT_EQ(nlohmann::json::parse(raw.out).size(), 2u) << raw.out;
    EXPECT_NE(nodes_[0]->machine.events().find("affiliate " + node_id(nodes_[1]->machine) + ": appeared: node-2"),
              std::string::npos);
    auto status = nodes_[0]->machine.status();
    EXPECT_EQ(status["discovery"]["services"][0]["connected"], true) << status.dump();
    EXPECT_EQ(status["discovery"]["services"][0]["client_ip"], "10.77.0.11") << status.dump();

    // `nodenet leave`: gone from the others at once, not after the TTL.
    auto left = nodes_[2]->machine.nodenet({"leave"});
    EXPECT_EQ(left.exit_code, 0) << left.err;
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(eventually([&] { return hostnames(nodes_[0]->machine) == std::set<std::string>{"node-1", "node-2"}; }, 10s))
        << logs();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);  // the TTL is 4 s: the deletion was seen, not the expiry

    // A node killed without a word disappears when its TTL runs out.
    nodes_[1]->machine.stop(SIGKILL);
    ASSERT_TRUE(eventually([&] { return hostnames(nodes_[0]->machine) == std::set<std::string>{"node-1"}; }, 15s)) << logs();
    EXPECT_NE(nodes_[0]->machine.events().find(": left"), std::string::npos);
}

TEST_F(DiscoveryCluster, AnotherSecretIsInvisibleAndATalosNodeIsSeenBothWays) {
    Node& one = add_node(1);
    Node& two = add_node(2);
    Node& stranger = add_node(3, kOtherSecret);
    ASSERT_TRUE(eventually([&] { return hostnames(one.machine) == std::set<std::string>{"node-1", "node-2"}; }, 15s)) << logs();
    // Same cluster ID, other secret: each side skips the other's affiliate and says so.
    std::string stranger_id = node_id(stranger.machine);
    ASSERT_TRUE(one.machine.wait_log("skipped affiliate " + stranger_id)) << one.machine.log();
    EXPECT_EQ(hostnames(stranger.machine), std::set<std::string>{"node-3"});
    EXPECT_EQ(hostnames(two.machine), (std::set<std::string>{"node-1", "node-2"}));

    // A Talos worker, written apart from nodenet, in the server's namespace.
    const char* python = "/usr/bin/python3";
    if (server_->ns().run({python, "-c", "import grpc, cryptography"}).exit_code != 0)
        GTEST_SKIP() << "no python3-grpcio / python3-cryptography (scripts/setup installs them)";
    std::string script = std::string(NODENET_SOURCE_DIR) + "/tests/discovery/talos_peer.py";
    auto talos = server_->ns().run({python, script, "--endpoint", std::string(kServer) + ":3000", "--cluster-id", kClusterId,
                                    "--secret", kSecret, "--node-id", "TalosNodeTalosNodeTalosNodeTalosNodeTalos1",
                                    "--hostname", "talos-worker-1", "--address", "10.77.0.99", "--expect", "2",
                                    "--timeout", "20"},
                                   40s);
    ASSERT_EQ(talos.exit_code, 0) << talos.out << talos.err << logs();
    auto seen = nlohmann::json::parse(talos.out);
    // The Talos node read nodenet's affiliates...
    const auto& a = seen["affiliates"][node_id(one.machine)];
    EXPECT_EQ(a["hostname"], "node-1");
    EXPECT_EQ(a["nodename"], "node-1");
    EXPECT_EQ(a["machine_type"], "controlplane");
    EXPECT_EQ(a["addresses"], nlohmann::json::array({"10.77.0.11"}));
    EXPECT_EQ(a["api_server_port"], 6443);
    EXPECT_NE(std::find(seen["skipped"].begin(), seen["skipped"].end(), stranger_id), seen["skipped"].end());
    // ...and nodenet read the Talos node's.
    ASSERT_TRUE(eventually([&] { return hostnames(one.machine).count("talos-worker-1") == 1; }, 10s)) << logs();
    bool found = false;
    for (const auto& m : get(two.machine, "members"))
        if (m["metadata"]["id"] == "talos-worker-1") {
            found = true;
            EXPECT_EQ(m["spec"]["operatingSystem"], "Talos (v1.11.0)");
            EXPECT_EQ(m["spec"]["addresses"], nlohmann::json::array({"10.77.0.99"}));
        }
    EXPECT_TRUE(found) << get(two.machine, "members").dump();
}

TEST_F(DiscoveryCluster, SurvivesTheServerRestartingFromItsSnapshot) {
    Node& one = add_node(1);
    add_node(2);
    ASSERT_TRUE(eventually([&] { return hostnames(one.machine) == std::set<std::string>{"node-1", "node-2"}; }, 15s)) << logs();
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    ASSERT_TRUE(std::filesystem::exists(server_->snapshot())) << logs();
    ASSERT_TRUE(eventually([&] { return !one.machine.status()["discovery"]["services"][0]["connected"].get<bool>(); }, 10s))
        << logs();
    server_->start();
    ASSERT_TRUE(eventually([&] { return one.machine.status()["discovery"]["services"][0]["connected"].get<bool>(); }, 15s))
        << logs();
    EXPECT_EQ(hostnames(one.machine), (std::set<std::string>{"node-1", "node-2"}));
    std::string events = one.machine.events();
    EXPECT_NE(events.find("disconnected"), std::string::npos) << events;
}

}  // namespace
}  // namespace nodenet::daemon_test
