// Links of a real kernel, read by read_kernel_state() inside a throwaway namespace and compared
// field by field with `ip -j -d link show`, an independent reader.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "state/objects.h"
#include "tests/netlink/netns.h"

namespace nodenet::netlink_test {
namespace {

using nlohmann::json;

bool has_flag(const json& ip_link, const std::string& flag) {
    for (const auto& f : ip_link.value("flags", json::array()))
        if (f == flag) return true;
    return false;
}

std::map<int, json> by_index(const json& links, const char* key) {
    std::map<int, json> m;
    for (const auto& l : links) m[l.at(key).get<int>()] = l;
    return m;
}

// Every link ip shows is in the snapshot with the same attributes, and nothing else is.
void expect_links_match(const json& ours, const json& ip) {
    auto mine = by_index(ours, "index"), theirs = by_index(ip, "ifindex");
    ASSERT_EQ(mine.size(), theirs.size()) << "ours: " << ours.dump() << "\nip: " << ip.dump();
    std::map<std::string, int> index_of;
    for (const auto& [index, l] : theirs) index_of[l.at("ifname")] = index;
    for (const auto& [index, l] : theirs) {
        ASSERT_TRUE(mine.count(index)) << "missing link " << l.dump();
        const json& m = mine[index];
        std::string name = l.at("ifname");
        SCOPED_TRACE(name);
        EXPECT_EQ(m["name"], name);
        EXPECT_EQ(m["mtu"], l.at("mtu"));
        EXPECT_EQ(m["up"], has_flag(l, "UP"));
        // IFF_LOWER_UP is the carrier while the link is up; ip shows nothing of it for a down link.
        if (has_flag(l, "UP")) {
            EXPECT_EQ(m["carrier"], has_flag(l, "LOWER_UP"));
        }
        EXPECT_EQ(m["kind"], l.contains("linkinfo") ? l["linkinfo"].value("info_kind", "") : "");
        EXPECT_EQ(m["master_index"], l.contains("master") ? index_of.at(l["master"]) : 0);
        if (l.contains("link_netnsid")) {
            EXPECT_EQ(m["parent_index"], 0) << "a parent in another namespace has no index here";
        } else {
            EXPECT_EQ(m["parent_index"], l.contains("link") ? index_of.at(l["link"]) : 0);
        }
        EXPECT_EQ(m["hardware_addr"], l.value("address", ""));
        if (l.contains("permaddr")) {
            EXPECT_EQ(m["permanent_addr"], l["permaddr"]);
        } else if (m["permanent_addr"] != "") {
            EXPECT_EQ(m["permanent_addr"], m["hardware_addr"]) << "ip omits a permanent address equal to the current";
        }
        if (m["kind"] == "bridge") {
            const json& data = l["linkinfo"]["info_data"];
            ASSERT_TRUE(m.contains("bridge"));
            EXPECT_EQ(m["bridge"]["stp"], data.at("stp_state") != 0);
            EXPECT_EQ(m["bridge"]["vlan_filtering"], data.at("vlan_filtering") != 0);
        } else {
            EXPECT_FALSE(m.contains("bridge"));
        }
        // Nothing in a namespace of virtual links is a physical device.
        EXPECT_EQ(m["physical"], false);
        EXPECT_EQ(m["driver"], "");
    }
}

TEST(SnapshotLinks, EveryKindThisKernelHasMatchesIpLink) {
    NODENET_NETNS_OR_SKIP(ns);
    ns.must("link set lo up");
    ns.must("link add eth0 type veth peer name eth1");
    ns.must("link add br0 type bridge");
    ns.must("link set eth0 master br0");
    ns.must("link set eth1 mtu 9000");
    ns.must("link set eth0 address 02:00:00:00:00:01");
    for (const char* l : {"eth0", "eth1", "br0"}) ns.must(std::string("link set ") + l + " up");
    ns.must("link add mv0 link eth1 type macvlan mode bridge");
    ns.must("link add vx0 type vxlan id 42 dstport 4789");
    ns.must("tuntap add dev tun0 mode tun");
    // One end up, the other down: the up end has no carrier.
    ns.must("link add eth2 type veth peer name eth3");
    ns.must("link set eth2 up");

    json snap = snapshot_in(ns, everything());
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    expect_links_match(snap["state"]["links"], ns.ip_json("-d link show"));

    auto mine = by_index(snap["state"]["links"], "index");
    std::map<std::string, json> by_name;
    for (const auto& [i, l] : mine) by_name[l["name"]] = l;
    EXPECT_EQ(by_name["eth0"]["hardware_addr"], "02:00:00:00:00:01");
    EXPECT_EQ(by_name["eth0"]["carrier"], true);
    EXPECT_EQ(by_name["eth2"]["carrier"], false);
    EXPECT_EQ(by_name["eth1"]["mtu"], 9000);
    EXPECT_EQ(by_name["br0"]["kind"], "bridge");
    EXPECT_EQ(by_name["mv0"]["kind"], "macvlan");
    EXPECT_EQ(by_name["mv0"]["parent_index"], by_name["eth1"]["index"]);
    EXPECT_EQ(by_name["tun0"]["hardware_addr"], "") << "a tun device has no link-layer address";
    EXPECT_EQ(by_name["eth0"]["master_index"], by_name["br0"]["index"]);
}

TEST(SnapshotLinks, BridgeVlanFilteringIsRead) {
    NODENET_NETNS_OR_SKIP(ns);
    ns.must("link add br0 type bridge");
    CommandResult r = ns.ip("link set br0 type bridge vlan_filtering 1");
    if (r.exit_code != 0) GTEST_SKIP() << "this kernel cannot filter VLANs on a bridge: " << r.err;
    json snap = snapshot_in(ns, everything());
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    expect_links_match(snap["state"]["links"], ns.ip_json("-d link show"));
}

TEST(SnapshotLinks, VlanHasItsIdProtocolAndParentName) {
    NODENET_NETNS_OR_SKIP(ns);
    ns.must("link add eth0 type veth peer name eth1");
    CommandResult r = ns.ip("link add link eth0 name eth0.5 type vlan id 5 protocol 802.1ad");
    if (r.exit_code != 0) GTEST_SKIP() << "this kernel has no VLAN support (8021q): " << r.err;
    json snap = snapshot_in(ns, everything());
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    expect_links_match(snap["state"]["links"], ns.ip_json("-d link show"));
    for (const auto& l : snap["state"]["links"]) {
        if (l["name"] != "eth0.5") continue;
        EXPECT_EQ(l["vlan"], (json{{"parent", "eth0"}, {"id", 5}, {"q_in_q", true}}));
        return;
    }
    ADD_FAILURE() << "eth0.5 not in the snapshot";
}

TEST(SnapshotLinks, VethPeerInAnotherNamespaceHasNoParentIndexHere) {
    NODENET_NETNS_OR_SKIP(ns);
    NODENET_NETNS_OR_SKIP(other);
    ns.must("link add a0 type veth peer name b0 netns " + other.path());
    json snap = snapshot_in(ns, everything());
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    json ip = ns.ip_json("-d link show");
    expect_links_match(snap["state"]["links"], ip);
    bool seen = false;
    for (const auto& l : ip) seen = seen || (l["ifname"] == "a0" && l.contains("link_netnsid"));
    EXPECT_TRUE(seen) << "ip should see a0's peer in another namespace: " << ip.dump();
}

TEST(SnapshotLinks, LookupByNameAndIndex) {
    NODENET_NETNS_OR_SKIP(ns);
    ns.must("link add eth0 type veth peer name eth1");
    std::string text = ns.in_child([] {
        auto state = netlink::read_kernel_state(everything());
        if (!state.ok()) return state.error();
        const state::ObservedLink* eth1 = state->link("eth1");
        if (!eth1) return std::string("eth1 not found by name");
        const state::ObservedLink* same = state->link(eth1->index);
        if (same != eth1) return std::string("eth1 not found by index");
        if (state->link("nope") || state->link(12345)) return std::string("found a link that does not exist");
        return std::string("ok");
    });
    EXPECT_EQ(text, "ok");
}

}  // namespace
}  // namespace nodenet::netlink_test
