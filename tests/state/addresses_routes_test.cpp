// specs_from_config: addresses and routes of v1alpha1 devices and of LinkConfig documents.
#include <gtest/gtest.h>

#include "state/from_config.h"
#include "tests/state/state_fixtures.h"

namespace nodenet::state {
namespace {

using testing::any_contains;
using testing::ip;
using testing::machine_network;
using testing::parse_config;
using testing::prefix;
using testing::test_kernel;
using testing::where;

LayeredSpecs specs_of(const std::string& yaml) {
    auto r = specs_from_config(parse_config(yaml), test_kernel());
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? std::move(*r) : LayeredSpecs{};
}

LayeredSpecs device_specs(const std::string& device) {
    return specs_of(machine_network("    interfaces:\n      - interface: eth0\n" + device));
}

TEST(AddressesFromConfig, EveryFormWithItsPath) {
    LayeredSpecs s = device_specs(R"(        addresses: [10.0.0.5/24, 10.0.0.6, 2001:db8::5/64, 2001:db8::6]
)");
    ASSERT_EQ(s.addresses.size(), 4u);
    EXPECT_EQ(s.addresses[0].prefix, prefix("10.0.0.5/24"));  // host bits kept: it is the interface address
    EXPECT_EQ(s.addresses[1].prefix, prefix("10.0.0.6/32"));  // a bare IP is a full-length prefix
    EXPECT_EQ(s.addresses[2].prefix, prefix("2001:db8::5/64"));
    EXPECT_EQ(s.addresses[3].prefix, prefix("2001:db8::6/128"));
    for (const Address& a : s.addresses) {
        EXPECT_EQ(a.link, "eth0");
        EXPECT_EQ(a.priority, 0u);  // static addresses: prefix route priority 0
        EXPECT_EQ(a.origin.layer, Layer::Configuration);
    }
    EXPECT_EQ(s.addresses[1].origin.source, "machine.network.interfaces[0].addresses[1]");
}

TEST(AddressesFromConfig, DeprecatedCidr) {
    LayeredSpecs s = device_specs("        cidr: 192.168.1.5/24\n");
    ASSERT_EQ(s.addresses.size(), 1u);
    EXPECT_EQ(s.addresses[0].prefix, prefix("192.168.1.5/24"));
    EXPECT_EQ(s.addresses[0].origin.source, "machine.network.interfaces[0].cidr");
}

TEST(RoutesFromConfig, DefaultRoutesBothFamilies) {
    LayeredSpecs s = device_specs(R"(        routes:
          - network: 0.0.0.0/0
            gateway: 10.0.0.1
          - gateway: 10.0.0.2
            metric: 200
          - network: ::/0
            gateway: 2001:db8::1
          - gateway: fe80::1
            metric: 300
)");
    ASSERT_EQ(s.routes.size(), 4u);
    const char* want_dst[] = {"0.0.0.0/0", "0.0.0.0/0", "::/0", "::/0"};
    const Family want_family[] = {Family::V4, Family::V4, Family::V6, Family::V6};
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(s.routes[i].destination.str(), want_dst[i]) << i;
        EXPECT_EQ(s.routes[i].family, want_family[i]) << i;
        EXPECT_EQ(s.routes[i].scope, RouteScope::Universe) << i;
        EXPECT_EQ(s.routes[i].table, kMainTable) << i;
        EXPECT_EQ(s.routes[i].link, "eth0") << i;
    }
    EXPECT_EQ(s.routes[1].gateway, ip("10.0.0.2"));
    EXPECT_EQ(s.routes[3].gateway, ip("fe80::1"));
    EXPECT_EQ(s.routes[2].origin.source, "machine.network.interfaces[0].routes[2]");
}

TEST(RoutesFromConfig, NoGatewayMeansScopeLink) {
    LayeredSpecs s = device_specs(R"(        routes:
          - network: 10.1.0.0/16
          - network: 10.2.0.0/16
            gateway: 0.0.0.0
          - network: 2001:db8:1::/48
            gateway: "::"
          - network: 10.3.0.0/16
            gateway: 10.0.0.1
)");
    ASSERT_EQ(s.routes.size(), 4u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_FALSE(s.routes[i].gateway) << i;
        EXPECT_EQ(s.routes[i].scope, RouteScope::Link) << i;
    }
    EXPECT_EQ(s.routes[2].family, Family::V6);
    EXPECT_EQ(s.routes[3].scope, RouteScope::Universe);
}

TEST(RoutesFromConfig, DefaultRouteWithoutGatewayKeepsScopeUniverse) {
    LayeredSpecs s = device_specs(R"(        routes:
          - network: 0.0.0.0/0
)");
    ASSERT_EQ(s.routes.size(), 1u);
    EXPECT_FALSE(s.routes[0].gateway);
    EXPECT_EQ(s.routes[0].scope, RouteScope::Universe);
}

TEST(RoutesFromConfig, MetricSourceMtu) {
    LayeredSpecs s = device_specs(R"(        routes:
          - network: 172.16.0.0/12
            gateway: 10.0.0.254
          - network: 172.17.0.0/16
            gateway: 10.0.0.254
            metric: 100
            source: 10.0.0.5
            mtu: 1400
          - network: 172.18.0.0/16
            gateway: 10.0.0.254
            source: 0.0.0.0
)");
    ASSERT_EQ(s.routes.size(), 3u);
    EXPECT_EQ(s.routes[0].metric, kDefaultRouteMetric);  // metric 0 -> 1024
    EXPECT_EQ(s.routes[0].mtu, 0u);
    EXPECT_FALSE(s.routes[0].source);
    EXPECT_EQ(s.routes[1].metric, 100u);
    EXPECT_EQ(s.routes[1].source, ip("10.0.0.5"));
    EXPECT_EQ(s.routes[1].mtu, 1400u);
    EXPECT_FALSE(s.routes[2].source);  // an unspecified source is no source
}

TEST(RoutesFromConfig, LoopbackDestinationIsHostScope) {
    LayeredSpecs s = device_specs(R"(        routes:
          - network: 127.0.0.0/8
            gateway: 10.0.0.1
)");
    ASSERT_EQ(s.routes.size(), 1u);
    EXPECT_EQ(s.routes[0].scope, RouteScope::Host);
}

TEST(RoutesFromConfig, HostBitsOfADestinationAreClearedWithAWarning) {
    LayeredSpecs s = device_specs(R"(        routes:
          - network: 10.1.2.3/16
            gateway: 10.0.0.1
)");
    ASSERT_EQ(s.routes.size(), 1u);
    EXPECT_EQ(s.routes[0].destination, prefix("10.1.0.0/16"));
    EXPECT_TRUE(any_contains(s.warnings, "machine.network.interfaces[0].routes[0]: destination 10.1.2.3/16 has host "
                                         "bits set; routing 10.1.0.0/16"));
}

TEST(RoutesFromConfig, MixedFamiliesAreAnErrorNamingTheRoute) {
    // Validation only warns (nodenet's beyond-Talos check); the kernel would refuse the route.
    auto r = specs_from_config(parse_config(machine_network(R"(    interfaces:
      - interface: eth0
        routes:
          - network: 10.0.0.0/8
            gateway: 2001:db8::1
)")),
                               test_kernel());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(),
              "machine.network.interfaces[0].routes[0]: destination 10.0.0.0/8 is IPv4 but gateway 2001:db8::1 is "
              "IPv6");
}

TEST(LinkConfigDocument, LinkAddressesRoutes) {
    LayeredSpecs s = specs_of(R"(apiVersion: v1alpha1
kind: LinkConfig
name: eth1
mtu: 9000
addresses:
  - address: 10.10.0.27/24
  - address: 2001:db8::27/64
    routePriority: 50
routes:
  - gateway: 10.10.0.1
  - destination: 10.20.0.0/16
    gateway: 10.10.0.2
    table: local
    metric: 10
  - destination: 10.30.0.0/16
    table: "100"
  - destination: 10.40.0.0/16
    gateway: 10.10.0.3
    table: main
    source: 10.10.0.27
    mtu: 1300
)");
    ASSERT_EQ(s.links.size(), 1u);
    EXPECT_EQ(s.links[0].name, "eth1");
    EXPECT_EQ(s.links[0].up, true);
    EXPECT_EQ(s.links[0].mtu, 9000u);
    EXPECT_EQ(s.links[0].origin.source, "LinkConfig[eth1]");

    ASSERT_EQ(s.addresses.size(), 2u);
    EXPECT_EQ(s.addresses[0].priority, 0u);
    EXPECT_EQ(s.addresses[1].priority, 50u);  // routePriority
    EXPECT_EQ(s.addresses[1].origin.source, "LinkConfig[eth1].addresses[1]");

    ASSERT_EQ(s.routes.size(), 4u);
    EXPECT_EQ(s.routes[0].destination.str(), "0.0.0.0/0");
    EXPECT_EQ(s.routes[0].metric, kDefaultRouteMetric);
    EXPECT_EQ(s.routes[1].table, 255u);
    EXPECT_EQ(s.routes[1].metric, 10u);
    EXPECT_EQ(s.routes[2].table, 100u);
    EXPECT_EQ(s.routes[2].scope, RouteScope::Link);
    EXPECT_EQ(s.routes[3].table, kMainTable);
    EXPECT_EQ(s.routes[3].source, ip("10.10.0.27"));
    EXPECT_EQ(s.routes[3].mtu, 1300u);
    EXPECT_EQ(s.routes[3].origin.source, "LinkConfig[eth1].routes[3]");
    for (const Route& r : s.routes) EXPECT_EQ(r.link, "eth1");
}

TEST(LinkConfigDocument, UpFalseIsKept) {
    LayeredSpecs s = specs_of("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\nup: false\n");
    ASSERT_EQ(s.links.size(), 1u);
    EXPECT_EQ(s.links[0].up, false);
    EXPECT_FALSE(s.links[0].mtu);  // not written: left as it is
}

TEST(LinkConfigDocument, MulticastIsNotAppliedYetAndSaysSo) {
    LayeredSpecs s = specs_of("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\nmulticast: true\n");
    EXPECT_TRUE(any_contains(s.warnings, "LinkConfig[eth1].multicast: nodenet does not apply the multicast flag yet"));
}

TEST(LinkConfigDocument, UnknownTableIsAnError) {
    auto r = specs_from_config(parse_config(R"(apiVersion: v1alpha1
kind: LinkConfig
name: eth1
routes:
  - destination: 10.20.0.0/16
    gateway: 10.10.0.2
    table: wan
)"),
                               test_kernel());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(),
              "LinkConfig[eth1].routes[0].table: unknown routing table \"wan\" (use main, local, default or a number)");
}

TEST(SpecsFromConfig, EveryErrorIsReportedOnItsOwnLine) {
    auto r = specs_from_config(parse_config(machine_network(R"(    interfaces:
      - interface: eth0
        mtu: -1
        routes:
          - network: 10.0.0.0/8
            gateway: 2001:db8::1
)")),
                               test_kernel());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(),
              "machine.network.interfaces[0].mtu: MTU -1 is out of range\n"
              "machine.network.interfaces[0].routes[0]: destination 10.0.0.0/8 is IPv4 but gateway 2001:db8::1 is "
              "IPv6");
}

TEST(SpecsFromConfig, VlanAddressesAndRoutesAreOnTheVlanLink) {
    LayeredSpecs s = device_specs(R"(        vlans:
          - vlanId: 42
            addresses: [192.168.42.11/24, 192.168.42.12]
            routes:
              - network: 192.168.0.0/16
                gateway: 192.168.42.1
          - vlanId: 43
            cidr: 192.168.43.11/24
)");
    auto v42 = where(s.addresses, "eth0.42");
    ASSERT_EQ(v42.size(), 2u);
    EXPECT_EQ(v42[0].prefix, prefix("192.168.42.11/24"));
    // Talos skips a bare VLAN address; nodenet applies it as a full-length prefix.
    EXPECT_EQ(v42[1].prefix, prefix("192.168.42.12/32"));
    EXPECT_EQ(v42[1].origin.source, "machine.network.interfaces[0].vlans[0].addresses[1]");
    ASSERT_EQ(where(s.addresses, "eth0.43").size(), 1u);
    ASSERT_EQ(where(s.routes, "eth0.42").size(), 1u);
    EXPECT_EQ(s.routes[0].gateway, ip("192.168.42.1"));
    EXPECT_TRUE(where(s.addresses, "eth0").empty());
}

}  // namespace
}  // namespace nodenet::state
