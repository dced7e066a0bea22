// resolv.conf and /etc/hosts byte for byte: the layout Talos writes (reference §1.11).
#include <gtest/gtest.h>

#include "dns/hosts_file.h"
#include "dns/resolv_conf.h"

namespace nodenet::dns {
namespace {

state::IpAddress ip(const char* s) { return *state::parse_ip_address(s); }

TEST(ResolvConf, ThreeServersABlankLineAndSearch) {
    state::HostSettings::Resolver r{{{ip("10.0.0.53"), ""}, {ip("fe80::1"), "eth0"}, {ip("2001:db8::53"), ""},
                                     {ip("10.0.0.54"), ""}},
                                    {{"corp.example", ""}, {"lan.example", "eth0"}},
                                    "machine.network.nameservers"};
    ResolvConf out = render_resolv_conf(r);
    EXPECT_EQ(out.content,
              "# Written by nodenet from the machine config and DHCP; `nodenet apply` replaces edits.\n"
              "nameserver 10.0.0.53\n"
              "nameserver fe80::1%eth0\n"
              "nameserver 2001:db8::53\n"
              "\n"
              "search corp.example lan.example\n");
    ASSERT_EQ(out.warnings.size(), 1u);
    EXPECT_EQ(out.warnings[0], "resolv.conf holds 3 nameservers (glibc reads no more); left out: 10.0.0.54");
}

TEST(ResolvConf, NoSearchLineWithoutDomainsAndInvalidNamesNeverWritten) {
    state::HostSettings::Resolver r{{{ip("1.1.1.1"), ""}}, {{"bad\nnameserver 6.6.6.6", ""}}, ""};
    EXPECT_EQ(render_resolv_conf(r).content,
              "# Written by nodenet from the machine config and DHCP; `nodenet apply` replaces edits.\n"
              "nameserver 1.1.1.1\n");
}

TEST(HostsFile, TalosLayoutAlignedLikeTabwriter) {
    state::HostSettings::Hosts h{ip("10.0.0.5"),
                                 {{ip("10.0.0.2"), {"db"}}, {ip("2001:db8::9"), {"gw6", "bad name"}}},
                                 ""};
    state::HostSettings::Hostname name{{"node1", "example.com"}, ""};
    EXPECT_EQ(render_hosts(h, name),
              "# Written by nodenet from the machine config; `nodenet apply` replaces edits.\n"
              "127.0.0.1   localhost\n"
              "10.0.0.5    node1.example.com node1\n"
              "::1         localhost ip6-localhost ip6-loopback\n"
              "ff02::1     ip6-allnodes\n"
              "ff02::2     ip6-allrouters\n"
              "10.0.0.2    db\n"
              "2001:db8::9 gw6\n");
    // A short name alone is not repeated; no node line without an address.
    EXPECT_EQ(render_hosts({std::nullopt, {}, ""}, state::HostSettings::Hostname{{"node1", ""}, ""}),
              "# Written by nodenet from the machine config; `nodenet apply` replaces edits.\n"
              "127.0.0.1 localhost\n"
              "::1       localhost ip6-localhost ip6-loopback\n"
              "ff02::1   ip6-allnodes\n"
              "ff02::2   ip6-allrouters\n");
}

}  // namespace
}  // namespace nodenet::dns
