// Leases through plan and apply, against a real dnsmasq: `nodenet apply` on a config with a DHCP
// link, and `nodenet dhcp --once --apply`. `ip -j` reads back what the kernel holds.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/dhcp/dnsmasq_fixture.h"

namespace nodenet::dhcp_test {
namespace {

using cli_test::TempDir;

class DhcpApply : public testing::Test {
protected:
    void SetUp() override {
        NODENET_DNSMASQ_OR_SKIP();
        link_.emplace();
    }

    const TestNetns& client() const { return link_->client; }
    std::string state_dir() const { return (dir_.path() / "state").string(); }

    std::string write_config(const std::string& network) const {
        std::string path = (dir_.path() / "config.yaml").string();
        std::ofstream(path) << "version: v1alpha1\nmachine:\n  type: worker\n  network:\n" << network;
        return path;
    }

    // The client link's IPv4 address as `ip -j` shows it, or null.
    nlohmann::json address() const {
        for (const auto& l : client().ip_json(std::string("-4 addr show dev ") + kClientLink))
            for (const auto& a : l["addr_info"]) return a;
        return nullptr;
    }

    std::vector<std::string> routes() const {
        std::vector<std::string> out;
        for (const auto& r : client().ip_json(std::string("-4 route show dev ") + kClientLink)) {
            if (r.value("protocol", "") != "110") continue;
            out.push_back(r["dst"].get<std::string>() + (r.contains("gateway") ? " via " + r["gateway"].get<std::string>() : "") +
                          " src " + r.value("prefsrc", "-") + " metric " + std::to_string(r.value("metric", 0)));
        }
        return out;
    }

    TempDir dir_;
    std::optional<DhcpLink> link_;
};

TEST_F(DhcpApply, ApplyObtainsTheLeaseAndInstallsItWithItsLifetimes) {
    Dnsmasq server(link_->server, dir_.path(), "dnsmasq");
    std::string config = write_config(std::string("    interfaces:\n      - interface: ") + kClientLink +
                                      "\n        dhcp: true\n        dhcpOptions:\n          routeMetric: 100\n");
    auto r = client().run({NODENET_BINARY, "apply", "-c", config, "--state-dir", state_dir()}, 60s);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Applied with 1 DHCP lease(s)"), std::string::npos) << r.out;
    auto a = address();
    ASSERT_FALSE(a.is_null()) << "no address on the link";
    std::string ip = a["local"];
    EXPECT_TRUE(ip.starts_with("10.77.0.")) << ip;
    EXPECT_EQ(a["prefixlen"], 24);
    // A 2-minute lease: the kernel drops the address when it runs out, even if nodenet is gone.
    EXPECT_GT(a["valid_life_time"].get<int64_t>(), 100);
    EXPECT_LE(a["valid_life_time"].get<int64_t>(), 120);
    EXPECT_EQ(routes(), (std::vector<std::string>{"default via 10.77.0.1 src " + ip + " metric 100",
                                                  "10.99.0.0/16 via 10.77.0.254 src " + ip + " metric 100"}));
    EXPECT_EQ(client().ip_json(std::string("link show dev ") + kClientLink)[0]["mtu"], 1400);  // option 26
    EXPECT_EQ(server.count("DHCPACK("), 1);

    // Again: the saved lease is confirmed (INIT-REBOOT), the address stays and is kept alive.
    auto again = client().run({NODENET_BINARY, "apply", "-c", config, "--state-dir", state_dir()}, 60s);
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(address()["local"], ip);
    EXPECT_EQ(again.out.find("- address"), std::string::npos) << again.out;
    EXPECT_EQ(server.count("DHCPACK("), 2);
}

TEST_F(DhcpApply, OnceApplyInstallsTheLeaseWithoutAConfig) {
    Dnsmasq server(link_->server, dir_.path(), "dnsmasq");
    auto r = client().run({NODENET_BINARY, "dhcp", kClientLink, "--once", "--apply", "--metric", "300", "--state-dir",
                           state_dir()},
                          60s);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto a = address();
    ASSERT_FALSE(a.is_null()) << r.err;
    std::string ip = a["local"];
    EXPECT_EQ(routes(), (std::vector<std::string>{"default via 10.77.0.1 src " + ip + " metric 300",
                                                  "10.99.0.0/16 via 10.77.0.254 src " + ip + " metric 300"}));
}

}  // namespace
}  // namespace nodenet::dhcp_test
