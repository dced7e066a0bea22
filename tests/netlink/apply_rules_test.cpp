// Policy routing rules planned, applied, re-applied, removed and rolled back against a real kernel,
// in a namespace each test makes. `ip -j rule show` is the independent reader.
#include <gtest/gtest.h>

#include "netlink/converge.h"
#include "plan/diff.h"
#include "tests/cli/run_nodenet.h"
#include "tests/netlink/netns.h"
#include "tests/plan/rule_fixtures.h"

namespace nodenet::netlink_test {
namespace {

using state::Family;
using state::RoutingRule;

using rule_fixtures::kubespan;

state::DesiredState with_rules(std::vector<RoutingRule> rules) {
    state::DesiredState d;
    for (RoutingRule& r : rules) d.rules[r.key()] = std::move(r);
    return d;
}

// Plans `desired` against the kernel inside `ns` and converges; with `restore_on_failure`, a failed
// apply is rolled back as engine/transaction.cpp does. Returns what happened, as JSON.
nlohmann::json apply_in(const TestNetns& ns, const state::DesiredState& desired, bool restore_on_failure = false) {
    return nlohmann::json::parse(ns.in_child([&] {
        plan::Ownership owned;  // rules are nodenet's by protocol: no record needed
        auto before = netlink::read_kernel_state(netlink::managed_filter(desired, owned));
        if (!before.ok()) return nlohmann::json{{"error", before.error()}}.dump();
        plan::Plan p = plan::make_plan(desired, *before, owned);
        size_t planned = p.operations.size();
        netlink::ConvergeResult c = netlink::converge(desired, owned, std::move(p));
        nlohmann::json out{{"planned", planned},
                           {"requests", c.requests},
                           {"converged", c.converged},
                           {"failure", c.failure ? c.failure->message : ""},
                           {"warnings", c.remaining.warnings}};
        if (!c.converged && restore_on_failure) {
            netlink::ConvergeResult back = netlink::restore(*before, desired, owned, owned);
            out["restored"] = back.converged;
        }
        return out.dump();
    }));
}

class ApplyRules : public testing::Test {
protected:
    void SetUp() override {
        // Someone else's rules: one at KubeSpan's priority, one elsewhere; plus the kernel's own.
        ns.must("rule add fwmark 0x1 lookup 50 pref 32500");
        ns.must("-6 rule add from fd00:9::/64 lookup 60 pref 200 proto static");
    }

    nlohmann::json rules() const { return {{"v4", ns.ip_json("rule show")}, {"v6", ns.ip_json("-6 rule show")}}; }

    // The rules `ip` shows at `priority` that carry nodenet's protocol.
    std::vector<nlohmann::json> ours(const char* family, uint32_t priority) const {
        std::vector<nlohmann::json> out;
        for (const auto& r : ns.ip_json(std::string(family) + " rule show"))
            if (r.value("priority", 0u) == priority && r.value("protocol", "") == "110") out.push_back(r);
        return out;
    }

    TestNetns ns;
};

TEST_F(ApplyRules, AppliesReappliesWithoutWritesAndRemovesOnlyItsOwn) {
    nlohmann::json before = rules();
    RoutingRule from_net;
    from_net.priority = 1000;
    from_net.table = 100;
    from_net.source = state::parse_ip_prefix("10.1.0.0/16");
    from_net.iif = "eth0";
    RoutingRule blackhole;
    blackhole.family = Family::V6;
    blackhole.priority = 1001;
    blackhole.action = state::RuleAction::Blackhole;
    blackhole.destination = state::parse_ip_prefix("fd00:66::/48");
    blackhole.fwmark = 0x7;
    state::DesiredState desired = with_rules({kubespan(Family::V4), kubespan(Family::V6), from_net, blackhole});

    nlohmann::json first = apply_in(ns, desired);
    ASSERT_EQ(first["converged"], true) << first.dump();
    EXPECT_EQ(first["requests"], 4) << first.dump();

    auto v4 = ours("", 32500);
    ASSERT_EQ(v4.size(), 1u) << rules().dump();
    EXPECT_EQ(v4[0]["fwmark"], "0x40");
    EXPECT_EQ(v4[0]["fwmask"], "0x60");
    EXPECT_EQ(v4[0]["table"], "180");
    auto v6 = ours("-6", 32500);
    ASSERT_EQ(v6.size(), 1u) << rules().dump();
    EXPECT_EQ(v6[0]["table"], "180");
    auto net = ours("", 1000);
    ASSERT_EQ(net.size(), 1u) << rules().dump();
    EXPECT_EQ(net[0]["src"], "10.1.0.0");
    EXPECT_EQ(net[0]["srclen"], 16);
    EXPECT_EQ(net[0]["iif"], "eth0");
    EXPECT_EQ(net[0]["table"], "100");
    auto hole = ours("-6", 1001);
    ASSERT_EQ(hole.size(), 1u) << rules().dump();
    EXPECT_EQ(hole[0]["dst"], "fd00:66::");
    EXPECT_EQ(hole[0]["dstlen"], 48);
    EXPECT_EQ(hole[0]["action"], "blackhole");
    EXPECT_EQ(hole[0]["fwmark"], "0x7");
    // The foreign rule at 32500 is still there beside nodenet's.
    size_t at_32500 = 0;
    for (const auto& r : ns.ip_json("rule show"))
        if (r.value("priority", 0u) == 32500u) ++at_32500;
    EXPECT_EQ(at_32500, 2u);

    nlohmann::json again = apply_in(ns, desired);
    EXPECT_EQ(again["converged"], true) << again.dump();
    EXPECT_EQ(again["planned"], 0) << again.dump();
    EXPECT_EQ(again["requests"], 0) << again.dump();

    // Drift: an owned rule deleted behind nodenet's back comes back, and only it.
    ns.must("-6 rule del pref 1001");
    nlohmann::json fixed = apply_in(ns, desired);
    EXPECT_EQ(fixed["converged"], true) << fixed.dump();
    EXPECT_EQ(fixed["requests"], 1) << fixed.dump();
    EXPECT_EQ(ours("-6", 1001).size(), 1u);

    // Nothing desired: nodenet's four go; the kernel's and the others' stay exactly as they were.
    nlohmann::json removed = apply_in(ns, state::DesiredState{});
    EXPECT_EQ(removed["converged"], true) << removed.dump();
    EXPECT_EQ(removed["requests"], 4) << removed.dump();
    EXPECT_EQ(rules(), before);
}

TEST_F(ApplyRules, ChangedRuleIsReplacedInPlace) {
    ASSERT_EQ(apply_in(ns, with_rules({kubespan(Family::V4, 180)}))["converged"], true);
    nlohmann::json changed = apply_in(ns, with_rules({kubespan(Family::V4, 181)}));
    EXPECT_EQ(changed["converged"], true) << changed.dump();
    EXPECT_EQ(changed["requests"], 2) << changed.dump();  // the new one added, the old one deleted
    auto v4 = ours("", 32500);
    ASSERT_EQ(v4.size(), 1u) << rules().dump();
    EXPECT_EQ(v4[0]["table"], "181");

    // A `from` narrowed to "all": the kernel would take the new rule for the old, so the old goes first.
    RoutingRule narrow = kubespan(Family::V4, 181);
    narrow.source = state::parse_ip_prefix("10.0.0.0/8");
    ASSERT_EQ(apply_in(ns, with_rules({narrow}))["converged"], true);
    nlohmann::json widened = apply_in(ns, with_rules({kubespan(Family::V4, 181)}));
    EXPECT_EQ(widened["converged"], true) << widened.dump();
    v4 = ours("", 32500);
    ASSERT_EQ(v4.size(), 1u) << rules().dump();
    EXPECT_EQ(v4[0]["src"], "all");
}

TEST_F(ApplyRules, AFailedApplyIsRolledBackRulesIncluded) {
    RoutingRule kept;
    kept.priority = 100;
    kept.table = 100;
    ASSERT_EQ(apply_in(ns, with_rules({kept, kubespan(Family::V4)}))["converged"], true);
    nlohmann::json before = rules();
    // The rule at 100 changes (added, old one deleted), the one at 32500 goes, then the kernel
    // refuses an interface name longer than IFNAMSIZ.
    RoutingRule changed = kept;
    changed.table = 101;
    RoutingRule refused;
    refused.priority = 200;
    refused.table = 100;
    refused.iif = "a-name-far-too-long-for-a-link";
    nlohmann::json failed = apply_in(ns, with_rules({changed, refused}), true);
    EXPECT_EQ(failed["converged"], false) << failed.dump();
    EXPECT_NE(failed["failure"].get<std::string>().find("IPv4 rules: add rule 200: from all iif "), std::string::npos)
        << failed.dump();
    EXPECT_EQ(failed["restored"], true) << failed.dump();
    EXPECT_EQ(rules(), before);
}

// The whole path from a RoutingRuleConfig document: `nodenet plan` shows the rules as `ip rule`
// would, `nodenet apply` adds them (both families when the document names neither), a re-apply
// changes nothing, and a config without the document takes them away.
TEST_F(ApplyRules, RoutingRuleConfigDocumentsThroughTheCommandLine) {
    cli_test::TempDir dir;
    nlohmann::json before = rules();
    std::string rules_config = dir.write("rules.yaml", R"(version: v1alpha1
machine:
  type: worker
---
apiVersion: v1alpha1
kind: RoutingRuleConfig
name: "1000"
table: "100"
fwMark: 0x40
fwMask: 0x60
---
apiVersion: v1alpha1
kind: RoutingRuleConfig
name: "1001"
dst: 192.168.50.0/24
action: unreachable
)");
    std::string empty_config = dir.write("empty.yaml", "version: v1alpha1\nmachine:\n  type: worker\n");
    auto nodenet = [&](const std::string& verb, const std::string& config) {
        return ns.run({NODENET_BINARY, verb, "-c", config, "--state-dir", (dir.path() / "state").string()});
    };
    auto plan = nodenet("plan", rules_config);
    EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
    EXPECT_NE(plan.out.find("IPv4 rules\n  + rule 1000: from all fwmark 0x40/0x60 lookup 100"), std::string::npos)
        << plan.out;
    EXPECT_NE(plan.out.find("+ rule 1001: from all to 192.168.50.0/24 unreachable    # RoutingRuleConfig[1001]"),
              std::string::npos)
        << plan.out;
    auto applied = nodenet("apply", rules_config);
    ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    EXPECT_EQ(ours("", 1000).size(), 1u);
    EXPECT_EQ(ours("-6", 1000).size(), 1u);
    auto unreachable = ours("", 1001);
    ASSERT_EQ(unreachable.size(), 1u) << rules().dump();
    EXPECT_EQ(unreachable[0]["action"], "unreachable");
    EXPECT_EQ(unreachable[0]["dst"], "192.168.50.0");
    EXPECT_EQ(ours("-6", 1001).size(), 0u) << "dst names IPv4";

    auto again = nodenet("apply", rules_config);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("No changes"), std::string::npos) << again.out;
    // Drift is seen even when the config and program are those of the in-sync record.
    ns.must("rule del pref 1001");
    auto fixed = nodenet("apply", rules_config);
    EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
    EXPECT_NE(fixed.out.find("+ rule 1001"), std::string::npos) << fixed.out;
    EXPECT_EQ(ours("", 1001).size(), 1u);

    auto removed = nodenet("apply", empty_config);
    ASSERT_EQ(removed.exit_code, 0) << removed.out << removed.err;
    EXPECT_EQ(rules(), before);
}

}  // namespace
}  // namespace nodenet::netlink_test
