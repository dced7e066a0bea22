// merge(): Talos's layer semantics, and the link-down case where nodenet does better than Talos.
#include <gtest/gtest.h>

#include "state/layers.h"
#include "tests/state/state_fixtures.h"

namespace nodenet::state {
namespace {

using testing::ip;
using testing::prefix;

Origin at(Layer layer, std::string source) { return Origin{layer, std::move(source)}; }

Address address(const std::string& link, const std::string& p, uint32_t priority, Origin o) {
    return Address{link, prefix(p), priority, std::move(o)};
}

Route route(const std::string& link, const std::string& dst, std::optional<std::string> gw, uint32_t metric,
            Origin o) {
    Route r;
    r.link = link;
    r.destination = prefix(dst);
    r.family = r.destination.family();
    if (gw) r.gateway = ip(*gw);
    r.metric = metric;
    r.origin = std::move(o);
    return r;
}

Link link(const std::string& name, Origin o) {
    Link l;
    l.name = name;
    l.origin = std::move(o);
    return l;
}

const Origin kDhcp = at(Layer::Operator, "dhcp4/eth0");
const Origin kConfig = at(Layer::Configuration, "machine.network.interfaces[0]");

TEST(Merge, AddressesAreAUnionAndTheHigherLayerWinsWhole) {
    LayeredSpecs dhcp, config;
    dhcp.addresses = {address("eth0", "10.0.0.5/24", 1024, kDhcp), address("eth0", "10.0.0.6/24", 1024, kDhcp)};
    config.addresses = {address("eth0", "10.0.0.5/24", 0, kConfig), address("eth1", "10.0.0.5/24", 0, kConfig)};
    std::vector<std::string> warnings;
    DesiredState s = merge({dhcp, config}, warnings);
    ASSERT_EQ(s.addresses.size(), 3u);
    const Address& won = s.addresses.at({"eth0", prefix("10.0.0.5/24")});
    EXPECT_EQ(won.priority, 0u);
    EXPECT_EQ(won.origin.layer, Layer::Configuration);
    EXPECT_EQ(s.addresses.at({"eth0", prefix("10.0.0.6/24")}).origin.layer, Layer::Operator);
    EXPECT_TRUE(warnings.empty());  // a higher layer overriding a lower one is the design, not a problem
}

TEST(Merge, RoutesAreAUnionKeyedByTableDestinationMetric) {
    LayeredSpecs dhcp, config;
    dhcp.routes = {route("eth0", "0.0.0.0/0", "10.0.0.1", 1024, kDhcp),
                   route("eth0", "0.0.0.0/0", "10.0.0.1", 2048, kDhcp)};  // another metric: another route
    config.routes = {route("eth1", "0.0.0.0/0", "192.168.1.1", 1024, kConfig)};
    std::vector<std::string> warnings;
    DesiredState s = merge({dhcp, config}, warnings);
    ASSERT_EQ(s.routes.size(), 2u);
    const Route& won = s.routes.at(config.routes[0].key());
    EXPECT_EQ(won.link, "eth1");
    EXPECT_EQ(won.gateway, ip("192.168.1.1"));
    EXPECT_EQ(s.routes.at(dhcp.routes[1].key()).origin.layer, Layer::Operator);
    EXPECT_TRUE(warnings.empty());
}

TEST(Merge, LinkFieldsAreOverriddenOnlyWhenSet) {
    LayeredSpecs dhcp, config;
    Link from_dhcp = link("eth0", kDhcp);
    from_dhcp.mtu = 1400;
    from_dhcp.up = true;
    dhcp.links = {from_dhcp};
    Link from_config = link("eth0", kConfig);
    from_config.master = "br0";
    config.links = {from_config};
    std::vector<std::string> warnings;
    DesiredState s = merge({dhcp, config}, warnings);
    const Link& l = s.links.at("eth0");
    EXPECT_EQ(l.mtu, 1400u);  // the configuration did not set it: the lower layer's stays
    EXPECT_EQ(l.up, true);
    EXPECT_EQ(l.master, "br0");
    EXPECT_EQ(l.origin.layer, Layer::Configuration);
    EXPECT_EQ(l.origin.source, "dhcp4/eth0, machine.network.interfaces[0]");
}

// Talos folds a higher layer's field only when it is non-zero, so `up: false` in the machine config
// cannot bring down a link that DHCP or the defaults bring up, and an MTU or a master cannot be
// cleared. Here unset and false/0/"" differ.
TEST(Merge, AHigherLayerCanBringALinkDownAndClearValues) {
    LayeredSpecs defaults, dhcp, config;
    Link lo_layer = link("eth0", at(Layer::Default, ""));
    lo_layer.up = true;
    defaults.links = {lo_layer};
    Link from_dhcp = link("eth0", kDhcp);
    from_dhcp.up = true;
    from_dhcp.master = "bond0";
    dhcp.links = {from_dhcp};
    Link from_config = link("eth0", at(Layer::Configuration, "LinkConfig[eth0]"));
    from_config.up = false;
    from_config.master = "";
    config.links = {from_config};
    std::vector<std::string> warnings;
    DesiredState s = merge({defaults, dhcp, config}, warnings);
    EXPECT_EQ(s.links.at("eth0").up, false);
    EXPECT_EQ(s.links.at("eth0").master, "");
    EXPECT_TRUE(warnings.empty());
}

TEST(Merge, LayerNotPositionDecides) {
    LayeredSpecs dhcp, config;
    Link down = link("eth0", kConfig);
    down.up = false;
    config.links = {down};
    config.addresses = {address("eth0", "10.0.0.5/24", 0, kConfig)};
    Link up = link("eth0", kDhcp);
    up.up = true;
    dhcp.links = {up};
    dhcp.addresses = {address("eth0", "10.0.0.5/24", 1024, kDhcp)};
    std::vector<std::string> warnings;
    DesiredState s = merge({config, dhcp}, warnings);  // configuration given first
    EXPECT_EQ(s.links.at("eth0").up, false);
    EXPECT_EQ(s.addresses.begin()->second.priority, 0u);
}

TEST(Merge, LogicalKindAndSettingsAreKeptWhenALaterSpecOnlyAddsFields) {
    LayeredSpecs config;
    Link bond = link("bond0", kConfig);
    bond.kind = LinkKind::Bond;
    bond.bond = BondSettings{};
    bond.bond->mode = "active-backup";
    Link doc = link("bond0", at(Layer::Configuration, "LinkConfig[bond0]"));
    doc.mtu = 9000;
    config.links = {bond, doc};
    std::vector<std::string> warnings;
    DesiredState s = merge({config}, warnings);
    const Link& l = s.links.at("bond0");
    EXPECT_EQ(l.kind, LinkKind::Bond);
    EXPECT_EQ(l.bond->mode, "active-backup");
    EXPECT_EQ(l.mtu, 9000u);
    EXPECT_TRUE(warnings.empty());
}

TEST(Merge, DisagreementsWithinOneLayerWarnAndTheLaterWins) {
    LayeredSpecs config;
    Link a = link("eth0", at(Layer::Configuration, "machine.network.interfaces[0]"));
    a.mtu = 1500;
    a.up = true;
    a.master = "br0";
    Link b = link("eth0", at(Layer::Configuration, "LinkConfig[eth0]"));
    b.mtu = 9000;
    b.up = true;  // agrees: no warning
    Link c = link("eth0", at(Layer::Configuration, "machine.network.interfaces[1].bond.interfaces[0]"));
    c.master = "bond0";
    config.links = {a, b, c};
    config.addresses = {address("eth0", "10.0.0.5/24", 0, a.origin), address("eth0", "10.0.0.5/24", 50, b.origin),
                        address("eth0", "10.0.0.6/24", 0, a.origin), address("eth0", "10.0.0.6/24", 0, b.origin)};
    config.routes = {route("eth0", "10.1.0.0/16", "10.0.0.1", 1024, a.origin),
                     route("eth1", "10.1.0.0/16", "10.0.0.2", 1024, b.origin),
                     route("eth0", "10.2.0.0/16", "10.0.0.1", 1024, a.origin),
                     route("eth0", "10.2.0.0/16", "10.0.0.1", 1024, b.origin)};
    std::vector<std::string> warnings;
    DesiredState s = merge({config}, warnings);
    EXPECT_EQ(s.links.at("eth0").mtu, 9000u);
    EXPECT_EQ(s.links.at("eth0").master, "bond0");
    EXPECT_EQ(s.addresses.at({"eth0", prefix("10.0.0.5/24")}).priority, 50u);
    EXPECT_EQ(s.routes.at(config.routes[0].key()).link, "eth1");
    std::vector<std::string> want = {
        "link eth0: mtu 1500 (machine.network.interfaces[0]) is overridden by 9000 (LinkConfig[eth0])",
        "link eth0: master br0 (machine.network.interfaces[0]) is overridden by bond0 "
        "(machine.network.interfaces[1].bond.interfaces[0])",
        "address 10.0.0.5/24 on eth0: route priority 0 (machine.network.interfaces[0]) is overridden by 50 "
        "(LinkConfig[eth0])",
        "route 10.1.0.0/16 metric 1024 table 254: via 10.0.0.1 dev eth0 (machine.network.interfaces[0]) is replaced by "
        "via 10.0.0.2 dev eth1 (LinkConfig[eth0]); the kernel holds one route per table, destination and metric",
    };
    EXPECT_EQ(warnings, want);
    EXPECT_EQ(s.links.at("eth0").origin.source,
              "machine.network.interfaces[0], LinkConfig[eth0], machine.network.interfaces[1].bond.interfaces[0]");
}

TEST(Merge, KindClashWithinOneLayerWarns) {
    LayeredSpecs config;
    Link a = link("x0", at(Layer::Configuration, "machine.network.interfaces[0]"));
    a.kind = LinkKind::Dummy;
    Link b = link("x0", at(Layer::Configuration, "machine.network.interfaces[1]"));
    b.kind = LinkKind::Bridge;
    config.links = {a, b};
    std::vector<std::string> warnings;
    DesiredState s = merge({config}, warnings);
    EXPECT_EQ(s.links.at("x0").kind, LinkKind::Bridge);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0],
              "link x0: kind dummy (machine.network.interfaces[0]) is overridden by bridge "
              "(machine.network.interfaces[1])");
}

TEST(Merge, NothingInNothingOut) {
    std::vector<std::string> warnings;
    DesiredState s = merge({}, warnings);
    EXPECT_TRUE(s.links.empty() && s.addresses.empty() && s.routes.empty() && warnings.empty());
}

}  // namespace
}  // namespace nodenet::state
