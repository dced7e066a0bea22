// The daemon's DHCP links against a real dnsmasq in a peer namespace: readiness waits for the
// lease, the daemon sets the link up itself and asks at once, a restart keeps the lease without a
// flap, SIGTERM keeps or releases it as configured.
#include <gtest/gtest.h>

#include "tests/daemon/daemon_fixture.h"

namespace nodenet::daemon_test {
namespace {

using dhcp_test::DhcpLink;
using dhcp_test::Dnsmasq;
using dhcp_test::kClientLink;

std::string dhcp_config() {
    return std::string("version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n      - interface: ") +
           kClientLink + "\n        dhcp: true\n";
}

bool has_leased_address(const TestNetns& ns) {
    for (const auto& l : ns.ip_json(std::string("-4 addr show dev ") + kClientLink))
        for (const auto& a : l["addr_info"])
            if (a["local"].get<std::string>().rfind("10.77.0.", 0) == 0) return true;
    return false;
}

TEST(DaemonDhcp, ReadyOnlyOnceTheLeaseIsInTheKernel) {
    NODENET_DNSMASQ_OR_SKIP();
    DhcpLink net;
    TempDir dir;
    DaemonMachine m(net.client, dir, false);
    // Down, as at boot: the daemon sets it up itself and must not wait for linkwatch's IFF_RUNNING.
    net.client.must(std::string("link set ") + kClientLink + " down");
    m.write_config(dhcp_config());
    m.start();
    ASSERT_TRUE(m.wait_log("control socket")) << m.log();
    // No server yet: not ready, and status says why.
    ASSERT_TRUE(eventually([&] {
        auto s = m.status();
        return !s["waiting_for"].empty() &&
               s["waiting_for"][0].get<std::string>() == std::string("a DHCPv4 lease on ") + kClientLink;
    }, 5s)) << m.log();
    EXPECT_FALSE(std::filesystem::exists(m.ready_file()));
    EXPECT_FALSE(has_leased_address(net.client));
    Dnsmasq server(net.server, dir.path(), "dnsmasq");
    ASSERT_TRUE(m.wait_ready(20s)) << m.log();
    EXPECT_TRUE(has_leased_address(net.client));
    EXPECT_EQ(read_text(m.ready_file()), "configured: 2 link(s), 1 DHCP lease(s)\n");
    auto s = m.status();
    bool bound = false;
    for (const auto& l : s["links"])
        if (l["name"] == kClientLink)
            for (const auto& d : l["dhcp"]) bound = d["state"] == "bound" && d["lease"].get<std::string>().rfind("10.77.0.", 0) == 0;
    EXPECT_TRUE(bound) << s.dump(2);
    EXPECT_EQ(m.log().find("no carrier"), std::string::npos) << m.log();
    EXPECT_NE(m.events().find("lease v4/" + std::string(kClientLink) + ": bound 10.77.0."), std::string::npos) << m.events();
}

TEST(DaemonDhcp, RestartKeepsTheLeaseWithoutAFlapAndSigtermReleasesOnlyWhenAsked) {
    NODENET_DNSMASQ_OR_SKIP();
    DhcpLink net;
    TempDir dir;
    DaemonMachine m(net.client, dir, false);
    Dnsmasq server(net.server, dir.path(), "dnsmasq");
    m.write_config(dhcp_config());
    m.start();
    ASSERT_TRUE(m.wait_ready(20s)) << m.log();
    ASSERT_TRUE(has_leased_address(net.client));
    m.stop(SIGKILL);
    TempDir mon;
    Background monitor(net.client, {"ip", "-4", "monitor", "address"}, mon.path() / "out", mon.path() / "err");
    m.start();
    ASSERT_TRUE(m.wait_ready(20s)) << m.log();
    // The restarted client confirms the same address (INIT-REBOOT: a REQUEST, never a DISCOVER).
    ASSERT_TRUE(server.wait_for("DHCPACK", 2, 10s)) << server.log();
    EXPECT_EQ(server.count("DHCPDISCOVER"), 1) << server.log();
    EXPECT_EQ(read_text(mon.path() / "out").find("Deleted"), std::string::npos) << read_text(mon.path() / "out");
    EXPECT_TRUE(has_leased_address(net.client));
    // SIGTERM: the lease stays, nothing is released.
    EXPECT_EQ(m.stop(SIGTERM), 0);
    EXPECT_TRUE(has_leased_address(net.client));
    EXPECT_EQ(server.count("DHCPRELEASE"), 0);
    // With --release-on-stop it is released, and the address goes with it.
    m.start({"--release-on-stop"});
    ASSERT_TRUE(m.wait_ready(20s)) << m.log();
    EXPECT_EQ(m.stop(SIGTERM), 0);
    EXPECT_TRUE(server.wait_for("DHCPRELEASE", 1, 5s)) << server.log();
    EXPECT_FALSE(has_leased_address(net.client));
}

}  // namespace
}  // namespace nodenet::daemon_test
