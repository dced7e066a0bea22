// A lease as the DHCP layer: what Talos's DHCPv4 operator emits, plus lifetimes from the lease.
#include "state/from_dhcp4.h"

#include <gtest/gtest.h>

#include "plan/render.h"

namespace nodenet::state {
namespace {

using namespace std::chrono_literals;

IpPrefix prefix(const char* text) { return *parse_ip_prefix(text); }
IpAddress ip(const char* text) { return *parse_ip_address(text); }

dhcp::Lease lease_at(dhcp::TimePoint t) {
    dhcp::Lease l;
    l.address = prefix("192.168.50.23/24");
    l.server_id = ip("192.168.50.1");
    l.routers = {ip("192.168.50.1"), ip("192.168.50.2")};
    l.mtu = 1400;
    l.lease_time = 3600s;
    l.t1 = 1800s;
    l.t2 = 3150s;
    l.acquired_at = t;
    return l;
}

std::vector<std::string> routes_of(const LayeredSpecs& s) {
    std::vector<std::string> out;
    for (const Route& r : s.routes) {
        std::string line = r.destination.str() + (r.gateway ? " via " + r.gateway->str() : "") +
                           (r.scope == RouteScope::Link ? " scope link" : "") + " src " + r.source->str() +
                           " metric " + std::to_string(r.metric);
        out.push_back(line);
    }
    return out;
}

TEST(FromDhcp4, AddressLinkAndDefaultRouteThroughTheFirstRouter) {
    dhcp::TimePoint t0{};
    LayeredSpecs s = specs_from_dhcp4("eth0", lease_at(t0), {100, false}, t0 + 600s);
    ASSERT_EQ(s.addresses.size(), 1u);
    const Address& a = s.addresses[0];
    EXPECT_EQ(a.prefix.str(), "192.168.50.23/24");
    EXPECT_EQ(a.priority, 100u);
    EXPECT_EQ(a.valid_lifetime, 3000u);  // an hour's lease, ten minutes in
    EXPECT_EQ(a.preferred_lifetime, 3000u);
    EXPECT_EQ(a.origin.layer, Layer::Operator);
    EXPECT_EQ(a.origin.source, "dhcp4/eth0");
    ASSERT_EQ(s.links.size(), 1u);
    EXPECT_EQ(s.links[0].mtu, 1400u);
    EXPECT_EQ(s.links[0].up, true);
    EXPECT_EQ(routes_of(s), (std::vector<std::string>{"0.0.0.0/0 via 192.168.50.1 src 192.168.50.23 metric 100"}));
}

TEST(FromDhcp4, ClasslessRoutesWithOnLinkHelpersForGatewaysOutsideTheSubnet) {
    dhcp::TimePoint t0{};
    dhcp::Lease l = lease_at(t0);
    l.address = prefix("169.254.7.9/32");  // AWS IPv6-only subnets lease a /32
    l.classless_routes = {{prefix("0.0.0.0/0"), ip("169.254.0.1")},
                          {prefix("10.0.0.0/8"), ip("169.254.0.1")},
                          {prefix("172.16.0.0/12"), ip("0.0.0.0")}};
    l.routers.clear();
    LayeredSpecs s = specs_from_dhcp4("eth0", l, {}, t0);
    EXPECT_EQ(routes_of(s), (std::vector<std::string>{
                                "169.254.0.1/32 scope link src 169.254.7.9 metric 1024",
                                "0.0.0.0/0 via 169.254.0.1 src 169.254.7.9 metric 1024",
                                "10.0.0.0/8 via 169.254.0.1 src 169.254.7.9 metric 1024",
                                "172.16.0.0/12 scope link src 169.254.7.9 metric 1024",
                            }));
}

TEST(FromDhcp4, IgnoreRoutesAndInfiniteLeases) {
    dhcp::TimePoint t0{};
    dhcp::Lease l = lease_at(t0);
    l.lease_time = dhcp::kInfiniteDuration;
    LayeredSpecs s = specs_from_dhcp4("eth0", l, {1024, true}, t0 + 10h);
    EXPECT_TRUE(s.routes.empty());
    ASSERT_EQ(s.addresses.size(), 1u);
    EXPECT_FALSE(s.addresses[0].valid_lifetime);  // forever
}

TEST(FromDhcp4, AnExpiredLeaseHasNoTimeLeft) {
    dhcp::TimePoint t0{};
    LayeredSpecs s = specs_from_dhcp4("eth0", lease_at(t0), {}, t0 + 2h);
    EXPECT_EQ(s.addresses[0].valid_lifetime, 0u);
}

}  // namespace
}  // namespace nodenet::state
