// plan_host: which files, names and systemd-resolved links change, and which do not.
#include <gtest/gtest.h>

#include "dns/resolv_conf.h"
#include "plan/host_plan.h"

namespace nodenet::plan {
namespace {

state::IpAddress ip(const char* s) { return *state::parse_ip_address(s); }

state::DesiredState desired_with_resolver() {
    state::DesiredState d;
    d.host.resolver = state::HostSettings::Resolver{{{ip("10.0.0.53"), ""}, {ip("192.168.1.1"), "eth1"}},
                                                    {{"corp.example", ""}, {"lan.example", "eth1"}},
                                                    "machine.network.nameservers"};
    state::Route def;
    def.link = "eth0";
    def.destination = *state::parse_ip_prefix("0.0.0.0/0");
    def.gateway = ip("10.0.0.1");
    d.routes[def.key()] = def;
    return d;
}

TEST(HostPlan, WritesOnlyWhatDiffers) {
    state::DesiredState d = desired_with_resolver();
    HostObserved seen;
    HostPlan p = plan_host(d, seen, {});
    ASSERT_EQ(p.operations.size(), 1u);
    auto& w = std::get<WriteFile>(p.operations[0].change);
    EXPECT_EQ(w.path, "/etc/resolv.conf");
    EXPECT_FALSE(w.before);
    EXPECT_EQ(describe(p.operations[0]), "+ nameservers 10.0.0.53, 192.168.1.1; search corp.example lan.example");
    EXPECT_EQ(p.operations[0].reason, "machine.network.nameservers");

    seen.resolv_conf = {true, std::nullopt, w.content};
    EXPECT_TRUE(plan_host(d, seen, {}).operations.empty());  // same bytes: not rewritten
}

TEST(HostPlan, ASymlinkedResolvConfIsRefusedUnlessForced) {
    state::DesiredState d = desired_with_resolver();
    HostObserved seen;
    seen.resolv_conf = {true, std::string("../run/systemd/resolve/stub-resolv.conf"), ""};
    HostPlan p = plan_host(d, seen, {});
    EXPECT_TRUE(p.operations.empty());
    ASSERT_EQ(p.refusals.size(), 1u);
    EXPECT_EQ(p.refusals[0].path, "/etc/resolv.conf");
    EXPECT_EQ(p.refusals[0].why,
              "a symlink to ../run/systemd/resolve/stub-resolv.conf (use --resolver resolved when it is "
              "systemd-resolved's, or --force to replace the link with a file)");
    HostTargets forced;
    forced.force = true;
    HostPlan f = plan_host(d, seen, forced);
    EXPECT_TRUE(f.refusals.empty());
    ASSERT_EQ(f.operations.size(), 1u);
    EXPECT_FALSE(std::get<WriteFile>(f.operations[0].change).before);  // a rollback removes the file, the link is gone
}

TEST(HostPlan, ResolvedGetsTheLeasesOnTheirLinkAndTheConfigsOnTheUplink) {
    state::DesiredState d = desired_with_resolver();
    auto links = resolved_links(*d.host.resolver, d);
    ASSERT_EQ(links.size(), 2u);
    EXPECT_EQ(links["eth0"].servers, (std::vector<state::IpAddress>{ip("10.0.0.53")}));
    EXPECT_EQ(links["eth0"].domains, (std::vector<dns::LinkDomain>{{"corp.example", false}}));
    EXPECT_EQ(links["eth1"].servers, (std::vector<state::IpAddress>{ip("192.168.1.1")}));
    EXPECT_EQ(links["eth1"].domains, (std::vector<dns::LinkDomain>{{"lan.example", false}}));
    EXPECT_EQ(links["eth1"].default_route, true);

    HostObserved seen;
    seen.resolved["eth0"] = {2, links["eth0"]};  // already so
    seen.resolved["eth1"] = {3, {}};
    seen.resolved["eth2"] = {4, {{ip("10.9.9.9")}, {}, true}};
    seen.resolved_owned = {"eth2"};  // nodenet set it before; nothing wants it now
    HostTargets t;
    t.resolver = ResolverWriter::Resolved;
    HostPlan p = plan_host(d, seen, t);
    ASSERT_EQ(p.operations.size(), 2u);
    auto& set = std::get<SetLinkDns>(p.operations[0].change);
    EXPECT_EQ(set.link, "eth1");
    EXPECT_EQ(set.ifindex, 3);
    auto& revert = std::get<RevertLinkDns>(p.operations[1].change);
    EXPECT_EQ(revert.link, "eth2");
    EXPECT_EQ(describe(p.operations[1]), "- dns 10.9.9.9; default route");
}

TEST(HostPlan, HostNameToTheKernelOrToTheFileUnderRoot) {
    state::DesiredState d;
    d.host.hostname = state::HostSettings::Hostname{{"node1", "example.com"}, "machine.network.hostname"};
    HostObserved seen;
    seen.hostname = {"vm", ""};
    HostPlan k = plan_host(d, seen, {});
    ASSERT_EQ(k.operations.size(), 1u);
    EXPECT_EQ(describe(k.operations[0]), "~ host name vm -> node1.example.com");
    seen.hostname = {"node1", "example.com"};
    EXPECT_TRUE(plan_host(d, seen, {}).operations.empty());

    HostTargets image;
    image.hostname = HostnameWriter::File;
    HostPlan f = plan_host(d, seen, image);
    ASSERT_EQ(f.operations.size(), 1u);
    EXPECT_EQ(std::get<WriteFile>(f.operations[0].change).content, "node1\n");
}

}  // namespace
}  // namespace nodenet::plan
