// The daemon and policy routing rules: a rule nodenet added and someone deleted comes back, as a
// deleted address or route does (the kernel's rule notifications wake the daemon); others' rules
// are left alone.
#include <gtest/gtest.h>

#include "tests/daemon/daemon_fixture.h"

namespace nodenet::daemon_test {
namespace {

// Rules of `family` ("" or "-6") at `priority` that carry nodenet's protocol.
size_t own_rules(const TestNetns& ns, const std::string& family, uint32_t priority) {
    size_t n = 0;
    for (const auto& r : ns.ip_json(family + " rule show"))
        if (r.value("priority", 0u) == priority && r.value("protocol", "") == "110") ++n;
    return n;
}

TEST(DaemonRules, RestoresADeletedRuleAndLeavesForeignOnesAlone) {
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
    TestNetns ns;
    TempDir dir;
    DaemonMachine m(ns, dir);
    m.write_config(static_config() + R"(---
apiVersion: v1alpha1
kind: RoutingRuleConfig
name: "1000"
table: "100"
fwMark: 0x40
fwMask: 0x60
)");
    ns.must("rule add from 10.77.0.0/16 lookup 77 pref 1000");  // foreign, at the same priority
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    ASSERT_EQ(own_rules(ns, "", 1000), 1u) << ns.ip_json("rule show").dump();
    ASSERT_EQ(own_rules(ns, "-6", 1000), 1u) << ns.ip_json("-6 rule show").dump();

    ns.must("-6 rule del pref 1000 fwmark 0x40/0x60 lookup 100");
    ASSERT_TRUE(eventually([&] { return own_rules(ns, "-6", 1000) == 1; }, 5s)) << m.log();
    EXPECT_NE(m.events().find("drift IPv6 rules: + rule 1000: from all fwmark 0x40/0x60 lookup 100"),
              std::string::npos)
        << m.events();
    size_t foreign = 0;
    for (const auto& r : ns.ip_json("rule show")) foreign += r.value("table", "") == "77";
    EXPECT_EQ(foreign, 1u);
    EXPECT_EQ(own_rules(ns, "", 1000), 1u);
}

}  // namespace
}  // namespace nodenet::daemon_test
