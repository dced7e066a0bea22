// Resolvers, host names and static hosts through desired_state(): config and lease layers merged
// by Talos's rules (reference §1.3), and the defaults only where a higher layer asks for them.
#include <gtest/gtest.h>

#include "state/desired.h"
#include "state/from_dhcp4.h"
#include "state/from_dhcp6.h"
#include "tests/state/state_fixtures.h"

namespace nodenet::state {
namespace {

using testing::any_contains;
using testing::ip;
using testing::machine_network;
using testing::parse_config;
using testing::prefix;
using testing::test_kernel;
using namespace std::chrono_literals;

std::vector<std::string> servers(const HostSettings& h) {
    std::vector<std::string> out;
    for (const Nameserver& n : h.resolver->servers) out.push_back(n.address.str() + (n.link.empty() ? "" : "@" + n.link));
    return out;
}

std::vector<std::string> domains(const HostSettings& h) {
    std::vector<std::string> out;
    for (const SearchDomain& d : h.resolver->search_domains) out.push_back(d.name);
    return out;
}

dhcp::Lease lease(std::vector<std::string> dns, std::vector<std::string> search, std::optional<std::string> hostname,
                  std::optional<std::string> domain = std::nullopt) {
    dhcp::Lease l;
    l.address = prefix("192.168.1.20/24");
    l.server_id = ip("192.168.1.1");
    l.routers = {ip("192.168.1.1")};
    for (const auto& s : dns) l.dns.push_back(ip(s));
    l.search_domains = std::move(search);
    l.hostname = std::move(hostname);
    l.domain = std::move(domain);
    l.lease_time = 3600s;
    l.t1 = 1800s;
    l.t2 = 3150s;
    return l;
}

LayeredSpecs dhcp_layer(const dhcp::Lease& l, bool ignore_hostname = false) {
    return specs_from_dhcp4("eth0", l, {kDefaultRouteMetric, false, ignore_hostname}, dhcp::TimePoint{});
}

HostSettings host_of(const std::string& config, std::vector<LayeredSpecs> leases = {}, DesiredOptions options = {}) {
    auto r = desired_state(parse_config(config), test_kernel(), std::move(leases), options);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    return r.ok() ? r->state.host : HostSettings{};
}

TEST(HostMerge, NothingNamedLeavesEverythingAlone) {
    HostSettings h = host_of(machine_network("    interfaces:\n      - interface: eth0\n        addresses: [10.0.0.5/24]\n"));
    EXPECT_EQ(h, HostSettings{});  // no resolv.conf, hosts or host name managed: the defaults alone do not count
}

TEST(HostMerge, ConfigServersAndDomainsWithTheHostnameDomain) {
    HostSettings h = host_of(machine_network("    hostname: node1.example.com\n"
                                             "    nameservers: [10.0.0.53, 2001:db8::53, dns.google]\n"
                                             "    searchDomains: [corp.example]\n"));
    ASSERT_TRUE(h.resolver);
    EXPECT_EQ(servers(h), (std::vector<std::string>{"10.0.0.53", "2001:db8::53"}));  // a name is no server: dropped
    EXPECT_EQ(domains(h), (std::vector<std::string>{"corp.example", "example.com"}));
    EXPECT_EQ(h.resolver->source, "machine.network.nameservers");
    ASSERT_TRUE(h.hostname);
    EXPECT_EQ(h.hostname->name.hostname, "node1");
    EXPECT_EQ(h.hostname->name.domainname, "example.com");
    ASSERT_TRUE(h.hosts);
}

TEST(HostMerge, DisableSearchDomainKeepsTheHostnameDomainOut) {
    HostSettings h = host_of(machine_network("    hostname: node1.example.com\n    nameservers: [10.0.0.53]\n"
                                             "    disableSearchDomain: true\n"));
    ASSERT_TRUE(h.resolver);
    EXPECT_TRUE(domains(h).empty());
}

TEST(HostMerge, DomainsWithoutServersTakeTheDefaults) {
    HostSettings h = host_of(machine_network("    searchDomains: [corp.example]\n"));
    ASSERT_TRUE(h.resolver);
    EXPECT_EQ(servers(h), (std::vector<std::string>{"1.1.1.1", "8.8.8.8"}));
    EXPECT_EQ(h.resolver->source, "machine.network.searchDomains, default nameservers");
    // --default-nameservers none: no servers, so no resolver at all (Talos: none without nameservers).
    EXPECT_FALSE(host_of(machine_network("    searchDomains: [corp.example]\n"), {}, DesiredOptions{{}}).resolver);
}

TEST(HostMerge, LeaseServersReplaceTheDefaultsPerFamilyAndConfigReplacesThem) {
    dhcp::Lease l = lease({"192.168.1.1"}, {"lan.example"}, "dhcp-name", "lan.example");
    DesiredOptions v6_defaults{{ip("1.1.1.1"), ip("2606:4700:4700::1111")}};
    HostSettings h = host_of(machine_network("    interfaces:\n      - interface: eth0\n        dhcp: true\n"),
                             {dhcp_layer(l)}, v6_defaults);
    ASSERT_TRUE(h.resolver);
    // The lease has no IPv6 server: the defaults' IPv6 one stays after the lease's.
    EXPECT_EQ(servers(h), (std::vector<std::string>{"192.168.1.1@eth0", "2606:4700:4700::1111"}));
    EXPECT_EQ(domains(h), (std::vector<std::string>{"lan.example"}));
    ASSERT_TRUE(h.hostname);
    EXPECT_EQ(h.hostname->name.fqdn(), "dhcp-name.lan.example");
    EXPECT_EQ(h.hostname->source, "dhcp4/eth0");

    HostSettings c = host_of(machine_network("    hostname: node1\n    nameservers: [10.0.0.53]\n"
                                             "    interfaces:\n      - interface: eth0\n        dhcp: true\n"),
                             {dhcp_layer(l)});
    EXPECT_EQ(servers(c), (std::vector<std::string>{"10.0.0.53"}));  // the configuration layer replaces
    EXPECT_EQ(domains(c), (std::vector<std::string>{"lan.example"}));  // and joins domains it did not write
    EXPECT_EQ(c.hostname->name.fqdn(), "node1");                       // the higher layer's name wins whole
}

TEST(HostMerge, AnExplicitDomainListReplacesTheLeases) {
    dhcp::Lease l = lease({"192.168.1.1"}, {"lan.example"}, std::nullopt);
    std::string network = "    interfaces:\n      - interface: eth0\n        dhcp: true\n";
    HostSettings h = host_of(machine_network(network + "    searchDomains: []\n"), {dhcp_layer(l)});
    ASSERT_TRUE(h.resolver);
    EXPECT_TRUE(domains(h).empty());  // Talos #13870: an explicitly empty list clears DHCP's domains
    EXPECT_EQ(servers(h), (std::vector<std::string>{"192.168.1.1@eth0"}));
}

TEST(HostMerge, HostileLeaseNamesAreRefusedWithAWarning) {
    dhcp::Lease l = lease({"192.168.1.1", "0.0.0.0", "127.0.0.1"}, {"evil\nnameserver 6.6.6.6", "ok.example"},
                          "bad host", "x;y");
    auto r = desired_state(parse_config(machine_network("    interfaces:\n      - interface: eth0\n        dhcp: true\n")),
                           test_kernel(), {dhcp_layer(l)});
    ASSERT_TRUE(r.ok());
    const HostSettings& h = r->state.host;
    EXPECT_EQ(servers(h), (std::vector<std::string>{"192.168.1.1@eth0"}));
    EXPECT_EQ(domains(h), (std::vector<std::string>{"ok.example"}));
    EXPECT_FALSE(h.hostname);
    EXPECT_TRUE(any_contains(r->warnings, "dhcp4/eth0: search domain \"evil\\nnameserver 6.6.6.6\" refused: contains a line break"));
    EXPECT_TRUE(any_contains(r->warnings, "dhcp4/eth0: host name \"bad host\" refused: contains whitespace"));
}

TEST(HostMerge, IgnoreHostnameDropsTheLeasesName) {
    dhcp::Lease l = lease({"192.168.1.1"}, {}, "dhcp-name");
    HostSettings h = host_of(machine_network("    interfaces:\n      - interface: eth0\n        dhcp: true\n"),
                             {dhcp_layer(l, true)});
    EXPECT_FALSE(h.hostname);
}

TEST(HostMerge, Dhcp6ServersKeepTheirLink) {
    dhcp::v6::Lease l;
    l.address = ip("2001:db8::20");
    l.valid = l.preferred = 3600s;
    l.dns = {ip("fe80::1")};
    l.domains = {"v6.example"};
    HostSettings h = host_of(machine_network("    hostname: node1.example.com\n"),
                             {specs_from_dhcp6("eth0", l, kDefaultRouteMetric, dhcp::TimePoint{})});
    ASSERT_TRUE(h.resolver);
    // Talos's family rule: the lease has no IPv4 server, so the defaults' IPv4 ones stay after it.
    EXPECT_EQ(servers(h), (std::vector<std::string>{"fe80::1@eth0", "1.1.1.1", "8.8.8.8"}));
    EXPECT_EQ(domains(h), (std::vector<std::string>{"v6.example", "example.com"}));

    // An explicit list in the config replaces the lease's domains.
    HostSettings c = host_of(machine_network("    searchDomains: [corp.example]\n"),
                             {specs_from_dhcp6("eth0", l, kDefaultRouteMetric, dhcp::TimePoint{})});
    EXPECT_EQ(domains(c), (std::vector<std::string>{"corp.example"}));
}

TEST(HostMerge, StaticHostsGroupedPerIpSortedAndTheNodeAddressOnTheUplink) {
    HostSettings h = host_of(
        "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    hostname: node1.example.com\n"
        "    interfaces:\n      - interface: eth1\n        addresses: [10.1.0.5/24]\n"
        "      - interface: eth0\n        addresses: [127.0.0.2/8, 10.0.0.5/24, 2001:db8::5/64]\n"
        "        routes:\n          - network: 0.0.0.0/0\n            gateway: 10.0.0.1\n"
        "    extraHostEntries:\n      - ip: 10.0.0.9\n        aliases: [gw]\n      - ip: 10.0.0.2\n        aliases: [db]\n"
        "---\napiVersion: v1alpha1\nkind: StaticHostConfig\nname: 10.0.0.9\nhostnames: [gw, gateway.example]\n");
    ASSERT_TRUE(h.hosts);
    ASSERT_TRUE(h.hosts->node_address);
    EXPECT_EQ(h.hosts->node_address->str(), "10.0.0.5");  // eth0 has the default route; never loopback
    ASSERT_EQ(h.hosts->entries.size(), 2u);
    EXPECT_EQ(h.hosts->entries[0].ip.str(), "10.0.0.2");
    EXPECT_EQ(h.hosts->entries[1].names, (std::vector<std::string>{"gw", "gateway.example"}));
}

}  // namespace
}  // namespace nodenet::state
