// `nodenet apply` with systemd-resolved as the resolver writer, against the real daemon
// (resolved_fixture.h), read back with the package's resolvectl: the config's servers and search
// domains go on the link with the default route (--resolver auto finds the daemon on the bus), a
// re-apply changes nothing, and a link that no longer gets them is given back with RevertLink.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/cli/run_nodenet.h"
#include "tests/dns/resolved_fixture.h"

namespace nodenet::dns {
namespace {

constexpr char kUplink[] = "veth-up";
constexpr char kOther[] = "veth-lab";

std::string link_line(int ifindex, const char* link, const std::string& values) {
    return "Link " + std::to_string(ifindex) + " (" + link + "):" + values + "\n";
}

// Nothing here names a host or a static host: the sandbox's /etc is the machine's, apart from its
// private resolv.conf, and nodenet must write no file at all.
std::string config(const std::string& names) {
    return std::string("version: v1alpha1\nmachine:\n  type: worker\n  network:\n") + names +
           "    interfaces:\n"
           "      - interface: " + kUplink + "\n"
           "        addresses: [10.0.0.5/24]\n"
           "        routes:\n"
           "          - network: 0.0.0.0/0\n"
           "            gateway: 10.0.0.1\n"
           "      - interface: " + kOther + "\n"
           "        addresses: [10.9.0.5/24]\n";
}

TEST(ResolvedApply, ServersAndDomainsGoToTheUplinkAndComeBackOut) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    int uplink = sandbox.add_veth(kUplink, "veth-up-p");
    int other = sandbox.add_veth(kOther, "veth-lab-p");
    cli_test::TempDir dir;
    std::string state = (dir.path() / "state").string();
    std::string with_names = dir.write("names.yaml", config("    nameservers: [192.0.2.53, 2001:db8::53]\n"
                                                           "    searchDomains: [corp.example]\n"));
    auto apply = [&](const std::string& cfg) {
        return sandbox.run({NODENET_BINARY, "apply", "-c", cfg, "--state-dir", state});
    };

    auto plan = sandbox.run({NODENET_BINARY, "plan", "-c", with_names, "--state-dir", state});
    EXPECT_EQ(plan.exit_code, 2) << plan.err;
    EXPECT_NE(plan.out.find(std::string("systemd-resolved ") + kUplink +
                            "\n  ~ dns none; no default route -> dns 192.0.2.53, 2001:db8::53; domains corp.example; default route    "
                            "# machine.network.nameservers\n"),
              std::string::npos)
        << plan.out << plan.err;

    auto r = apply(with_names);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << sandbox.logs();
    EXPECT_EQ(sandbox.resolvectl({"dns", kUplink}).out, link_line(uplink, kUplink, " 192.0.2.53 2001:db8::53"));
    EXPECT_EQ(sandbox.resolvectl({"domain", kUplink}).out, link_line(uplink, kUplink, " corp.example"));
    EXPECT_EQ(sandbox.resolvectl({"default-route", kUplink}).out, link_line(uplink, kUplink, " yes"));
    EXPECT_EQ(sandbox.resolvectl({"dns", kOther}).out, link_line(other, kOther, ""));  // no default route there
    EXPECT_EQ(sandbox.run({"cat", "/etc/resolv.conf"}).out, "# nodenet test: no servers\n");  // not the file writer

    auto again = apply(with_names);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, "No changes: the kernel matches the config.\n");

    // The names leave the config: the link is given back (RevertLink), its settings gone.
    auto without = apply(dir.write("plain.yaml", config("")));
    ASSERT_EQ(without.exit_code, 0) << without.out << without.err;
    EXPECT_NE(without.out.find(std::string("systemd-resolved ") + kUplink + "\n  - dns 192.0.2.53, 2001:db8::53"),
              std::string::npos)
        << without.out;
    EXPECT_EQ(sandbox.resolvectl({"dns", kUplink}).out, link_line(uplink, kUplink, ""));
    EXPECT_EQ(sandbox.resolvectl({"domain", kUplink}).out, link_line(uplink, kUplink, ""));
    auto last = apply(dir.write("plain2.yaml", config("")));
    EXPECT_EQ(last.out, "No changes: the kernel matches the config.\n") << last.err;
}

TEST(ResolvedApply, UnderRootTheFileWriterLeavesResolvedAlone) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    int uplink = sandbox.add_veth(kUplink, "veth-up-p");
    cli_test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "root" / "etc");
    std::string cfg = dir.write("names.yaml", config("    nameservers: [192.0.2.53]\n"));
    // --resolver auto under --root is the file: an image being built has no resolver to ask.
    auto r = sandbox.run({NODENET_BINARY, "apply", "-c", cfg, "--root", (dir.path() / "root").string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::ifstream in(dir.path() / "root" / "etc" / "resolv.conf");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("nameserver 192.0.2.53\n"), std::string::npos) << text;
    EXPECT_EQ(sandbox.resolvectl({"dns", kUplink}).out, link_line(uplink, kUplink, ""));
}

}  // namespace
}  // namespace nodenet::dns
