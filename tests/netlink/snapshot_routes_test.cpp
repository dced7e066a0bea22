// Routes of a real kernel, read by read_kernel_state() inside a throwaway namespace and compared
// field by field with `ip -j -d route show table all`; and the filters, which the kernel applies.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <map>
#include <string>
#include <tuple>

#include "tests/netlink/netns.h"

namespace nodenet::netlink_test {
namespace {

using nlohmann::json;

int number_or(const std::map<std::string, int>& names, const std::string& text) {
    auto it = names.find(text);
    return it != names.end() ? it->second : std::stoi(text);
}

// ip's JSON route in the shape of raw_json()'s, so that the two compare as wholes.
json normalize_ip_route(const json& r, int family, const std::map<std::string, int>& index_of) {
    static const std::map<std::string, int> kTables = {{"main", 254}, {"local", 255}, {"default", 253}};
    static const std::map<std::string, int> kProtocols = {{"unspec", 0}, {"redirect", 1}, {"kernel", 2},
                                                          {"boot", 3},   {"static", 4},   {"ra", 9},
                                                          {"dhcp", 16}};
    static const std::map<std::string, int> kScopes = {{"global", 0}, {"site", 200}, {"link", 253}, {"host", 254}};
    static const std::map<std::string, int> kTypes = {{"unicast", 1},   {"local", 2},       {"broadcast", 3},
                                                      {"anycast", 4},   {"multicast", 5},   {"blackhole", 6},
                                                      {"unreachable", 7}, {"prohibit", 8}, {"throw", 9}};
    std::string dst = r.at("dst");
    if (dst == "default") dst = family == 4 ? "0.0.0.0/0" : "::/0";
    if (dst.find('/') == std::string::npos) dst += family == 4 ? "/32" : "/128";
    std::string gateway = r.value("gateway", "");
    if (r.contains("via")) gateway = r["via"].at("host");
    uint32_t mtu = 0;
    for (const auto& m : r.value("metrics", json::array()))
        if (m.contains("mtu")) mtu = m["mtu"];
    return json{{"table", number_or(kTables, r.at("table"))},
                {"family", family},
                {"destination", dst},
                {"gateway", gateway},
                {"source", r.value("prefsrc", "")},
                {"link_index", r.contains("dev") ? index_of.at(r["dev"]) : 0},
                {"metric", r.value("metric", 0)},
                {"protocol", number_or(kProtocols, r.at("protocol"))},
                {"scope", number_or(kScopes, r.at("scope"))},
                {"type", number_or(kTypes, r.at("type"))},
                {"mtu", mtu}};
}

std::map<std::string, int> link_indexes(const TestNetns& ns) {
    std::map<std::string, int> m;
    for (const auto& l : ns.ip_json("link show")) m[l["ifname"]] = l["ifindex"];
    return m;
}

// Every route of every table, as ip sees them.
json ip_routes(const TestNetns& ns) {
    auto index_of = link_indexes(ns);
    json all = json::array();
    for (int family : {4, 6})
        for (const auto& r : ns.ip_json("-" + std::to_string(family) + " -d route show table all"))
            all.push_back(normalize_ip_route(r, family, index_of));
    return all;
}

using Key = std::tuple<int, int, int, std::string, int, int>;  // family, table, type, dst, metric, link

Key key_of(const json& r) {
    return {r["family"], r["table"], r["type"], r["destination"], r["metric"], r["link_index"]};
}

void expect_routes_match(const json& ours, const json& theirs) {
    std::map<Key, json> mine, expected;
    for (const auto& r : ours) mine[key_of(r)] = r;
    for (const auto& r : theirs) expected[key_of(r)] = r;
    ASSERT_EQ(mine.size(), ours.size()) << "duplicate routes in " << ours.dump(1);
    for (const auto& [key, r] : expected) {
        auto it = mine.find(key);
        ASSERT_NE(it, mine.end()) << "missing " << r.dump() << "\nours: " << ours.dump(1);
        EXPECT_EQ(it->second, r);
    }
    EXPECT_EQ(mine.size(), expected.size()) << "ours: " << ours.dump(1) << "\nip: " << theirs.dump(1);
}

json routes_where(const json& routes, const std::function<bool(const json&)>& keep) {
    json out = json::array();
    for (const auto& r : routes)
        if (keep(r)) out.push_back(r);
    return out;
}

// eth0 (managed in the filter tests) and eth2 (not), each one end of a veth pair, with routes of
// every sort: gateway, link scope, another table, nodenet's protocol, preferred source, MTU,
// blackhole, an IPv6 gateway for IPv4 (RTA_VIA) and a multipath route over both links.
void build_scenario(const TestNetns& ns) {
    ns.must("link set lo up");
    ns.must("link add eth0 type veth peer name eth1");
    ns.must("link add eth2 type veth peer name eth3");
    for (const char* l : {"eth0", "eth1", "eth2", "eth3"}) ns.must(std::string("link set ") + l + " up");
    ns.must("addr add 10.1.0.5/24 dev eth0");
    ns.must("addr add 2001:db8:1::5/64 dev eth0 nodad");
    ns.must("addr add 10.2.0.5/24 dev eth2");
    ns.must("route add 10.10.0.0/16 via 10.1.0.1 dev eth0 metric 100");
    ns.must("route add 10.11.0.0/16 dev eth0 scope link proto static");
    ns.must("route add 10.12.0.0/16 via 10.1.0.1 dev eth0 table 100 proto 110 metric 5");
    ns.must("route add 10.13.0.0/16 via 10.1.0.1 src 10.1.0.5 mtu 1400");
    ns.must("route add default via 10.1.0.1 metric 1024");
    ns.must("route add 2001:db8:20::/48 via 2001:db8:1::1 dev eth0 metric 300 proto 110");
    ns.must("route add blackhole 10.99.0.0/16");
    ns.must("route add 10.14.0.0/16 via 10.2.0.1 table 200 proto 110");
    ns.must("route add 10.15.0.0/16 via 10.2.0.1 table 100");
    ns.must("route add 10.16.0.0/16 via 10.2.0.1");
    ns.must("route add 10.30.0.0/16 nexthop via 10.1.0.1 dev eth0 nexthop via 10.2.0.1 dev eth2");
    CommandResult via = ns.ip("route add 10.20.0.0/16 via inet6 2001:db8:1::1 dev eth0");
    if (via.exit_code != 0) ADD_FAILURE() << "IPv4 route via an IPv6 gateway: " << via.err;
}

// `count` routes (`route(i)` is what follows `ip route add`) in one `ip -batch`: thousands of `ip`
// runs would take seconds.
void add_routes(const TestNetns& ns, int count, const std::function<std::string(int)>& route) {
    char path[] = "/tmp/nodenet-routes-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    {
        std::ofstream batch(path);
        for (int i = 0; i < count; ++i) batch << "route add " << route(i) << "\n";
    }
    CommandResult added = ns.ip(std::string("-batch ") + path);
    unlink(path);
    ASSERT_EQ(added.exit_code, 0) << added.err;
}

std::set<std::string> destinations(const json& routes) {
    std::set<std::string> s;
    for (const auto& r : routes) s.insert(r["destination"].get<std::string>() + " table " + std::to_string(r["table"].get<int>()));
    return s;
}

TEST(SnapshotRoutes, EveryRouteOfEveryTableMatchesIpRoute) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    json snap = snapshot_in(ns, everything());
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    expect_routes_match(snap["state"]["routes"], ip_routes(ns));
}

TEST(SnapshotRoutes, ManagedTablesOnManagedLinksOnly) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    int eth0 = link_indexes(ns).at("eth0");
    netlink::SnapshotFilter filter;
    filter.links = {"eth0"};
    filter.tables = {254};
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    json expected = routes_where(ip_routes(ns), [&](const json& r) {
        // ip shows a multipath route without a link; one of its next hops leaves through eth0.
        return r["table"] == 254 && (r["link_index"] == eth0 || r["destination"] == "10.30.0.0/16");
    });
    expect_routes_match(snap["state"]["routes"], expected);
    EXPECT_TRUE(snap["stats"]["kernel_filtering"]);
}

TEST(SnapshotRoutes, OnlyTheManagedTable) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    netlink::SnapshotFilter filter;
    filter.links = {"eth0"};
    filter.tables = {100};
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    EXPECT_EQ(destinations(snap["state"]["routes"]), std::set<std::string>{"10.12.0.0/16 table 100"});
}

TEST(SnapshotRoutes, OwnedProtocolIsFoundInAnyTableOnAnyLinkOnce) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    netlink::SnapshotFilter filter;
    filter.links = {"eth0"};
    filter.tables = {254};
    filter.owned_protocol = 110;
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    std::set<std::string> got = destinations(snap["state"]["routes"]);
    EXPECT_TRUE(got.count("10.12.0.0/16 table 100")) << "owned, in an unmanaged table";
    EXPECT_TRUE(got.count("10.14.0.0/16 table 200")) << "owned, on an unmanaged link";
    EXPECT_TRUE(got.count("2001:db8:20::/48 table 254")) << "owned and managed";
    EXPECT_FALSE(got.count("10.15.0.0/16 table 100"));
    EXPECT_FALSE(got.count("10.16.0.0/16 table 254"));
    EXPECT_EQ(got.size(), snap["state"]["routes"].size()) << "a route read twice: " << snap["state"]["routes"].dump(1);
}

TEST(SnapshotRoutes, MultipathOverTwoManagedLinksIsReadOnce) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    netlink::SnapshotFilter filter;
    filter.links = {"eth0", "eth2"};
    filter.tables = {254, 100};
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    json multipath = routes_where(snap["state"]["routes"], [](const json& r) { return r["destination"] == "10.30.0.0/16"; });
    ASSERT_EQ(multipath.size(), 1u) << snap["state"]["routes"].dump(1);
    EXPECT_EQ(multipath[0]["link_index"], 0) << "a multipath route has no single link";
    EXPECT_EQ(multipath[0]["gateway"], "");
    EXPECT_EQ(destinations(snap["state"]["routes"]).size(), snap["state"]["routes"].size());
}

TEST(SnapshotRoutes, TableThatDoesNotExistIsEmptyNotAnError) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    netlink::SnapshotFilter filter;
    filter.links = {"eth0"};
    filter.tables = {300, 100000};
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    EXPECT_TRUE(snap["state"]["routes"].empty()) << snap["state"]["routes"].dump(1);
}

// A host with a big table on another link (a BGP feed, a CNI) must cost nothing: the kernel leaves
// those routes out of the dump, so they are not even received.
TEST(SnapshotRoutes, TwoThousandRoutesOnAnUnmanagedLinkAreNeverReceived) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    ASSERT_NO_FATAL_FAILURE(add_routes(ns, 2000, [](int i) {
        return "10." + std::to_string(100 + i / 250) + "." + std::to_string(i % 250) + ".0/24 via 10.2.0.1 dev eth2";
    }));
    int eth2 = link_indexes(ns).at("eth2");

    json all = snapshot_in(ns, everything());
    ASSERT_TRUE(all.contains("state")) << all.dump();
    EXPECT_GE(routes_where(all["state"]["routes"], [&](const json& r) { return r["link_index"] == eth2; }).size(), 2000u);

    netlink::SnapshotFilter filter;
    filter.links = {"eth0"};
    filter.tables = {254};
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    EXPECT_TRUE(routes_where(snap["state"]["routes"], [&](const json& r) { return r["link_index"] == eth2; }).empty());
    // Links, eth0's addresses, eth0's routes in main and NLMSG_DONEs: a few dozen messages at most.
    EXPECT_LT(snap["stats"]["messages"].get<size_t>(), 50u) << snap["stats"].dump();
    EXPECT_GE(all["stats"]["messages"].get<size_t>(), 2000u) << all["stats"].dump();

    // Expecting 300 routes of its own changes nothing here: the namespace holds far more, so the
    // filtered dumps stay cheaper than one of everything.
    filter.expected_routes = 300;
    json expecting = snapshot_in(ns, filter);
    ASSERT_TRUE(expecting.contains("state")) << expecting.dump();
    EXPECT_LT(expecting["stats"]["messages"].get<size_t>(), 50u) << expecting["stats"].dump();
    EXPECT_EQ(destinations(expecting["state"]["routes"]), destinations(snap["state"]["routes"]));
}

// When nearly every route of the namespace is one nodenet expects (600 of its own on the managed
// link), one dump of everything reads each route once; the filtered dumps would have the kernel fill
// the owned routes twice (the link's dump and the protocol's). Both must read the same routes.
TEST(SnapshotRoutes, ManyOwnedRoutesAreReadInOneDumpWithTheSameRoutes) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    ASSERT_NO_FATAL_FAILURE(add_routes(ns, 600, [](int i) {
        return "10." + std::to_string(200 + i / 250) + "." + std::to_string(i % 250) + ".0/24 via 10.1.0.1 dev eth0 proto 110";
    }));

    netlink::SnapshotFilter filter;
    filter.links = {"eth0"};
    filter.tables = {254};
    filter.owned_protocol = 110;
    json filtered = snapshot_in(ns, filter);
    filter.expected_routes = 605;
    json one = snapshot_in(ns, filter);
    ASSERT_TRUE(filtered.contains("state")) << filtered.dump();
    ASSERT_TRUE(one.contains("state")) << one.dump();
    expect_routes_match(one["state"]["routes"], filtered["state"]["routes"]);
    EXPECT_GE(one["state"]["routes"].size(), 600u);
    // Filtered: links, eth0's addresses, (main, eth0), protocol 110; one dump: the last two as one.
    EXPECT_EQ(one["stats"]["dump_requests"].get<size_t>() + 1, filtered["stats"]["dump_requests"].get<size_t>())
        << one["stats"].dump() << " " << filtered["stats"].dump();
    EXPECT_GE(filtered["stats"]["messages"].get<size_t>(), 1200u) << "the owned routes, twice";
    EXPECT_LT(one["stats"]["messages"].get<size_t>(), 700u) << "every route of the namespace, once";
}

}  // namespace
}  // namespace nodenet::netlink_test
