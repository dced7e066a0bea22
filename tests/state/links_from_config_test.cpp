// specs_from_config: links of v1alpha1 devices — bond, bridge, VLAN, dummy, WireGuard — device
// selectors resolved against the kernel's links, and `ignore`.
#include <gtest/gtest.h>

#include "state/from_config.h"
#include "state/selector.h"
#include "tests/state/state_fixtures.h"

namespace nodenet::state {
namespace {

using testing::any_contains;
using testing::links_named;
using testing::machine_network;
using testing::names_of;
using testing::parse_config;
using testing::test_kernel;
using testing::where;

LayeredSpecs specs_of(const std::string& interfaces) {
    auto r = specs_from_config(parse_config(machine_network("    interfaces:\n" + interfaces)), test_kernel());
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? std::move(*r) : LayeredSpecs{};
}

std::vector<std::string> Names(std::vector<std::string> names) { return names; }

const Link& only(const LayeredSpecs& s, const std::string& name) {
    static const Link kNone;
    auto found = links_named(s, name);
    EXPECT_EQ(found.size(), 1u) << name;
    if (found.size() != 1) return kNone;
    for (const Link& l : s.links)
        if (l.name == name) return l;
    return kNone;
}

TEST(LinksFromConfig, PlainDeviceIsUpWithItsMtu) {
    LayeredSpecs s = specs_of("      - interface: eth0\n        mtu: 1450\n        dhcp: true\n");
    const Link& l = only(s, "eth0");
    EXPECT_EQ(l.kind, LinkKind::Existing);
    EXPECT_EQ(l.up, true);
    EXPECT_EQ(l.mtu, 1450u);
    EXPECT_FALSE(l.master);
    EXPECT_EQ(l.origin.source, "machine.network.interfaces[0]");
    EXPECT_TRUE(s.addresses.empty());  // DHCP comes from its own layer, later
}

TEST(LinksFromConfig, BondWithMembersByName) {
    LayeredSpecs s = specs_of(R"(      - interface: bond0
        mtu: 9000
        bond:
          mode: 802.3ad
          lacpRate: fast
          xmitHashPolicy: layer3+4
          miimon: 100
          updelay: 200
          downdelay: 200
          minLinks: 1
          adActorSysPrio: 100
          interfaces: [enp1s0f0, enp1s0f1]
)");
    const Link& bond = only(s, "bond0");
    EXPECT_EQ(bond.kind, LinkKind::Bond);
    EXPECT_EQ(bond.up, true);
    EXPECT_EQ(bond.mtu, 9000u);
    ASSERT_TRUE(bond.bond);
    EXPECT_EQ(bond.bond->mode, "802.3ad");
    EXPECT_EQ(bond.bond->lacp_rate, "fast");
    EXPECT_EQ(bond.bond->xmit_hash_policy, "layer3+4");
    EXPECT_EQ(bond.bond->miimon, 100u);
    EXPECT_EQ(bond.bond->updelay, 200u);
    EXPECT_EQ(bond.bond->downdelay, 200u);
    EXPECT_EQ(bond.bond->min_links, 1u);
    EXPECT_EQ(bond.bond->ad_actor_sys_prio, 100u);
    EXPECT_TRUE(bond.bond->use_carrier);  // default true
    for (const char* m : {"enp1s0f0", "enp1s0f1"}) {
        const Link& member = only(s, m);
        EXPECT_EQ(member.master, "bond0") << m;
        EXPECT_EQ(member.up, true) << m;
        EXPECT_EQ(member.kind, LinkKind::Existing) << m;
    }
    EXPECT_EQ(only(s, "enp1s0f1").origin.source, "machine.network.interfaces[0].bond.interfaces[1]");
}

TEST(LinksFromConfig, BondWithMembersBySelectors) {
    // permanentAddr finds enp1s0f1 by its burnt-in MAC although it now carries enp1s0f0's.
    LayeredSpecs s = specs_of(R"(      - interface: bond1
        bond:
          mode: active-backup
          useCarrier: false
          deviceSelectors:
            - permanentAddr: 3c:fd:fe:aa:00:02
            - hardwareAddr: 52:54:00:12:34:0*
              driver: virtio_net
)");
    EXPECT_FALSE(only(s, "bond1").bond->use_carrier);
    std::vector<std::string> members;
    for (const Link& l : s.links)
        if (l.master == "bond1") members.push_back(l.name);
    EXPECT_EQ(members, Names({"enp1s0f1", "eth0", "eth1"}));
    EXPECT_EQ(only(s, "eth1").origin.source, "machine.network.interfaces[0].bond.deviceSelectors[1]");
}

TEST(LinksFromConfig, BridgeStpDefaultsOnWhenTheSectionIsWritten) {
    LayeredSpecs s = specs_of(R"(      - interface: br0
        bridge:
          stp: {}
          interfaces: [eth1]
      - interface: br1
        bridge:
          interfaces: [veth0]
      - interface: br2
        bridge:
          stp:
            enabled: false
          vlan:
            vlanFiltering: true
)");
    const Link& br0 = only(s, "br0");
    EXPECT_EQ(br0.kind, LinkKind::Bridge);
    ASSERT_TRUE(br0.bridge);
    EXPECT_TRUE(br0.bridge->stp);
    EXPECT_FALSE(br0.bridge->vlan_filtering);
    EXPECT_FALSE(only(s, "br1").bridge->stp);  // no `stp` section: off
    EXPECT_FALSE(only(s, "br2").bridge->stp);
    EXPECT_TRUE(only(s, "br2").bridge->vlan_filtering);
    EXPECT_EQ(only(s, "eth1").master, "br0");
    EXPECT_EQ(only(s, "eth1").up, true);
    EXPECT_EQ(only(s, "veth0").master, "br1");
}

TEST(LinksFromConfig, BridgePortSetsTheMaster) {
    LayeredSpecs s = specs_of(R"(      - interface: br0
        bridge: {}
      - interface: eth1
        bridgePort:
          master: br0
)");
    EXPECT_EQ(only(s, "eth1").master, "br0");
    EXPECT_EQ(only(s, "eth1").up, true);
}

TEST(LinksFromConfig, VlanLinksAreNamedParentDotId) {
    LayeredSpecs s = specs_of(R"(      - interface: eth0
        vlans:
          - vlanId: 42
            mtu: 1500
          - vlanId: 100
)");
    const Link& v = only(s, "eth0.42");
    EXPECT_EQ(v.kind, LinkKind::Vlan);
    ASSERT_TRUE(v.vlan);
    EXPECT_EQ(v.vlan->parent, "eth0");
    EXPECT_EQ(v.vlan->id, 42);
    EXPECT_FALSE(v.vlan->q_in_q);
    EXPECT_EQ(v.up, true);
    EXPECT_EQ(v.mtu, 1500u);
    EXPECT_EQ(v.origin.source, "machine.network.interfaces[0].vlans[0]");
    EXPECT_FALSE(only(s, "eth0.100").mtu);
}

TEST(LinksFromConfig, DummyAndWireguard) {
    LayeredSpecs s = specs_of(R"(      - interface: dummy0
        dummy: true
        addresses: [169.254.10.1/32]
      - interface: wg0
        wireguard:
          privateKey: ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq=
          listenPort: 51820
          firewallMark: 51
          peers:
            - publicKey: bcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ8=
              endpoint: 192.0.2.1:51820
              persistentKeepaliveInterval: 25s
              allowedIPs: [10.99.0.0/16, fd00::/64]
)");
    EXPECT_EQ(only(s, "dummy0").kind, LinkKind::Dummy);
    EXPECT_EQ(where(s.addresses, "dummy0").size(), 1u);
    const Link& wg = only(s, "wg0");
    EXPECT_EQ(wg.kind, LinkKind::Wireguard);
    ASSERT_TRUE(wg.wireguard);
    ASSERT_TRUE(wg.wireguard->private_key);
    // The last character's two spare bits are ignored, as Talos's Go decoder does.
    EXPECT_EQ(wireguard::to_base64(*wg.wireguard->private_key), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopo=");
    EXPECT_EQ(wg.wireguard->listen_port, 51820);
    EXPECT_EQ(wg.wireguard->firewall_mark, 51u);
    ASSERT_EQ(wg.wireguard->peers.size(), 1u);
    const wireguard::PeerConfig& p = wg.wireguard->peers[0];
    EXPECT_EQ(wireguard::to_base64(p.public_key), "bcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ8=");
    EXPECT_EQ(p.endpoint, "192.0.2.1:51820");
    EXPECT_EQ(p.persistent_keepalive_seconds, 25);
    ASSERT_EQ(p.allowed_ips.size(), 2u);
    EXPECT_EQ(p.allowed_ips[1].str(), "fd00::/64");
}

// ---- device selectors ----

TEST(DeviceSelectors, GlobMatchingIsGoGlobs) {
    EXPECT_TRUE(glob_match("*", "anything"));
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("eth0", "eth0"));
    EXPECT_FALSE(glob_match("eth0", "eth01"));
    EXPECT_TRUE(glob_match("0000:00:*", "0000:00:03.0"));
    EXPECT_TRUE(glob_match("*:03.0", "0000:00:03.0"));
    EXPECT_TRUE(glob_match("52:*:34:*", "52:54:00:12:34:01"));
    EXPECT_FALSE(glob_match("52:*:99:*", "52:54:00:12:34:01"));
    EXPECT_TRUE(glob_match("a*b*c", "abc"));
    EXPECT_FALSE(glob_match("a*a", "a"));  // the parts may not overlap
    EXPECT_FALSE(glob_match("ixgbe", "IXGBE"));  // case-sensitive
    EXPECT_FALSE(glob_match("", "x"));
    EXPECT_TRUE(glob_match("", ""));
    EXPECT_FALSE(glob_match("e?h0", "eth0"));  // `*` is the only wildcard
}

TEST(DeviceSelectors, AGlobMatchingSeveralLinksConfiguresEach) {
    LayeredSpecs s = specs_of(R"(      - deviceSelector:
          hardwareAddr: "52:54:00:*"
        mtu: 1400
        addresses: [192.0.2.10/24]
)");
    EXPECT_EQ(names_of(s.links), Names({"eth0", "eth1"}));
    EXPECT_EQ(where(s.addresses, "eth0").size(), 1u);
    EXPECT_EQ(where(s.addresses, "eth1").size(), 1u);
    EXPECT_EQ(s.links[1].origin.source, "machine.network.interfaces[0]");
    EXPECT_TRUE(s.warnings.empty());
}

TEST(DeviceSelectors, AllSetFieldsAreAnded) {
    LayeredSpecs s = specs_of(R"(      - deviceSelector:
          driver: virtio_net
          busPath: "0000:00:04*"
          pciID: 1AF4:1000
        mtu: 1400
)");
    EXPECT_EQ(names_of(s.links), Names({"eth1"}));
}

TEST(DeviceSelectors, PhysicalIsComparedToo) {
    LayeredSpecs physical = specs_of("      - deviceSelector:\n          physical: true\n");
    EXPECT_EQ(names_of(physical.links), Names({"eth0", "eth1", "enp1s0f0", "enp1s0f1"}));
    LayeredSpecs virt = specs_of("      - deviceSelector:\n          physical: false\n");
    EXPECT_EQ(names_of(virt.links), Names({"lo", "veth0"}));  // as in Talos, lo is a virtual link like any other
    LayeredSpecs none = specs_of("      - deviceSelector:\n          physical: false\n          driver: ixgbe\n");
    EXPECT_TRUE(none.links.empty());
}

TEST(DeviceSelectors, CurrentAndPermanentMacAreDifferentFields) {
    // enp1s0f1 carries 3c:fd:fe:aa:00:01 now; its permanent address is ...:02.
    LayeredSpecs current = specs_of("      - deviceSelector:\n          hardwareAddr: 3c:fd:fe:aa:00:01\n");
    EXPECT_EQ(names_of(current.links), Names({"enp1s0f0", "enp1s0f1"}));
    LayeredSpecs permanent = specs_of("      - deviceSelector:\n          permanentAddr: 3c:fd:fe:aa:00:01\n");
    EXPECT_EQ(names_of(permanent.links), Names({"enp1s0f0"}));
}

TEST(DeviceSelectors, NoMatchConfiguresNothingAndWarns) {
    LayeredSpecs s = specs_of(R"(      - deviceSelector:
          driver: mlx5_core
          physical: true
        addresses: [192.0.2.10/24]
)");
    EXPECT_TRUE(s.links.empty());
    EXPECT_TRUE(s.addresses.empty());
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0],
              "machine.network.interfaces[0].deviceSelector: no link matches {driver: \"mlx5_core\", physical: true}; "
              "nothing is configured");
}

TEST(DeviceSelectors, NoMatchForAnIgnoreOrABondMemberSaysWhatFollows) {
    LayeredSpecs s = specs_of(R"(      - deviceSelector:
          driver: mlx5_core
        ignore: true
      - interface: bond0
        bond:
          deviceSelectors:
            - busPath: "0000:09:*"
)");
    EXPECT_EQ(names_of(s.links), Names({"bond0"}));
    EXPECT_EQ(s.warnings,
              Names({"machine.network.interfaces[0].deviceSelector: no link matches {driver: \"mlx5_core\"}; "
                     "nothing is ignored",
                     "machine.network.interfaces[1].bond.deviceSelectors[0]: no link matches {busPath: \"0000:09:*\"}; "
                     "no member is added"}));
}

TEST(DeviceSelectors, NoMatchBecauseOfLetterCaseSaysSo) {
    LayeredSpecs s = specs_of("      - deviceSelector:\n          hardwareAddr: 3C:FD:FE:AA:00:0*\n");
    EXPECT_TRUE(s.links.empty());
    EXPECT_TRUE(any_contains(s.warnings, "(selectors are case-sensitive; ignoring case it would match enp1s0f0)"));
}

// ---- ignore ----

TEST(Ignore, AnIgnoredLinkGetsNothing) {
    LayeredSpecs s = specs_of(R"(      - interface: eth0
        ignore: true
        mtu: 1400
        addresses: [10.0.0.5/24]
        routes:
          - gateway: 10.0.0.1
        vlans:
          - vlanId: 5
)");
    EXPECT_TRUE(s.links.empty());
    EXPECT_TRUE(s.addresses.empty());
    EXPECT_TRUE(s.routes.empty());
    EXPECT_TRUE(s.warnings.empty());
}

TEST(Ignore, BySelectorAndAgainstEveryOtherMention) {
    auto r = specs_from_config(parse_config(machine_network(R"(    interfaces:
      - interface: bond0
        bond:
          interfaces: [enp1s0f0, eth1]
      - interface: enp1s0f0
        mtu: 9000
      - deviceSelector:
          driver: ixgbe
        ignore: true
---
apiVersion: v1alpha1
kind: LinkConfig
name: enp1s0f1
mtu: 1500
)")),
                               test_kernel());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(names_of(r->links), Names({"bond0", "eth1"}));
    EXPECT_EQ(r->warnings,
                Names({"machine.network.interfaces[0].bond.interfaces[0]: enp1s0f0 is ignored "
                            "(machine.network.interfaces[2]); not applied",
                            "machine.network.interfaces[1]: enp1s0f0 is ignored (machine.network.interfaces[2]); "
                            "not applied",
                            "LinkConfig[enp1s0f1]: enp1s0f1 is ignored (machine.network.interfaces[2]); not applied"}));
}

TEST(LinksFromConfig, TwoKindsOnOneDeviceWarn) {
    LayeredSpecs s = specs_of(R"(      - interface: wg1
        dummy: true
        wireguard:
          privateKey: ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq=
)");
    EXPECT_EQ(only(s, "wg1").kind, LinkKind::Wireguard);
    EXPECT_EQ(s.warnings, Names({"machine.network.interfaces[0]: wg1 declares both wireguard and dummy; it is "
                                        "created as a wireguard"}));
}

}  // namespace
}  // namespace nodenet::state
