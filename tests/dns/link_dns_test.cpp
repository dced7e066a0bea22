// The D-Bus reply converters: systemd-resolved's DNS (a(iay)) and Domains (a(sb)) properties are
// untrusted input; whatever they accept is a usable address or a valid DNS name, and every refusal
// names the entry and stays on one line.
#include "dns/link_dns.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "dns/dns_name.h"

namespace nodenet::dns {
namespace {

using BusServers = std::vector<std::pair<int32_t, std::vector<uint8_t>>>;
using BusDomains = std::vector<std::pair<std::string, bool>>;

const std::vector<uint8_t> kV4 = {192, 0, 2, 53};
const std::vector<uint8_t> kV6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};

std::string servers_error(const BusServers& dns) {
    auto servers = servers_from_bus(dns);
    EXPECT_FALSE(servers.ok());
    return servers.ok() ? std::string() : servers.error();
}

std::string domains_error(const BusDomains& domains) {
    auto out = domains_from_bus(domains);
    EXPECT_FALSE(out.ok());
    if (out.ok()) return "";
    EXPECT_EQ(out.error().find('\n'), std::string::npos) << "an error must stay on one log line";
    return out.error();
}

TEST(LinkDns, ServersFromBusReadsBothFamiliesInOrder) {
    auto servers = servers_from_bus({{10, kV6}, {2, kV4}});
    ASSERT_TRUE(servers.ok()) << servers.error();
    ASSERT_EQ(servers->size(), 2u);
    EXPECT_EQ((*servers)[0], *state::parse_ip_address("2001:db8::53"));
    EXPECT_EQ((*servers)[1], *state::parse_ip_address("192.0.2.53"));
}

TEST(LinkDns, EmptyArraysAreEmptyLists) {
    auto servers = servers_from_bus({});
    auto domains = domains_from_bus({});
    ASSERT_TRUE(servers.ok() && domains.ok());
    EXPECT_TRUE(servers->empty());
    EXPECT_TRUE(domains->empty());
}

TEST(LinkDns, ServersRefuseAFamilyOtherThanInetAndInet6) {
    EXPECT_EQ(servers_error({{2, kV4}, {7, kV4}}), "DNS[1]: family 7 is neither AF_INET nor AF_INET6");
    EXPECT_EQ(servers_error({{-1, kV6}}), "DNS[0]: family -1 is neither AF_INET nor AF_INET6");
    EXPECT_EQ(servers_error({{0, {}}}), "DNS[0]: family 0 is neither AF_INET nor AF_INET6");
}

TEST(LinkDns, ServersRefuseAnAddressOfTheWrongLength) {
    EXPECT_EQ(servers_error({{10, std::vector<uint8_t>(kV6.begin(), kV6.end() - 1)}}),
              "DNS[0]: AF_INET6 address of 15 bytes, expected 16");
    EXPECT_EQ(servers_error({{2, {192, 0, 2}}}), "DNS[0]: AF_INET address of 3 bytes, expected 4");
    EXPECT_EQ(servers_error({{2, kV4}, {2, kV6}}), "DNS[1]: AF_INET address of 16 bytes, expected 4");
    EXPECT_EQ(servers_error({{10, {}}}), "DNS[0]: AF_INET6 address of 0 bytes, expected 16");
}

TEST(LinkDns, DomainsKeepTheRoutingFlagAndDropATrailingDot) {
    auto domains = domains_from_bus({{"example.com.", false}, {"corp.example", true}});
    ASSERT_TRUE(domains.ok()) << domains.error();
    EXPECT_EQ(*domains, (std::vector<LinkDomain>{{"example.com", false}, {"corp.example", true}}));
}

// resolved reports the "~." of `resolvectl domain eth0 '~.'` as (".", true).
TEST(LinkDns, TheRootDomainIsKeptAsADotWhenRoutingOnly) {
    auto domains = domains_from_bus({{".", true}, {"example.com", false}});
    ASSERT_TRUE(domains.ok()) << domains.error();
    EXPECT_EQ(*domains, (std::vector<LinkDomain>{{".", true}, {"example.com", false}}));
}

TEST(LinkDns, TheRootDomainIsRefusedAsASearchDomain) {
    EXPECT_EQ(domains_error({{".", false}}),
              "Domains[0]: \".\" (the root domain) is only valid as a routing-only domain");
}

// The reason is dns_name_problem's (dns/dns_name.h words it); the entry and the quoting are ours.
std::string refusal(size_t index, const std::string& quoted, const std::string& name) {
    return "Domains[" + std::to_string(index) + "]: " + quoted + " " + dns_name_problem(name).value_or("(valid)");
}

TEST(LinkDns, DomainsRefuseALineBreakQuotingIt) {
    std::string name = "example.com\nnameserver 203.0.113.66";
    std::string error = domains_error({{"example.com", false}, {name, false}});
    EXPECT_EQ(error, refusal(1, "\"example.com\\nnameserver 203.0.113.66\"", name));
    EXPECT_NE(error.find("line break"), std::string::npos) << error;
}

TEST(LinkDns, DomainsRefuseHostileCharacters) {
    for (std::string name : {std::string("evil.example;x"), std::string("~corp.example"), std::string("a b"),
                             std::string("tab\there"), std::string("#comment")})
        EXPECT_EQ(domains_error({{name, true}}), refusal(0, quoted_name(name), name));
    std::string nul("nul\0byte", 8);
    EXPECT_EQ(domains_error({{nul, false}}), refusal(0, "\"nul\\x00byte\"", nul));
}

TEST(LinkDns, DomainsRefuseEmptyNamesAndLabels) {
    for (std::string name : {"", "..", "a..b", ".a", "-a.example", "a-.example"})
        EXPECT_EQ(domains_error({{name, false}}), refusal(0, quoted_name(name), name)) << name;
}

TEST(LinkDns, DomainsRefuseAnOverlongNameQuotingOnlyItsStart) {
    std::string label(63, 'a');
    std::string name = label + "." + label + "." + label + "." + label + "." + label;  // 319 characters
    std::string error = domains_error({{name, false}});
    EXPECT_EQ(error, refusal(0, "\"" + name.substr(0, 64) + "\"...", name));
    EXPECT_NE(error.find("319"), std::string::npos) << error;
    EXPECT_LT(error.size(), 200u) << error;

    std::string long_label = std::string(64, 'x') + ".example";
    EXPECT_EQ(domains_error({{long_label, false}}), refusal(0, "\"" + std::string(64, 'x') + "\"...", long_label));
}

TEST(LinkDns, TheLongestValidNameIsAccepted) {
    std::string label(63, 'a');
    std::string name = label + "." + label + "." + label + "." + std::string(61, 'b');  // 253 characters
    auto domains = domains_from_bus({{name + ".", true}});
    ASSERT_TRUE(domains.ok()) << domains.error();
    EXPECT_EQ(domains->at(0).name, name);
}

}  // namespace
}  // namespace nodenet::dns
