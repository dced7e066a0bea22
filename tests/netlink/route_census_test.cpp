// The route count of a namespace from the kernel's FIB statistics: parsed from texts as this kernel
// writes them, and read in a throwaway namespace against `ip route show table all`.
#include <gtest/gtest.h>

#include <string>

#include "netlink/route_census.h"
#include "tests/netlink/netns.h"

namespace nodenet::netlink_test {
namespace {

// One table's statistics as Linux 6.x writes them.
#define NODENET_TRIE_10003 \
    "\tAver depth:     1.00\n\tMax depth:      2\n\tLeaves:         10003\n\tPrefixes:       10003\n" \
    "\tInternal nodes: 2\n\t  2: 1  15: 1\n\tPointers: 32772\nNull ptrs: 22768\nTotal size: 1273  kB\n"

// No policy rules: local and main are one trie, shown under both names.
constexpr const char* kMerged = "Basic info: size of leaf: 48 bytes, size of tnode: 40 bytes.\n"
                                "Main:\n" NODENET_TRIE_10003 "Local:\n" NODENET_TRIE_10003;

// With policy rules the tables are apart; another table has an "Id" heading.
constexpr const char* kSeparate = R"(Basic info: size of leaf: 48 bytes, size of tnode: 40 bytes.
Local:
	Aver depth:     2.25
	Max depth:      3
	Leaves:         4
	Prefixes:       4
	Internal nodes: 3
	  1: 2  2: 1
	Pointers: 8
Null ptrs: 2
Total size: 1  kB
Main:
	Aver depth:     1.50
	Max depth:      2
	Leaves:         2
	Prefixes:       3
	Internal nodes: 1
	  1: 1
	Pointers: 2
Null ptrs: 0
Total size: 1  kB
Id 100:
	Aver depth:     1.00
	Max depth:      1
	Leaves:         1
	Prefixes:       1
	Internal nodes: 0
	Pointers: 0
Null ptrs: 0
Total size: 1  kB
)";

TEST(RouteCensus, MergedLocalAndMainAreCountedOnce) {
    EXPECT_EQ(netlink::ipv4_routes_from_triestat(kMerged), 10003u);
}

TEST(RouteCensus, SeparateTablesAreAddedUp) {
    EXPECT_EQ(netlink::ipv4_routes_from_triestat(kSeparate), 8u);
}

TEST(RouteCensus, TextsThatAreNotTheKernelsGiveNothing) {
    EXPECT_EQ(netlink::ipv4_routes_from_triestat(""), std::nullopt);
    EXPECT_EQ(netlink::ipv4_routes_from_triestat("Main:\n\tPrefixes: many\n"), std::nullopt);
    EXPECT_EQ(netlink::ipv4_routes_from_triestat("Main:\n\tLeaves: 3\n"), std::nullopt) << "a table without a count";
    EXPECT_EQ(netlink::ipv6_routes_from_rt6_stats("0006 0004 0018 002a 0000 0000 0000\n"), 42u);
    EXPECT_EQ(netlink::ipv6_routes_from_rt6_stats("0006 0004"), std::nullopt);
    EXPECT_EQ(netlink::ipv6_routes_from_rt6_stats("0006 0004 0018 zz 0000"), std::nullopt);
}

size_t ip_route_count(const TestNetns& ns) {
    size_t n = 0;
    for (const char* family : {"-4", "-6"}) n += ns.ip_json(std::string(family) + " route show table all").size();
    return n;
}

TEST(RouteCensus, CountsEveryRouteOfTheNamespace) {
    NODENET_NETNS_OR_SKIP(ns);
    ns.must("link set lo up");
    ns.must("link add eth0 type veth peer name eth1");
    ns.must("link set eth0 up");
    ns.must("link set eth1 up");
    ns.must("addr add 10.1.0.5/24 dev eth0");
    ns.must("addr add 2001:db8:1::5/64 dev eth0 nodad");
    for (int i = 0; i < 40; ++i) ns.must("route add 10.50." + std::to_string(i) + ".0/24 via 10.1.0.1");
    ns.must("route add 10.60.0.0/16 via 10.1.0.1 table 100");
    ns.must("route add 2001:db8:70::/48 via 2001:db8:1::1");
    auto counted = [&] { return ns.in_child([] { auto n = netlink::routes_in_namespace(); return n ? std::to_string(*n) : "none"; }); };
    EXPECT_EQ(counted(), std::to_string(ip_route_count(ns)));
    ns.must("rule add from 10.1.0.5 table 100");  // the kernel now keeps local and main apart
    EXPECT_EQ(counted(), std::to_string(ip_route_count(ns)));
}

}  // namespace
}  // namespace nodenet::netlink_test
