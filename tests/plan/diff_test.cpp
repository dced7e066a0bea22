#include "plan/diff.h"

#include <gtest/gtest.h>

#include "plan/render.h"

namespace nodenet::plan {
namespace {

using namespace state;

IpPrefix prefix(const char* text) { return *parse_ip_prefix(text); }
IpAddress ip(const char* text) { return *parse_ip_address(text); }

ObservedLink observed_link(int index, const char* name, uint32_t mtu = 1500, bool up = true) {
    ObservedLink l;
    l.index = index;
    l.name = name;
    l.mtu = mtu;
    l.up = up;
    return l;
}

Link existing(const char* name, std::optional<uint32_t> mtu = std::nullopt) {
    Link l;
    l.name = name;
    l.up = true;
    l.mtu = mtu;
    l.origin.source = std::string("machine.network.interfaces[") + name + "]";
    return l;
}

Route route(const char* link, const char* dst, const char* gw, uint32_t metric = kDefaultRouteMetric) {
    Route r;
    r.link = link;
    r.destination = prefix(dst);
    r.family = r.destination.family();
    if (gw) r.gateway = ip(gw);
    r.metric = metric;
    r.origin.source = "routes";
    return r;
}

ObservedRoute observed(const Route& r, int link_index, uint8_t protocol) {
    ObservedRoute o;
    o.family = r.family;
    o.destination = r.destination;
    o.gateway = r.gateway;
    o.link_index = link_index;
    o.metric = r.metric;
    o.protocol = protocol;
    o.table = r.table;
    return o;
}

void add(DesiredState& d, const Link& l) { d.links[l.name] = l; }
void add(DesiredState& d, const Address& a) { d.addresses[a.key()] = a; }
void add(DesiredState& d, const Route& r) { d.routes[r.key()] = r; }

std::vector<std::string> lines(const Plan& p) {
    std::vector<std::string> out;
    for (const Operation& op : p.operations) out.push_back(op.link() + " " + describe(op));
    return out;
}

struct PlanDiff : testing::Test {
    DesiredState desired;
    KernelState kernel;
    Ownership owned;

    void SetUp() override {
        kernel.links = {observed_link(1, "lo", 65536), observed_link(2, "eth0"), observed_link(3, "eth1", 1500, false)};
    }
};

TEST_F(PlanDiff, InSyncGivesAnEmptyPlan) {
    add(desired, existing("eth0", 1500));
    Address a{"eth0", prefix("10.0.0.5/24"), 0, {}};
    add(desired, a);
    kernel.addresses.push_back({2, a.prefix, kNodenetProtocol});
    Route r = route("eth0", "0.0.0.0/0", "10.0.0.1");
    add(desired, r);
    kernel.routes.push_back(observed(r, 2, kNodenetProtocol));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty()) << render_text(p, false);
    EXPECT_TRUE(p.conflicts.empty());
}

TEST_F(PlanDiff, OrdersLinksAddressesRoutesAndRemovalsFirstInReverse) {
    add(desired, existing("eth1", 9000));
    Link br;
    br.name = "br0";
    br.kind = LinkKind::Bridge;
    br.bridge = BridgeSettings{true, false};
    br.up = true;
    add(desired, br);
    add(desired, Address{"eth1", prefix("10.1.0.5/24"), 0, {}});
    add(desired, route("eth1", "10.9.0.0/16", "10.1.0.1"));
    // Left over from an earlier apply: nodenet's, no longer wanted.
    kernel.addresses.push_back({2, prefix("192.168.9.9/24"), kNodenetProtocol});
    kernel.routes.push_back(observed(route("eth0", "10.8.0.0/16", "192.168.9.1"), 2, kNodenetProtocol));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{
                            "eth0 - route 10.8.0.0/16 via 192.168.9.1 metric 1024",
                            "eth0 - address 192.168.9.9/24",
                            "br0 + link bridge (stp on, vlan filtering off), up",
                            "eth1 ~ down -> up, mtu 1500 -> 9000",
                            "eth1 + address 10.1.0.5/24",
                            "eth1 + route 10.9.0.0/16 via 10.1.0.1 metric 1024",
                        }));
}

TEST_F(PlanDiff, ForeignAddressesAndRoutesSurvive) {
    add(desired, existing("eth0"));
    kernel.addresses.push_back({2, prefix("10.0.0.7/24"), 0});                 // a person's
    kernel.addresses.push_back({2, prefix("fe80::1/64"), 3});                  // kernel link-local
    kernel.routes.push_back(observed(route("eth0", "10.7.0.0/16", "10.0.0.1"), 2, 4));  // proto static
    kernel.routes.push_back(observed(route("eth0", "0.0.0.0/0", "10.0.0.1"), 2, 16));   // a DHCP client
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty()) << render_text(p, false);
}

TEST_F(PlanDiff, ChangingOneAddressAndOneMetricTouchesExactlyThose) {
    add(desired, existing("eth0"));
    add(desired, Address{"eth0", prefix("10.0.0.6/24"), 0, {}});
    add(desired, route("eth0", "10.5.0.0/16", "10.0.0.1", 200));
    kernel.addresses.push_back({2, prefix("10.0.0.5/24"), kNodenetProtocol});
    kernel.routes.push_back(observed(route("eth0", "10.5.0.0/16", "10.0.0.1", 100), 2, kNodenetProtocol));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{
                            "eth0 - route 10.5.0.0/16 via 10.0.0.1 metric 100",
                            "eth0 - address 10.0.0.5/24",
                            "eth0 + address 10.0.0.6/24",
                            "eth0 + route 10.5.0.0/16 via 10.0.0.1 metric 200",
                        }));
}

TEST_F(PlanDiff, SameKeyOtherGatewayIsAReplace) {
    add(desired, existing("eth0"));
    add(desired, route("eth0", "0.0.0.0/0", "10.0.0.2"));
    kernel.routes.push_back(observed(route("eth0", "0.0.0.0/0", "10.0.0.1"), 2, kNodenetProtocol));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{
                            "eth0 ~ route default via 10.0.0.1 metric 1024 -> default via 10.0.0.2 metric 1024"}));
}

TEST_F(PlanDiff, ForeignRouteHoldingTheKeyIsAConflictNotAnOperation) {
    add(desired, existing("eth0"));
    add(desired, route("eth0", "0.0.0.0/0", "10.0.0.2"));
    kernel.routes.push_back(observed(route("eth0", "0.0.0.0/0", "10.0.0.1"), 2, 16));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty());
    ASSERT_EQ(p.conflicts.size(), 1u);
    EXPECT_EQ(p.conflicts[0].holder, "a route to it with that metric exists, added by a DHCP client");
}

TEST_F(PlanDiff, MissingDeviceIsAWarningAndItsObjectsWait) {
    add(desired, existing("eth9"));
    add(desired, Address{"eth9", prefix("10.0.0.5/24"), 0, {}});
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty());
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("eth9: link not found"), std::string::npos);
}

TEST_F(PlanDiff, LinksNodenetCreatedAreRemovedVlansFirst) {
    Link bond;
    bond.name = "bond0";
    bond.kind = LinkKind::Bond;
    Link vlan;
    vlan.name = "bond0.10";
    vlan.kind = LinkKind::Vlan;
    vlan.vlan = VlanSettings{"bond0", 10, false};
    owned.created_links = {bond, vlan};
    kernel.links.push_back(observed_link(7, "bond0"));
    kernel.links.push_back(observed_link(8, "bond0.10"));
    kernel.links.push_back(observed_link(9, "br-foreign"));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{"bond0.10 - link vlan on bond0 id 10", "bond0 - link bond"}));
}

TEST_F(PlanDiff, ForeignLinkOfTheSameNameIsAConflict) {
    Link br;
    br.name = "eth1";
    br.kind = LinkKind::Bridge;
    add(desired, br);
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty());
    ASSERT_EQ(p.conflicts.size(), 1u);
}

// Kernels before 5.18 drop IFA_PROTO: the addresses nodenet added read back with protocol 0, and
// the state directory's record is what tells them from an administrator's.
struct OldKernelAddresses : testing::Test {
    DesiredState desired;
    KernelState kernel;
    Ownership owned;

    void SetUp() override {
        kernel.links = {observed_link(2, "eth0")};
        add(desired, existing("eth0"));
        kernel.addresses.push_back({2, prefix("10.0.0.5/24"), 0});  // nodenet's, recorded
        kernel.addresses.push_back({2, prefix("10.0.0.9/24"), 0});  // an administrator's
        owned.recorded_addresses.insert({"eth0", prefix("10.0.0.5/24")});
    }
};

TEST_F(OldKernelAddresses, ARecordedAddressIsRemovedWhenDroppedAndAnUnrecordedOneStays) {
    EXPECT_EQ(lines(make_plan(desired, kernel, owned)), (std::vector<std::string>{"eth0 - address 10.0.0.5/24"}));
}

TEST_F(OldKernelAddresses, ARecordedAddressStillWantedIsInSync) {
    add(desired, Address{"eth0", prefix("10.0.0.5/24"), 0, {}});
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty());
    EXPECT_TRUE(p.warnings.empty()) << p.warnings.front();
}

TEST_F(OldKernelAddresses, WithoutTheRecordBothAreForeign) {
    owned.recorded_addresses.clear();
    add(desired, Address{"eth0", prefix("10.0.0.5/24"), 0, {}});
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty());
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("already there"), std::string::npos) << p.warnings[0];
}

TEST_F(OldKernelAddresses, TheRecordFollowsWhatTheKernelKept) {
    Address added{"eth0", prefix("10.0.0.6/24"), 0, {}};
    Address gone{"eth0", prefix("10.0.0.5/24"), 0, {}};
    std::vector<Operation> executed = {{DeleteAddress{gone}, "x"}, {AddAddress{added}, "y"}};
    KernelState after;
    after.links = kernel.links;
    after.addresses.push_back({2, prefix("10.0.0.6/24"), 0});  // the kernel dropped IFA_PROTO
    after.addresses.push_back({2, prefix("10.0.0.9/24"), 0});
    EXPECT_EQ(recorded_addresses_after(owned, executed, after),
              (std::set<AddressKey>{{"eth0", prefix("10.0.0.6/24")}}));
    // A kernel that keeps IFA_PROTO needs no record.
    after.addresses[0].protocol = kNodenetProtocol;
    EXPECT_TRUE(recorded_addresses_after(owned, executed, after).empty());
}

// A leased address is kept alive in place: new lifetimes are an update, not a delete and add.
TEST_F(PlanDiff, LifetimesChangeOnlyBeyondTheCountdown) {
    add(desired, existing("eth0", 1500));
    Address a{"eth0", prefix("10.0.0.5/24"), 0, {}};
    a.valid_lifetime = 3600;
    a.preferred_lifetime = 3600;
    add(desired, a);
    ObservedAddress have{2, a.prefix, kNodenetProtocol};
    have.valid_lifetime = have.preferred_lifetime = 3595;  // read a few seconds after it was set
    kernel.addresses = {have};
    EXPECT_TRUE(make_plan(desired, kernel, owned).empty());
    kernel.addresses[0].valid_lifetime = kernel.addresses[0].preferred_lifetime = 1700;  // renewed since
    EXPECT_EQ(lines(make_plan(desired, kernel, owned)),
              (std::vector<std::string>{"eth0 ~ address 10.0.0.5/24 valid 3600 s"}));
    desired.addresses.begin()->second.valid_lifetime.reset();  // now static: forever
    desired.addresses.begin()->second.preferred_lifetime.reset();
    EXPECT_EQ(lines(make_plan(desired, kernel, owned)), (std::vector<std::string>{"eth0 ~ address 10.0.0.5/24"}));
}

TEST_F(PlanDiff, OnLinkRoutesGoBeforeRoutesThroughGateways) {
    add(desired, existing("eth0", 1500));
    add(desired, route("eth0", "0.0.0.0/0", "169.254.0.1"));
    Route helper = route("eth0", "169.254.0.1/32", nullptr);
    helper.scope = RouteScope::Link;
    add(desired, helper);
    EXPECT_EQ(lines(make_plan(desired, kernel, owned)),
              (std::vector<std::string>{"eth0 + route 169.254.0.1/32 metric 1024 scope link",
                                        "eth0 + route default via 169.254.0.1 metric 1024"}));
}

}  // namespace
}  // namespace nodenet::plan
