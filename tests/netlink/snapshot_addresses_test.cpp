// Addresses of a real kernel, read by read_kernel_state() inside a throwaway namespace and compared
// field by field with `ip -j address show`; and the link filter.
#include <gtest/gtest.h>
#include <linux/if_addr.h>

#include <cstdlib>
#include <map>
#include <string>
#include <tuple>

#include "tests/netlink/netns.h"

namespace nodenet::netlink_test {
namespace {

using nlohmann::json;

// The IFA_F_* bits from ip's JSON, which names each set flag, except IFA_F_PERMANENT: ip says
// "dynamic" when it is absent.
uint32_t ip_flags(const json& a) {
    static const std::map<std::string, uint32_t> kBits = {
        {"secondary", IFA_F_SECONDARY},   {"temporary", IFA_F_SECONDARY},     {"nodad", IFA_F_NODAD},
        {"optimistic", IFA_F_OPTIMISTIC}, {"dadfailed", IFA_F_DADFAILED},     {"home", IFA_F_HOMEADDRESS},
        {"deprecated", IFA_F_DEPRECATED}, {"tentative", IFA_F_TENTATIVE},     {"mngtmpaddr", IFA_F_MANAGETEMPADDR},
        {"noprefixroute", IFA_F_NOPREFIXROUTE}, {"autojoin", IFA_F_MCAUTOJOIN}, {"stable-privacy", IFA_F_STABLE_PRIVACY},
    };
    uint32_t flags = a.value("dynamic", false) ? 0 : IFA_F_PERMANENT;
    for (const auto& [name, bit] : kBits)
        if (a.value(name, false)) flags |= bit;
    if (a.contains("ifa_flags_extra")) flags |= static_cast<uint32_t>(std::stoul(a["ifa_flags_extra"].get<std::string>(), nullptr, 16));
    return flags;
}

int ip_scope(const std::string& name) {
    static const std::map<std::string, int> kScopes = {{"global", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}};
    auto it = kScopes.find(name);
    return it != kScopes.end() ? it->second : std::stoi(name);
}

using Key = std::tuple<int, std::string, int>;  // link index, address, prefix length

// Lifetimes count down between the two reads: a few seconds apart is the same lifetime.
void expect_lifetime(const json& ours, const json& theirs) {
    uint32_t a = ours.get<uint32_t>(), b = theirs.get<uint32_t>();
    if (a == 0xFFFFFFFF || b == 0xFFFFFFFF)
        EXPECT_EQ(a, b);
    else
        EXPECT_LE(std::abs(static_cast<long>(a) - static_cast<long>(b)), 5) << a << " vs " << b;
}

void expect_addresses_match(const json& ours, const json& ip_links) {
    std::map<Key, json> mine, theirs;
    for (const auto& a : ours) mine[{a["link_index"], a["address"], a["prefix_len"]}] = a;
    for (const auto& l : ip_links)
        for (const auto& a : l["addr_info"]) theirs[{l["ifindex"], a["local"], a["prefixlen"]}] = a;
    ASSERT_EQ(mine.size(), ours.size()) << "duplicate addresses in " << ours.dump();
    for (const auto& [key, a] : theirs) {
        SCOPED_TRACE(std::get<1>(key));
        ASSERT_TRUE(mine.count(key)) << "missing " << a.dump() << "\nours: " << ours.dump();
        const json& m = mine[key];
        EXPECT_EQ(m["scope"], ip_scope(a["scope"]));
        EXPECT_EQ(m["flags"], ip_flags(a)) << a.dump();
        EXPECT_EQ(m["priority"], a.value("metric", 0));
        expect_lifetime(m["valid_lifetime"], a["valid_life_time"]);
        expect_lifetime(m["preferred_lifetime"], a["preferred_life_time"]);
    }
    EXPECT_EQ(mine.size(), theirs.size()) << "ours: " << ours.dump();
}

const json* find_address(const json& addresses, const std::string& address) {
    for (const auto& a : addresses)
        if (a["address"] == address) return &a;
    return nullptr;
}

// eth0 and eth1 (a veth pair) with addresses of every sort ip can make, and two with IFA_PROTO.
void build_scenario(const TestNetns& ns) {
    ns.must("link set lo up");
    ns.must("link add eth0 type veth peer name eth1");
    ns.must("link set eth0 up");
    ns.must("link set eth1 up");
    ns.must("addr add 10.1.0.5/24 dev eth0");
    ns.must("addr add 10.1.0.6/24 dev eth0");  // secondary
    ns.must("addr add 10.2.0.5/24 dev eth0 metric 50");
    ns.must("addr add 10.3.0.5/24 dev eth0 valid_lft 1000 preferred_lft 500");
    ns.must("addr add 2001:db8:1::5/64 dev eth0 nodad");
    ns.must("addr add 2001:db8:2::5/64 dev eth0 noprefixroute");
    ns.must("addr add 10.5.0.1 peer 10.5.0.2/32 dev eth1");
    ns.must("addr add 192.0.2.9/32 dev lo scope host");
    add_address_with_protocol(ns, "eth1", "10.9.0.1/24", 110);
    add_address_with_protocol(ns, "eth1", "2001:db8:9::1/64", 110, IFA_F_NODAD);
}

TEST(SnapshotAddresses, EveryAddressMatchesIpAddr) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    json snap = snapshot_in(ns, everything());
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    const json& addresses = snap["state"]["addresses"];
    expect_addresses_match(addresses, ns.ip_json("address show"));

    // What ip 6.1 cannot show: IFA_PROTO. The kernel tags its own loopback address too.
    ASSERT_TRUE(find_address(addresses, "10.9.0.1") && find_address(addresses, "2001:db8:9::1"));
    EXPECT_EQ((*find_address(addresses, "10.9.0.1"))["protocol"], 110);
    EXPECT_EQ((*find_address(addresses, "2001:db8:9::1"))["protocol"], 110);
    EXPECT_EQ((*find_address(addresses, "10.1.0.5"))["protocol"], 0);
    EXPECT_EQ((*find_address(addresses, "::1"))["protocol"], IFAPROT_KERNEL_LO);
    // A point-to-point address is ours (IFA_LOCAL), not the peer's (IFA_ADDRESS).
    EXPECT_TRUE(find_address(addresses, "10.5.0.1"));
    EXPECT_FALSE(find_address(addresses, "10.5.0.2"));
    // Spot checks, in case ip and we agree on something wrong.
    EXPECT_EQ((*find_address(addresses, "10.2.0.5"))["priority"], 50);
    EXPECT_TRUE((*find_address(addresses, "10.1.0.6"))["flags"].get<uint32_t>() & IFA_F_SECONDARY);
    EXPECT_TRUE((*find_address(addresses, "2001:db8:2::5"))["flags"].get<uint32_t>() & IFA_F_NOPREFIXROUTE);
    EXPECT_EQ((*find_address(addresses, "192.0.2.9"))["scope"], 254);
}

TEST(SnapshotAddresses, OnlyTheManagedLinksAddresses) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    netlink::SnapshotFilter filter;
    filter.links = {"eth0", "no-such-link"};  // a link the config names but the kernel lacks is no error
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    json ip = ns.ip_json("address show dev eth0");
    expect_addresses_match(snap["state"]["addresses"], ip);
    EXPECT_EQ(snap["state"]["links"].size(), ns.ip_json("link show").size()) << "links are always read whole";
    EXPECT_TRUE(snap["stats"]["kernel_filtering"]);
}

TEST(SnapshotAddresses, OwnedProtocolIsFoundOnUnmanagedLinksToo) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    netlink::SnapshotFilter filter;
    filter.links = {"eth0"};
    filter.owned_protocol = 110;
    json snap = snapshot_in(ns, filter);
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    const json& addresses = snap["state"]["addresses"];
    EXPECT_TRUE(find_address(addresses, "10.9.0.1"));
    EXPECT_TRUE(find_address(addresses, "2001:db8:9::1"));
    EXPECT_FALSE(find_address(addresses, "10.5.0.1")) << "eth1's foreign address is not nodenet's business";
    EXPECT_FALSE(find_address(addresses, "::1"));
    EXPECT_EQ(addresses.size(), ns.ip_json("address show dev eth0")[0]["addr_info"].size() + 2);
}

TEST(SnapshotAddresses, NothingManagedReadsNoAddresses) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    json snap = snapshot_in(ns, netlink::SnapshotFilter{});
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    EXPECT_TRUE(snap["state"]["addresses"].empty());
    EXPECT_TRUE(snap["state"]["routes"].empty());
    EXPECT_EQ(snap["stats"]["dump_requests"], 1) << "only the links";
}

}  // namespace
}  // namespace nodenet::netlink_test
