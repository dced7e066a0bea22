// Single-value conversions: routing table names, and values validation lets through that the
// kernel would refuse.
#include <gtest/gtest.h>

#include "state/config_values.h"
#include "state/from_config.h"
#include "tests/state/state_fixtures.h"

namespace nodenet::state {
namespace {

config::Text text(const std::string& value, const std::string& path = "LinkConfig[eth0].routes[0].table") {
    config::Text t;
    t.value = value;
    t.present = true;
    t.src.path = path;
    return t;
}

TEST(RouteTable, NamesAndNumbers) {
    EXPECT_EQ(*route_table(text("")), kMainTable);
    EXPECT_EQ(*route_table(text("main")), kMainTable);
    EXPECT_EQ(*route_table(text("local")), 255u);
    EXPECT_EQ(*route_table(text("default")), 253u);
    EXPECT_EQ(*route_table(text("180")), 180u);
    // The kernel files routes for table 0 ("unspec") into main.
    EXPECT_EQ(*route_table(text("unspec")), kMainTable);
    EXPECT_EQ(*route_table(text("0")), kMainTable);
    EXPECT_FALSE(route_table(text("Main")).ok());
    EXPECT_FALSE(route_table(text("-1")).ok());
    EXPECT_FALSE(route_table(text("4294967296")).ok());
}

TEST(MakeRoute, SourceOfAnotherFamilyIsAnError) {
    std::vector<std::string> warnings;
    auto r = make_route(RouteText{"2001:db8::/32", "", "10.0.0.5"}, "eth0", Origin{Layer::Configuration, "x"}, warnings);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "x: source 10.0.0.5 is IPv4 but destination 2001:db8::/32 is IPv6");
}

TEST(WireguardValues, OutOfRangeNumbersAreErrors) {
    auto r = specs_from_config(testing::parse_config(testing::machine_network(R"(    interfaces:
      - interface: wg0
        wireguard:
          privateKey: ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq=
          listenPort: 70000
)")),
                               testing::test_kernel());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "machine.network.interfaces[0].wireguard.listenPort: listen port 70000 is out of range");

    auto k = specs_from_config(testing::parse_config(testing::machine_network(R"(    interfaces:
      - interface: wg0
        wireguard:
          privateKey: ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq=
          peers:
            - publicKey: bcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ8=
              persistentKeepaliveInterval: -5s
)")),
                               testing::test_kernel());
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.error(),
              "machine.network.interfaces[0].wireguard.peers[0].persistentKeepaliveInterval: persistent keepalive "
              "interval out of range (0 to 65535 s)");
}

}  // namespace
}  // namespace nodenet::state
