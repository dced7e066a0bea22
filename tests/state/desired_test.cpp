// desired_state(): the layers merged, end to end from the shipped control-plane example.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "state/desired.h"
#include "tests/state/state_fixtures.h"

namespace nodenet::state {
namespace {

using testing::any_contains;
using testing::ip;
using testing::machine_network;
using testing::observed;
using testing::parse_config;
using testing::prefix;
using testing::test_kernel;

std::string read_example(const std::string& name) {
    std::ifstream in(NODENET_SOURCE_DIR "/examples/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// examples/controlplane.yaml: bond0 over enp1s0f0/1 with VLAN 42, and every ixgbe port ignored.
KernelState controlplane_kernel() {
    KernelState k;
    const std::string f0 = "3c:fd:fe:aa:00:01", f1 = "3c:fd:fe:aa:00:02", x = "a0:36:9f:00:00:01";
    k.links = {observed("lo", "00:00:00:00:00:00", "", "", "", "", false),
               observed("enp1s0f0", f0, f0, "i40e", "0000:01:00.0", "8086:1572", true),
               observed("enp1s0f1", f1, f1, "i40e", "0000:01:00.1", "8086:1572", true),
               observed("enp2s0", x, x, "ixgbe", "0000:02:00.0", "8086:10FB", true)};
    return k;
}

TEST(DesiredState, ControlPlaneExample) {
    auto r = desired_state(parse_config(read_example("controlplane.yaml")), controlplane_kernel());
    ASSERT_TRUE(r.ok()) << r.error();
    const DesiredState& s = r->state;

    std::vector<std::string> links;
    for (const auto& [name, l] : s.links) links.push_back(name);
    // enp2s0 is ignored; lo is not mentioned, so nodenet leaves it alone.
    EXPECT_EQ(links, (std::vector<std::string>{"bond0", "bond0.42", "enp1s0f0", "enp1s0f1"}));
    EXPECT_EQ(s.links.at("bond0").kind, LinkKind::Bond);
    EXPECT_EQ(s.links.at("bond0").mtu, 9000u);
    EXPECT_EQ(s.links.at("enp1s0f1").master, "bond0");
    EXPECT_EQ(s.links.at("bond0.42").vlan->parent, "bond0");

    ASSERT_EQ(s.addresses.size(), 2u);
    EXPECT_TRUE(s.addresses.count({"bond0", prefix("10.10.0.11/24")}));
    EXPECT_TRUE(s.addresses.count({"bond0.42", prefix("192.168.42.11/24")}));

    ASSERT_EQ(s.routes.size(), 2u);
    const Route& def = s.routes.begin()->second;  // 0.0.0.0/0 sorts first
    EXPECT_EQ(def.destination.str(), "0.0.0.0/0");
    EXPECT_EQ(def.gateway, ip("10.10.0.1"));
    EXPECT_EQ(def.metric, kDefaultRouteMetric);
    EXPECT_EQ(def.link, "bond0");
    EXPECT_EQ(std::next(s.routes.begin())->second.metric, 100u);
    EXPECT_TRUE(r->warnings.empty()) << r->warnings.front();
}

TEST(DesiredState, NoLoopbackDefaultsAndUnmentionedLinksUntouched) {
    auto r = desired_state(parse_config("version: v1alpha1\nmachine:\n  type: worker\n"), test_kernel());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_TRUE(r->state.links.empty());
    EXPECT_TRUE(r->state.addresses.empty());
    EXPECT_TRUE(r->state.routes.empty());
    EXPECT_TRUE(r->warnings.empty());
}

TEST(DesiredState, WarningsOfEveryStageInOrder) {
    auto r = desired_state(parse_config(machine_network(R"(    interfaces:
      - deviceSelector:
          driver: e1000e
      - interface: eth9
        mtu: 1500
---
apiVersion: v1alpha1
kind: LinkConfig
name: eth9
mtu: 9000
)")),
                           test_kernel());
    ASSERT_TRUE(r.ok()) << r.error();
    std::vector<std::string> want = {
        "machine.network.interfaces[0].deviceSelector: no link matches {driver: \"e1000e\"}; nothing is configured",
        "link eth9: mtu 1500 (machine.network.interfaces[1]) is overridden by 9000 (LinkConfig[eth9])",
        "link eth9 (machine.network.interfaces[1], LinkConfig[eth9]) does not exist in the kernel",
    };
    EXPECT_EQ(r->warnings, want);
    EXPECT_EQ(r->state.links.at("eth9").mtu, 9000u);
}

TEST(DesiredState, LinkConfigDownOverridesTheDeviceEntry) {
    auto r = desired_state(parse_config(machine_network(R"(    interfaces:
      - interface: eth1
        addresses: [10.0.0.5/24]
---
apiVersion: v1alpha1
kind: LinkConfig
name: eth1
up: false
)")),
                           test_kernel());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->state.links.at("eth1").up, false);
    EXPECT_TRUE(any_contains(
        r->warnings, "link eth1: up true (machine.network.interfaces[0]) is overridden by false (LinkConfig[eth1])"));
}

TEST(DesiredState, ErrorsComeBackAsValues) {
    auto r = desired_state(parse_config(machine_network("    interfaces:\n      - interface: eth0\n        mtu: -5\n")),
                           test_kernel());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "machine.network.interfaces[0].mtu: MTU -5 is out of range");
}

}  // namespace
}  // namespace nodenet::state
