// nodenet's systemd-resolved client against the real daemon (unpacked from the Debian package, run
// in private namespaces by resolved_fixture.h), checked with the package's own resolvectl.
#include "dns/io/resolved_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "tests/dns/resolved_fixture.h"

namespace nodenet::dns {
namespace {

constexpr char kLink[] = "veth-dns";
constexpr char kPeer[] = "veth-dns-p";

LinkDns sample() {
    LinkDns dns;
    dns.servers = {*state::parse_ip_address("192.0.2.53"), *state::parse_ip_address("2001:db8::53")};
    dns.domains = {{"example.com", false}, {"corp.example", true}};
    dns.default_route = true;
    return dns;
}

// One line a failed comparison shows in full: "192.0.2.53 2001:db8::53 | example.com
// ~corp.example | default-route yes".
std::string describe(const LinkDns& dns) {
    std::string out;
    for (const auto& s : dns.servers) out += (out.empty() ? "" : " ") + s.str();
    out += " |";
    for (const auto& d : dns.domains) out += " " + std::string(d.routing_only ? "~" : "") + d.name;
    out += " | default-route ";
    out += !dns.default_route ? "unset" : *dns.default_route ? "yes" : "no";
    return out;
}

// The client's answer to `set_link` then `read_link`, from inside the sandbox.
std::string set_then_read(const dns_test::ResolvedSandbox& sandbox, int ifindex, const LinkDns& dns) {
    return sandbox.in_child([&] {
        auto client = connect_resolved();
        if (!client) return "connect: " + client.error();
        if (auto set = (*client)->set_link(ifindex, kLink, dns); !set) return "set_link: " + set.error();
        auto read = (*client)->read_link(ifindex, kLink);
        return read ? describe(*read) : "read_link: " + read.error();
    });
}

std::string link_line(int ifindex, const std::string& values) {
    return "Link " + std::to_string(ifindex) + " (" + kLink + "):" + values + "\n";
}

TEST(ResolvedClient, SeesTheDaemonRunning) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    std::string answer = sandbox.in_child([] {
        auto client = connect_resolved();
        if (!client) return "connect: " + client.error();
        auto running = (*client)->running();
        return running ? std::string(*running ? "running" : "not running") : running.error();
    });
    EXPECT_EQ(answer, "running");
}

TEST(ResolvedClient, SetLinkShowsInResolvectl) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    int ifindex = sandbox.add_veth(kLink, kPeer);
    ASSERT_EQ(set_then_read(sandbox, ifindex, sample()), describe(sample())) << sandbox.logs();

    auto dns = sandbox.resolvectl({"dns", kLink});
    ASSERT_EQ(dns.exit_code, 0) << dns.err;
    EXPECT_EQ(dns.out, link_line(ifindex, " 192.0.2.53 2001:db8::53"));
    auto domains = sandbox.resolvectl({"domain", kLink});
    ASSERT_EQ(domains.exit_code, 0) << domains.err;
    EXPECT_EQ(domains.out, link_line(ifindex, " example.com ~corp.example"));
    auto default_route = sandbox.resolvectl({"default-route", kLink});
    ASSERT_EQ(default_route.exit_code, 0) << default_route.err;
    EXPECT_EQ(default_route.out, link_line(ifindex, " yes"));
}

// What resolvectl set, read back: the client reads what others (networkd, an operator) configured.
TEST(ResolvedClient, ReadLinkReturnsWhatResolvectlSet) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    int ifindex = sandbox.add_veth(kLink, kPeer);
    for (auto args : {std::vector<std::string>{"dns", kLink, "2001:db8::1", "198.51.100.1"},
                      std::vector<std::string>{"domain", kLink, "~.", "lab.example."},
                      std::vector<std::string>{"default-route", kLink, "no"}}) {
        auto r = sandbox.resolvectl(args);
        ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    }
    std::string read = sandbox.in_child([&] {
        auto client = connect_resolved();
        if (!client) return "connect: " + client.error();
        auto dns = (*client)->read_link(ifindex, kLink);
        return dns ? describe(*dns) : dns.error();
    });
    EXPECT_EQ(read, "2001:db8::1 198.51.100.1 | ~. lab.example | default-route no");
}

TEST(ResolvedClient, TheRootRoutingDomainRoundTripsAsADot) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    int ifindex = sandbox.add_veth(kLink, kPeer);
    LinkDns dns = sample();
    dns.domains = {{".", true}};
    EXPECT_EQ(set_then_read(sandbox, ifindex, dns), "192.0.2.53 2001:db8::53 | ~. | default-route yes");
    auto domains = sandbox.resolvectl({"domain", kLink});
    EXPECT_EQ(domains.out, link_line(ifindex, " ~.")) << domains.err;
}

TEST(ResolvedClient, RevertLinkDropsEverything) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    int ifindex = sandbox.add_veth(kLink, kPeer);
    ASSERT_EQ(set_then_read(sandbox, ifindex, sample()), describe(sample()));
    std::string after = sandbox.in_child([&] {
        auto client = connect_resolved();
        if (!client) return "connect: " + client.error();
        if (auto revert = (*client)->revert_link(ifindex, kLink); !revert) return revert.error();
        auto read = (*client)->read_link(ifindex, kLink);
        return read ? describe(*read) : read.error();
    });
    // With nothing configured, DefaultRoute is what is in effect, which depends on the link's
    // scopes (none here: no addresses); whatever it is, the client reads what resolvectl shows.
    auto default_route = sandbox.resolvectl({"default-route", kLink});
    ASSERT_EQ(default_route.exit_code, 0) << default_route.err;
    std::string in_effect = default_route.out.substr(default_route.out.rfind(' ') + 1);
    EXPECT_EQ(after, " | | default-route " + in_effect.substr(0, in_effect.size() - 1));
    auto dns = sandbox.resolvectl({"dns", kLink});
    EXPECT_EQ(dns.out, link_line(ifindex, "")) << dns.err;
    auto domains = sandbox.resolvectl({"domain", kLink});
    EXPECT_EQ(domains.out, link_line(ifindex, "")) << domains.err;
}

TEST(ResolvedClient, ErrorsNameTheLinkAndTheMethod) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    std::string errors = sandbox.in_child([] {
        auto client = connect_resolved();
        if (!client) return "connect: " + client.error();
        const int nowhere = 4242;  // no such link in the sandbox's fresh namespace
        std::string out;
        if (auto set = (*client)->set_link(nowhere, "ghost0", sample()); !set) out += set.error() + "\n";
        if (auto read = (*client)->read_link(nowhere, "ghost0"); !read) out += read.error() + "\n";
        if (auto revert = (*client)->revert_link(nowhere, "ghost0"); !revert) out += revert.error() + "\n";
        return out;
    });
    EXPECT_EQ(errors,
              "ghost0: SetLinkDNS: org.freedesktop.resolve1.NoSuchLink: Link 4242 not known\n"
              "ghost0: GetLink: org.freedesktop.resolve1.NoSuchLink: Link 4242 not known\n"
              "ghost0: RevertLink: org.freedesktop.resolve1.NoSuchLink: Link 4242 not known\n");
}

// resolved refuses what it cannot use; the refusal names the call, after the calls that succeeded.
TEST(ResolvedClient, RefusedDomainsNameSetLinkDomains) {
    NODENET_RESOLVED_OR_SKIP(sandbox);
    int ifindex = sandbox.add_veth(kLink, kPeer);
    LinkDns dns = sample();
    dns.domains = {{".", false}};  // the root as a search domain
    std::string error = set_then_read(sandbox, ifindex, dns);
    EXPECT_EQ(error.rfind(std::string("set_link: ") + kLink + ": SetLinkDomains: org.freedesktop.DBus.Error.InvalidArgs: ", 0),
              0u)
        << error;
}

// No bus at all: an error value, never an exception or a hang. Needs no namespace.
TEST(ResolvedClient, NoBusIsAnErrorValue) {
    std::optional<std::string> saved;
    if (const char* old = std::getenv("DBUS_SYSTEM_BUS_ADDRESS")) saved = old;
    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/nodenet-test/bus", 1);
    std::string error;
    if (auto client = connect_resolved(); !client) {
        error = client.error();
    } else if (auto running = (*client)->running(); !running) {
        error = running.error();
    }
    if (saved) setenv("DBUS_SYSTEM_BUS_ADDRESS", saved->c_str(), 1);
    else unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace nodenet::dns
