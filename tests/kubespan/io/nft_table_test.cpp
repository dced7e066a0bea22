// KubeSpan's nftables table in the kernel, each test in network namespaces of its own (nftables
// rulesets are per network namespace: the machine's is never read or written). `nft`, a program
// of its own, reads what nodenet wrote; traffic sent inside shows the marks and the MSS clamp at
// work, counted by a second table of the test.
#include "kubespan/io/nft_table.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/netlink/netns.h"

namespace nodenet::kubespan {
namespace {

using json = nlohmann::json;
using netlink_test::TestNetns;

state::IpPrefix prefix(const char* text) { return *state::parse_ip_prefix(text); }

// apply_nft_ruleset() inside `ns`: {"changed": bool} or {"error": "..."}.
json apply_in(const TestNetns& ns, const NftRuleset& ruleset) {
    return json::parse(ns.in_child([&] {
        bool changed = false;
        Status s = io::apply_nft_ruleset(ruleset, &changed);
        return s ? json{{"changed", changed}}.dump() : json{{"error", s.error()}}.dump();
    }));
}

json remove_in(const TestNetns& ns) {
    return json::parse(ns.in_child([&] {
        bool changed = false;
        Status s = io::remove_nft_ruleset(&changed);
        return s ? json{{"changed", changed}}.dump() : json{{"error", s.error()}}.dump();
    }));
}

std::string nft_or_throw(const TestNetns& ns, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"nft"};
    argv.insert(argv.end(), args.begin(), args.end());
    netlink_test::CommandResult r = ns.run(argv);
    if (r.exit_code != 0) throw std::runtime_error("nft failed: " + r.err);
    return r.out;
}

// `nft -j list ruleset` inside, as {"<family> <table>": [objects of that table, "handle"s kept]}.
json ruleset_by_table(const TestNetns& ns) {
    json listing = json::parse(nft_or_throw(ns, {"-j", "list", "ruleset"}));
    json out = json::object();
    for (const json& item : listing.at("nftables")) {
        const std::string& kind = item.begin().key();
        const json& o = item.begin().value();
        if (kind == "metainfo") continue;
        std::string table = o.at("family").get<std::string>() + " " +
                            o.at(kind == "table" ? "name" : "table").get<std::string>();
        out[table].push_back(item);
    }
    return out;
}

json objects_of(const json& table_items, const std::string& kind) {
    json out = json::array();
    for (const json& item : table_items)
        if (item.begin().key() == kind) out.push_back(item.begin().value());
    return out;
}

NftRuleset example() {
    NftRuleset r;
    r.routed_v4 = {prefix("10.244.1.0/24"), prefix("10.244.0.0/24"), prefix("192.0.2.7/32")};
    r.routed_v6 = {prefix("fd00:1::/64")};
    return r;
}

TEST(NftTableNetns, WritesTheTableOnceAndLeavesOtherTablesAlone) {
    NODENET_NETNS_OR_SKIP(ns);
    nft_or_throw(ns, {"add table inet other; add chain inet other input { type filter hook input priority 0; }; "
                      "add rule inet other input counter accept"});
    std::string other_before = nft_or_throw(ns, {"-j", "list", "table", "inet", "other"});
    EXPECT_EQ(ns.in_child([] {
        Result<std::string> listed = io::list_nft_table_json();
        return listed ? "absent:" + *listed : listed.error();
    }),
              "absent:");

    EXPECT_EQ(apply_in(ns, example()), json::parse(R"({"changed": true})"));
    json tables = ruleset_by_table(ns);
    ASSERT_TRUE(tables.contains("inet nodenet")) << tables.dump();
    const json& nodenet = tables["inet nodenet"];
    uint64_t handle = objects_of(nodenet, "table").at(0).at("handle").get<uint64_t>();

    json sets = objects_of(nodenet, "set");
    ASSERT_EQ(sets.size(), 2u);
    EXPECT_EQ(sets[0].at("name"), "kubespan_targets_ipv4");
    EXPECT_EQ(sets[0].at("type"), "ipv4_addr");
    EXPECT_EQ(sets[0].at("flags"), json::array({"interval"}));
    EXPECT_EQ(sets[0].at("elem"), json::parse(R"([{"prefix": {"addr": "10.244.0.0", "len": 23}}, "192.0.2.7"])"));
    EXPECT_EQ(sets[1].at("elem"), json::parse(R"([{"prefix": {"addr": "fd00:1::", "len": 64}}])"));

    json chains = objects_of(nodenet, "chain");
    ASSERT_EQ(chains.size(), 2u);
    EXPECT_EQ(chains[0].at("name"), "kubespan_prerouting");
    EXPECT_EQ(chains[0].at("type"), "filter");
    EXPECT_EQ(chains[0].at("hook"), "prerouting");
    EXPECT_EQ(chains[0].at("prio"), 0);
    EXPECT_EQ(chains[0].at("policy"), "accept");
    EXPECT_EQ(chains[1].at("name"), "kubespan_outgoing");
    EXPECT_EQ(chains[1].at("type"), "route");
    EXPECT_EQ(chains[1].at("hook"), "output");
    EXPECT_EQ(objects_of(nodenet, "rule").size(), 9u);
    // The text form, as an administrator reads it.
    std::string text = nft_or_throw(ns, {"list", "chain", "inet", "nodenet", "kubespan_outgoing"});
    EXPECT_NE(text.find("ip daddr @kubespan_targets_ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1368 "
                        "tcp option maxseg size set 1368"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("ip6 daddr @kubespan_targets_ipv6 meta mark set meta mark & 0xffffffdf | 0x00000040 accept"),
              std::string::npos)
        << text;

    // Nothing to change: nothing written (a rewrite would give the table a new handle).
    EXPECT_EQ(apply_in(ns, example()), json::parse(R"({"changed": false})"));
    EXPECT_EQ(objects_of(ruleset_by_table(ns)["inet nodenet"], "table").at(0).at("handle"), handle);

    // Another routed prefix: written again, with it.
    NftRuleset more = example();
    more.routed_v4.push_back(prefix("10.99.0.0/16"));
    EXPECT_EQ(apply_in(ns, more), json::parse(R"({"changed": true})"));
    json rewritten = ruleset_by_table(ns)["inet nodenet"];
    EXPECT_NE(objects_of(rewritten, "table").at(0).at("handle"), handle);
    EXPECT_EQ(objects_of(rewritten, "set").at(0).at("elem"),
              json::parse(R"([{"prefix": {"addr": "10.99.0.0", "len": 16}}, {"prefix": {"addr": "10.244.0.0", "len": 23}},
                              "192.0.2.7"])"));
    EXPECT_EQ(apply_in(ns, more), json::parse(R"({"changed": false})"));

    // The other table was never touched.
    EXPECT_EQ(nft_or_throw(ns, {"-j", "list", "table", "inet", "other"}), other_before);

    EXPECT_EQ(remove_in(ns), json::parse(R"({"changed": true})"));
    tables = ruleset_by_table(ns);
    EXPECT_FALSE(tables.contains("inet nodenet")) << tables.dump();
    EXPECT_EQ(remove_in(ns), json::parse(R"({"changed": false})"));
    EXPECT_EQ(nft_or_throw(ns, {"-j", "list", "table", "inet", "other"}), other_before);

    // All of it happened in the test's namespace: the machine has no such table.
    netlink_test::CommandResult host = netlink_test::detail::run_joined(
        {"nft", "list", "table", "inet", "nodenet"}, std::chrono::seconds(30), [] { return true; });
    EXPECT_NE(host.exit_code, 0) << host.out;
}

TEST(NftTableNetns, RepairsWhatSomeoneChangedInItsTable) {
    NODENET_NETNS_OR_SKIP(ns);
    ASSERT_EQ(apply_in(ns, example()), json::parse(R"({"changed": true})"));
    // A rule added by hand, and an element removed: both undone by the next pass.
    nft_or_throw(ns, {"add rule inet nodenet kubespan_prerouting counter drop"});
    EXPECT_EQ(apply_in(ns, example()), json::parse(R"({"changed": true})"));
    EXPECT_EQ(objects_of(ruleset_by_table(ns)["inet nodenet"], "rule").size(), 9u);
    nft_or_throw(ns, {"delete element inet nodenet kubespan_targets_ipv4 { 192.0.2.7 }"});
    EXPECT_EQ(apply_in(ns, example()), json::parse(R"({"changed": true})"));
    EXPECT_EQ(objects_of(ruleset_by_table(ns)["inet nodenet"], "set").at(0).at("elem").size(), 2u);
    EXPECT_EQ(apply_in(ns, example()), json::parse(R"({"changed": false})"));
}

TEST(NftTableNetns, RefusesABadRulesetWithoutWriting) {
    NODENET_NETNS_OR_SKIP(ns);
    NftRuleset bad = example();
    bad.mtu = 100;
    EXPECT_EQ(apply_in(ns, bad).value("error", ""), "nftables table inet nodenet: KubeSpan MTU 100 is outside [1280, 65535]");
    EXPECT_FALSE(ruleset_by_table(ns).contains("inet nodenet"));
}

// ---- traffic ----

// Sends one UDP datagram, or opens a TCP connection (its SYN leaves during connect()), from
// inside the namespace it runs in. Throws when the kernel refuses to send.
void send_probe(const char* address, int type) {
    sockaddr_storage to{};
    socklen_t size = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
    uint16_t port = htons(type == SOCK_DGRAM ? 9 : 80);
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = port;
        size = sizeof *v4;
    } else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = port;
        size = sizeof *v6;
    } else {
        throw std::runtime_error(std::string("bad address ") + address);
    }
    int fd = socket(to.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket: " + std::string(strerror(errno)));
    int rc = type == SOCK_DGRAM ? static_cast<int>(sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), size))
                                : connect(fd, reinterpret_cast<sockaddr*>(&to), size);
    int err = errno;
    close(fd);
    if (rc < 0 && !(type == SOCK_STREAM && err == EINPROGRESS))
        throw std::runtime_error(std::string("send to ") + address + ": " + strerror(err));
}

// The test machine: `ns`, with two links to `peer`: veth-b (the stand-in for the kubespan link,
// table 180 routes everything there) and veth-c (the normal route to the peers' prefixes), and
// the policy rule KubeSpan installs. A table `inet observer` counts what leaves, and how.
void set_up_machine(const TestNetns& ns, const TestNetns& peer) {
    for (const char* link : {"veth-b", "veth-c"}) {
        ns.must(std::string("link add ") + link + " type veth peer name " + link + "-p netns " + peer.path());
        ns.must(std::string("link set ") + link + " up");
        peer.must(std::string("link set ") + link + "-p up");
    }
    ns.must("addr add 10.1.0.1/24 dev veth-b");
    ns.must("addr add 10.2.0.1/24 dev veth-c");
    ns.must("addr add fd10:2::1/64 dev veth-c nodad");
    ns.must("addr add fd10:1::1/64 dev veth-b nodad");
    for (const char* to : {"10.9.0.0/16", "10.8.0.0/16", "fd99::/64", "fd98::/64"})
        ns.must(std::string("route add ") + to + " dev veth-c");
    ns.must("-4 route add default dev veth-b table 180");
    ns.must("-6 route add default dev veth-b table 180");
    ns.must("-4 rule add fwmark 0x40/0x60 lookup 180 priority 32500");
    ns.must("-6 rule add fwmark 0x40/0x60 lookup 180 priority 32500");
    nft_or_throw(ns, {R"(table inet observer {
        counter udp_marked_via_b {}
        counter udp_routed_via_c {}
        counter other_unmarked_via_c {}
        counter syn_clamped_v4 {}
        counter syn_unclamped_v4 {}
        counter v6_udp_marked_via_b {}
        counter syn_clamped_v6 {}
        chain post {
            type filter hook postrouting priority 300; policy accept;
            oifname "veth-b" ip daddr 10.9.0.5 udp dport 9 meta mark & 0x60 == 0x40 counter name "udp_marked_via_b"
            oifname "veth-c" ip daddr 10.9.0.5 udp dport 9 counter name "udp_routed_via_c"
            oifname "veth-c" ip daddr 10.8.0.5 udp dport 9 meta mark & 0x60 == 0 counter name "other_unmarked_via_c"
            oifname "veth-b" ip daddr 10.9.0.5 tcp flags syn tcp option maxseg size 1368 meta mark & 0x60 == 0x40 counter name "syn_clamped_v4"
            oifname "veth-c" ip daddr 10.8.0.5 tcp flags syn tcp option maxseg size 1460 counter name "syn_unclamped_v4"
            oifname "veth-b" ip6 daddr fd99::5 udp dport 9 meta mark & 0x60 == 0x40 counter name "v6_udp_marked_via_b"
            oifname "veth-b" ip6 daddr fd99::5 tcp flags syn tcp option maxseg size 1348 counter name "syn_clamped_v6"
        }
    })"});
}

json counters(const TestNetns& ns) {
    json out = json::object();
    for (const json& counter : objects_of(ruleset_by_table(ns)["inet observer"], "counter"))
        out[counter.at("name").get<std::string>()] = counter.at("packets");
    return out;
}

// Waits (up to a deadline) until every counter in `at_least` has reached its value; returns the
// counters as they are then.
json counters_reaching(const TestNetns& ns, const json& at_least) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        json now = counters(ns);
        bool reached = true;
        for (const auto& [name, value] : at_least.items())
            reached = reached && now.value(name, 0) >= value.get<int>();
        if (reached || std::chrono::steady_clock::now() > deadline) return now;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

TEST(NftTableNetns, MarksTrafficToRoutedPrefixesAndClampsTheMss) {
    NODENET_NETNS_OR_SKIP(ns);
    const TestNetns peer;
    set_up_machine(ns, peer);

    // Without the table: the normal route, no mark.
    ns.in_child([] {
        send_probe("10.9.0.5", SOCK_DGRAM);
        return std::string();
    });
    json before = counters_reaching(ns, {{"udp_routed_via_c", 1}});
    EXPECT_EQ(before["udp_routed_via_c"], 1) << before.dump();
    EXPECT_EQ(before["udp_marked_via_b"], 0) << before.dump();

    NftRuleset ruleset;
    ruleset.routed_v4 = {prefix("10.9.0.0/16")};
    ruleset.routed_v6 = {prefix("fd99::/64")};
    ruleset.mtu = 1420;
    ASSERT_EQ(apply_in(ns, ruleset), json::parse(R"({"changed": true})"));

    ns.in_child([] {
        send_probe("10.9.0.5", SOCK_DGRAM);
        send_probe("10.8.0.5", SOCK_DGRAM);
        send_probe("10.9.0.5", SOCK_STREAM);
        send_probe("10.8.0.5", SOCK_STREAM);
        send_probe("fd99::5", SOCK_DGRAM);
        send_probe("fd99::5", SOCK_STREAM);
        return std::string();
    });
    json after = counters_reaching(ns, {{"udp_marked_via_b", 1},
                                        {"other_unmarked_via_c", 1},
                                        {"syn_clamped_v4", 1},
                                        {"syn_unclamped_v4", 1},
                                        {"v6_udp_marked_via_b", 1},
                                        {"syn_clamped_v6", 1}});
    // Marked 0x40, so the policy rule sent it into table 180's link; nothing more left by veth-c.
    EXPECT_EQ(after["udp_marked_via_b"], 1) << after.dump();
    EXPECT_EQ(after["udp_routed_via_c"], 1) << after.dump();
    // A prefix outside the set: unmarked, the normal route.
    EXPECT_EQ(after["other_unmarked_via_c"], 1) << after.dump();
    // The SYN's MSS: 1420 - 52 to the peers (from 1460 of the 1500-byte link), untouched elsewhere.
    EXPECT_GE(after["syn_clamped_v4"], 1) << after.dump();
    EXPECT_GE(after["syn_unclamped_v4"], 1) << after.dump();
    EXPECT_EQ(after["v6_udp_marked_via_b"], 1) << after.dump();
    EXPECT_GE(after["syn_clamped_v6"], 1) << after.dump();

    // Removed: the normal route again.
    ASSERT_EQ(remove_in(ns), json::parse(R"({"changed": true})"));
    ns.in_child([] {
        send_probe("10.9.0.5", SOCK_DGRAM);
        return std::string();
    });
    json removed = counters_reaching(ns, {{"udp_routed_via_c", 2}});
    EXPECT_EQ(removed["udp_routed_via_c"], 2) << removed.dump();
    EXPECT_EQ(removed["udp_marked_via_b"], 1) << removed.dump();
}

}  // namespace
}  // namespace nodenet::kubespan
