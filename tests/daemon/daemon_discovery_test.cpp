// The daemon's cluster resources without a discovery service: the node identity (created once,
// kept across restarts, never replaced when damaged), the node's addresses, the discovery config,
// and what `get` says without a daemon. The three-node cluster is tests/discovery/cluster_test.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/daemon/daemon_fixture.h"

namespace nodenet::daemon_test {
namespace {

nlohmann::json resources(const DaemonMachine& m, std::vector<std::string> args) {
    args.insert(args.begin(), "get");
    args.push_back("-o");
    args.push_back("json");
    auto r = m.nodenet(args);
    if (r.exit_code != 0) throw std::runtime_error("nodenet get: " + r.err);
    return nlohmann::json::parse(r.out);
}

TEST(DaemonDiscovery, KeepsOneNodeIdentityAndShowsTheNodesAddresses) {
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
    TestNetns ns;
    TempDir dir;
    DaemonMachine m(ns, dir);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();

    auto ids = resources(m, {"identities"});
    ASSERT_EQ(ids.size(), 1u);
    std::string node_id = ids[0]["spec"]["nodeId"];
    EXPECT_GE(node_id.size(), 40u);
    EXPECT_EQ(ids[0]["metadata"]["id"], "local");
    std::filesystem::path file = std::filesystem::path(m.state_dir()) / "node-identity.yaml";
    EXPECT_EQ(read_text(file), "nodeId: " + node_id + "\n");
    struct stat st {};
    ASSERT_EQ(stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto yaml = m.nodenet({"get", "identities", "-o", "yaml"});
    EXPECT_NE(yaml.out.find("spec:\n    nodeId: " + node_id + "\n"), std::string::npos) << yaml.out;

    auto addrs = resources(m, {"nodeaddresses"});
    bool routed = false;
    for (const auto& r : addrs)
        if (r["metadata"]["id"] == "routed") routed = r["spec"]["addresses"] == nlohmann::json::array({"10.5.0.2/24"});
    EXPECT_TRUE(routed) << addrs.dump();

    // Discovery is off (Talos's default): nothing published, nothing known.
    auto config = resources(m, {"discoveryconfig"});
    EXPECT_EQ(config[0]["spec"]["discoveryEnabled"], false);
    EXPECT_TRUE(resources(m, {"affiliates"}).empty());
    EXPECT_TRUE(resources(m, {"members"}).empty());
    auto wrong = m.nodenet({"get", "members", "--namespace", "network"});
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_NE(wrong.err.find("members live in namespace cluster, not network"), std::string::npos) << wrong.err;

    // A restart keeps the identity.
    EXPECT_EQ(m.stop(SIGTERM), 0);
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    EXPECT_EQ(resources(m, {"identities"})[0]["spec"]["nodeId"], node_id);

    // A damaged identity is reported and left alone; the network is configured all the same.
    EXPECT_EQ(m.stop(SIGTERM), 0);
    { std::ofstream(file) << "nodeId: not!base62\n"; }
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    EXPECT_TRUE(m.wait_log("remove it to give this node a new identity")) << m.log();
    EXPECT_EQ(read_text(file), "nodeId: not!base62\n");
    EXPECT_TRUE(resources(m, {"identities"}).empty());
    EXPECT_EQ(m.stop(SIGTERM), 0);

    // Without a daemon, `get` says there is none.
    auto none = m.nodenet({"get", "affiliates"});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_NE(none.err.find("is `nodenet daemon` running?"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace nodenet::daemon_test
