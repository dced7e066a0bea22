// Policy routing rules in the plan: desired against observed, nodenet's own found by FRA_PROTOCOL,
// everything else left alone; their place among route operations; rendering; the restore point.
#include <gtest/gtest.h>

#include "plan/diff.h"
#include "plan/render.h"
#include "plan/restore.h"
#include "plan/sync_digest.h"
#include "tests/plan/rule_fixtures.h"

namespace nodenet::plan {
namespace {

using namespace state;

using rule_fixtures::kubespan;

ObservedRule observed(const RoutingRule& r, uint8_t protocol) {
    ObservedRule o;
    o.family = r.family;
    o.priority = r.priority;
    o.action = r.action;
    o.table = r.action == RuleAction::Lookup ? r.table : 0;
    o.source = r.source;
    o.destination = r.destination;
    o.iif = r.iif;
    o.oif = r.oif;
    o.fwmark = r.fwmark;
    // The kernel reads a mark without a mask back with all mask bits set.
    o.fwmask = r.fwmark && !r.fwmask ? 0xFFFFFFFF : r.fwmask;
    o.protocol = protocol;
    return o;
}

// The kernel's own rules of a fresh namespace: 0 local, 32766 main, 32767 default (IPv4).
std::vector<ObservedRule> kernel_defaults() {
    std::vector<ObservedRule> out;
    for (auto [priority, table] : {std::pair{0u, 255u}, {32766u, 254u}, {32767u, 253u}}) {
        ObservedRule r;
        r.priority = priority;
        r.table = table;
        r.protocol = 2;
        out.push_back(r);
    }
    return out;
}

void add(DesiredState& d, const RoutingRule& r) { d.rules[r.key()] = r; }

std::vector<std::string> lines(const Plan& p) {
    std::vector<std::string> out;
    for (const Operation& op : p.operations) out.push_back(op.link() + " " + describe(op));
    return out;
}

struct RulesDiff : testing::Test {
    DesiredState desired;
    KernelState kernel;
    Ownership owned;

    void SetUp() override {
        ObservedLink eth0;
        eth0.index = 2;
        eth0.name = "eth0";
        eth0.up = true;
        eth0.mtu = 1500;
        kernel.links = {eth0};
        kernel.rules = kernel_defaults();
    }
};

TEST_F(RulesDiff, AddsRulesAfterTheRoutesOfTheirTable) {
    Route route;
    route.link = "eth0";
    route.destination = *parse_ip_prefix("0.0.0.0/0");
    route.table = 180;
    route.metric = 1;
    desired.routes[route.key()] = route;
    add(desired, kubespan(Family::V6));
    add(desired, kubespan(Family::V4));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{
                            "eth0 + route default table 180 metric 1",
                            "IPv4 rules + rule 32500: from all fwmark 0x40/0x60 lookup 180",
                            "IPv6 rules + rule 32500: from all fwmark 0x40/0x60 lookup 180",
                        }));
    EXPECT_TRUE(p.warnings.empty());
    std::string text = render_text(p, false);
    EXPECT_NE(text.find("IPv4 rules\n  + rule 32500: from all fwmark 0x40/0x60 lookup 180    # kubespan\n"),
              std::string::npos)
        << text;
    nlohmann::json json = render_json(p);
    EXPECT_EQ(json["operations"][1]["action"], "add_rule");
    EXPECT_EQ(json["operations"][1]["link"], "IPv4 rules");
    EXPECT_EQ(json["operations"][1]["change"], "+ rule 32500: from all fwmark 0x40/0x60 lookup 180");
}

TEST_F(RulesDiff, RuleThatIsThereIsKeptAsTheKernelNormalisesIt) {
    RoutingRule r = kubespan(Family::V4);
    add(desired, r);
    kernel.rules.push_back(observed(r, kNodenetProtocol));
    // A mark without a mask (all bits), a `from` with host bits and `to` 0.0.0.0/0 ("all").
    RoutingRule other;
    other.priority = 100;
    other.table = 100;
    other.fwmark = 7;
    other.source = parse_ip_prefix("10.1.2.3/16");
    other.destination = parse_ip_prefix("0.0.0.0/0");
    other.origin.source = "RoutingRuleConfig[100]";
    add(desired, other);
    ObservedRule have = observed(other, kNodenetProtocol);
    have.source = parse_ip_prefix("10.1.0.0/16");
    have.destination.reset();
    kernel.rules.push_back(have);
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_TRUE(p.empty()) << render_text(p, false);
}

TEST_F(RulesDiff, ChangedRuleIsAddedBeforeTheOldOneGoes) {
    kernel.rules.push_back(observed(kubespan(Family::V4, 180), kNodenetProtocol));
    add(desired, kubespan(Family::V4, 181));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{
                            "IPv4 rules + rule 32500: from all fwmark 0x40/0x60 lookup 181",
                            "IPv4 rules - rule 32500: from all fwmark 0x40/0x60 lookup 180",
                        }));
    EXPECT_EQ(p.operations[1].reason, "replaced by kubespan");
}

// The kernel's duplicate check ignores a `from` the new rule leaves at "all": it would refuse the
// new rule while the old one is there.
TEST_F(RulesDiff, ChangedRuleTheKernelWouldConfuseGoesFirst) {
    RoutingRule old = kubespan(Family::V4);
    old.source = parse_ip_prefix("10.0.0.0/8");
    kernel.rules.push_back(observed(old, kNodenetProtocol));
    add(desired, kubespan(Family::V4));
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{
                            "IPv4 rules - rule 32500: from 10.0.0.0/8 fwmark 0x40/0x60 lookup 180",
                            "IPv4 rules + rule 32500: from all fwmark 0x40/0x60 lookup 180",
                        }));
}

TEST_F(RulesDiff, OwnRulesNoLongerWantedGoFirstAndForeignOnesStay) {
    // A foreign rule at the same priority as nodenet's, one nobody wants at another, the defaults.
    RoutingRule foreign = kubespan(Family::V4);
    foreign.fwmark = 0x1;
    kernel.rules.push_back(observed(foreign, 0));
    kernel.rules.push_back(observed(kubespan(Family::V4), kNodenetProtocol));
    RoutingRule cni;
    cni.priority = 100;
    cni.table = 77;
    kernel.rules.push_back(observed(cni, 4));
    Route route;
    route.link = "eth0";
    route.destination = *parse_ip_prefix("0.0.0.0/0");
    route.table = 180;
    ObservedRoute have_route;
    have_route.table = 180;
    have_route.link_index = 2;
    have_route.destination = route.destination;
    have_route.metric = route.metric;
    have_route.protocol = kNodenetProtocol;
    kernel.routes.push_back(have_route);
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{
                            "IPv4 rules - rule 32500: from all fwmark 0x40/0x60 lookup 180",
                            "eth0 - route default table 180 metric 1024",
                        }));
    EXPECT_EQ(p.operations[0].reason, "no longer in the config; nodenet added it");
}

TEST_F(RulesDiff, ForeignRuleAtThePriorityIsLeftAndWarnedAbout) {
    RoutingRule same = kubespan(Family::V4);
    kernel.rules.push_back(observed(same, 4));  // an administrator's, identical
    add(desired, same);
    RoutingRule other = kubespan(Family::V6);
    RoutingRule theirs = other;
    theirs.table = 99;
    kernel.rules.push_back(observed(theirs, 0));
    add(desired, other);
    Plan p = make_plan(desired, kernel, owned);
    EXPECT_EQ(lines(p), (std::vector<std::string>{"IPv6 rules + rule 32500: from all fwmark 0x40/0x60 lookup 180"}));
    ASSERT_EQ(p.warnings.size(), 2u);
    EXPECT_EQ(p.warnings[0], "IPv4 rule 32500 is already there (added by an administrator (proto static)); nodenet "
                             "leaves it as it is");
    EXPECT_EQ(p.warnings[1], "IPv6 rule 32500: another rule has this priority (added with no protocol); the kernel "
                             "tries the two in the order they were added");
}

TEST_F(RulesDiff, OwnRuleWithUnmodelledSelectorsIsReplaced) {
    ObservedRule odd = observed(kubespan(Family::V4), kNodenetProtocol);
    odd.other_selectors = true;  // someone added `not` to it, say
    kernel.rules.push_back(odd);
    add(desired, kubespan(Family::V4));
    Plan p = make_plan(desired, kernel, owned);
    ASSERT_EQ(p.operations.size(), 2u) << render_text(p, false);
    EXPECT_TRUE(std::holds_alternative<DeleteRule>(p.operations[0].change)) << "the kernel would take one for the other";
    EXPECT_TRUE(std::holds_alternative<AddRule>(p.operations[1].change));
}

TEST_F(RulesDiff, ActionsAndSelectorsRenderAsIpRulePrintsThem) {
    RoutingRule r;
    r.family = Family::V6;
    r.priority = 10;
    r.action = RuleAction::Prohibit;
    r.source = parse_ip_prefix("fd00::/8");
    r.destination = parse_ip_prefix("fd01::1/128");
    r.iif = "eth0";
    r.oif = "eth1";
    r.fwmark = 0x1f;
    EXPECT_EQ(describe({AddRule{r}, ""}), "+ rule 10: from fd00::/8 to fd01::1/128 fwmark 0x1f iif eth0 oif eth1 prohibit");
    RoutingRule main;
    main.priority = 5;
    EXPECT_EQ(describe({DeleteRule{main}, ""}), "- rule 5: from all lookup main");
}

TEST_F(RulesDiff, RestorePointHoldsOnlyNodenetsRules) {
    kernel.rules.push_back(observed(kubespan(Family::V6), kNodenetProtocol));
    RoutingRule cni;
    cni.priority = 100;
    kernel.rules.push_back(observed(cni, 4));
    DesiredState target = restore_point(kernel, DesiredState{}, owned);
    ASSERT_EQ(target.rules.size(), 1u);
    const RoutingRule& r = target.rules.begin()->second;
    EXPECT_EQ(r.key(), (RuleKey{Family::V6, 32500}));
    EXPECT_EQ(r.table, 180u);
    EXPECT_EQ(r.fwmask, 0x60u);
    // Planning towards it from a kernel that lost the rule puts it back.
    KernelState lost = kernel;
    lost.rules = kernel_defaults();
    EXPECT_EQ(lines(make_plan(target, lost, owned)),
              (std::vector<std::string>{"IPv6 rules + rule 32500: from all fwmark 0x40/0x60 lookup 180"}));
}

TEST_F(RulesDiff, KernelDigestSeesARuleChange) {
    std::string before = kernel_digest(kernel);
    kernel.rules.push_back(observed(kubespan(Family::V4), kNodenetProtocol));
    std::string with_rule = kernel_digest(kernel);
    EXPECT_NE(before, with_rule);
    kernel.rules.back().fwmask = 0x40;
    EXPECT_NE(kernel_digest(kernel), with_rule);
}

}  // namespace
}  // namespace nodenet::plan
