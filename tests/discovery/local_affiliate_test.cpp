// The node's own affiliate and NodeAddresses, as Talos builds them.
#include "discovery/local_affiliate.h"

#include <gtest/gtest.h>

#include "tests/discovery/affiliate_fixtures.h"

namespace nodenet::discovery {
namespace {

using fixtures::prefix;

state::KernelState kernel() {
    state::KernelState k;
    auto link = [&](int index, const char* name, bool up, bool carrier, bool physical) {
        state::ObservedLink l;
        l.index = index;
        l.name = name;
        l.up = up;
        l.carrier = carrier;
        l.physical = physical;
        k.links.push_back(l);
    };
    link(1, "lo", true, true, false);
    link(2, "eth0", true, true, true);
    link(3, "eth1", true, false, true);  // physical without carrier: not current
    link(4, "kubespan", true, true, false);
    link(5, "br0", true, false, false);  // virtual: up is enough
    auto addr = [&](int index, const char* text, uint8_t scope = 0) {
        state::ObservedAddress a;
        a.link_index = index;
        a.prefix = prefix(text);
        a.scope = scope;
        k.addresses.push_back(a);
    };
    addr(1, "127.0.0.1/8", 254);
    addr(2, "2001:db8::5/64");
    addr(2, "10.5.0.2/24");
    addr(2, "fe80::1/64", 253);
    addr(2, "169.254.3.3/16");
    addr(3, "10.9.0.2/24");
    addr(4, "fd50:8d60:4238:6302::1/64");
    addr(5, "fdae:41e4:649b:9303::9/64");  // SideroLink
    addr(5, "192.168.50.1/24");
    return k;
}

TEST(NodeAddresses, FollowTalosCurrentAndRoutedSets) {
    NodeAddresses n = node_addresses(kernel());
    std::vector<std::string> current, routed;
    for (const auto& p : n.current) current.push_back(p.str());
    for (const auto& p : n.routed) routed.push_back(p.str());
    EXPECT_EQ(current, (std::vector<std::string>{"10.5.0.2/24", "192.168.50.1/24", "2001:db8::5/64",
                                                 "fd50:8d60:4238:6302::1/64", "fdae:41e4:649b:9303::9/64"}));
    EXPECT_EQ(routed, (std::vector<std::string>{"10.5.0.2/24", "192.168.50.1/24", "2001:db8::5/64"}));
}

TEST(LocalAffiliate, IsBuiltAsTalosBuildsItsOwn) {
    LocalFacts f;
    f.node_id = "Utoh3O0ZvnMx3ZBRqgmUgY3TbXDnPh27uqIgmjEjoPT";
    f.routed_addresses = node_addresses(kernel()).routed;
    f.fqdn = "Node-1.lab.example";
    f.machine_type = "controlplane";
    f.operating_system = os_pretty_name("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    Affiliate a = local_affiliate(f);
    EXPECT_EQ(a.hostname, "Node-1.lab.example");
    EXPECT_EQ(a.nodename, "node-1");
    EXPECT_EQ(a.machine_type, MachineType::ControlPlane);
    EXPECT_EQ(a.api_server_port, kDefaultApiServerPort);
    EXPECT_EQ(a.operating_system, "Debian GNU/Linux 12 (bookworm)");
    ASSERT_EQ(a.addresses.size(), 3u);
    EXPECT_EQ(a.addresses[0].str(), "10.5.0.2");
    EXPECT_TRUE(check_affiliate(a).ok());
    f.machine_type = "";  // absent: a worker, no control plane part
    a = local_affiliate(f);
    EXPECT_EQ(a.machine_type, MachineType::Worker);
    EXPECT_FALSE(a.api_server_port);
}

TEST(LocalAffiliate, ReadsPrettyNameAsAShellWouldAndNeverPassesControlCharacters) {
    EXPECT_EQ(os_pretty_name("PRETTY_NAME='Arch Linux'\n"), "Arch Linux");
    EXPECT_EQ(os_pretty_name("PRETTY_NAME=Alpine\\ Linux\n"), "Alpine Linux");
    EXPECT_EQ(os_pretty_name("PRETTY_NAME=\"Evil\\nLine\x1b[31m\"\n"), "EvilnLine[31m");
    EXPECT_EQ(os_pretty_name("NAME=x\n"), "Linux");
    EXPECT_EQ(os_pretty_name(""), "Linux");
    EXPECT_EQ(os_pretty_name("PRETTY_NAME=\"" + std::string(1000, 'x') + "\"").size(), kMaxOsBytes);
}

}  // namespace
}  // namespace nodenet::discovery
