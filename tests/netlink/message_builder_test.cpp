// The rtnetlink requests of every operation, parsed back attribute by attribute. No kernel needed:
// this is how link kinds the test kernel lacks (bond, VLAN, dummy, WireGuard) are still checked.
#include "netlink/message_builder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

namespace nodenet::netlink {
namespace {

using namespace state;

int index_of(const std::string& name) {
    if (name == "eth0") return 2;
    if (name == "bond0") return 7;
    if (name == "br0") return 8;
    return 0;
}

std::vector<Message> build(const plan::Change& change) {
    auto r = build_requests(plan::Operation{change, "test"}, index_of, 100);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    return r.ok() ? *r : std::vector<Message>{};
}

const nlmsghdr* header(const Message& m) { return reinterpret_cast<const nlmsghdr*>(m.data()); }

template <class T>
const T* body(const Message& m) {
    return static_cast<const T*>(nlmsg_data(const_cast<nlmsghdr*>(header(m))));
}

// Top-level attributes of a request with a fixed header of type T.
template <class T>
std::vector<nlattr*> attrs(const Message& m, int max) {
    std::vector<nlattr*> tb(static_cast<size_t>(max) + 1, nullptr);
    EXPECT_EQ(nlmsg_parse(const_cast<nlmsghdr*>(header(m)), sizeof(T), tb.data(), max, nullptr), 0);
    return tb;
}

std::vector<nlattr*> nested(nlattr* a, int max) {
    std::vector<nlattr*> tb(static_cast<size_t>(max) + 1, nullptr);
    EXPECT_EQ(nla_parse_nested(tb.data(), max, a, nullptr), 0);
    return tb;
}

std::vector<nlattr*> link_data(const Message& m, std::string& kind) {
    auto tb = attrs<ifinfomsg>(m, IFLA_MAX);
    auto info = nested(tb[IFLA_LINKINFO], IFLA_INFO_MAX);
    kind = nla_get_string(info[IFLA_INFO_KIND]);
    return info[IFLA_INFO_DATA] ? nested(info[IFLA_INFO_DATA], 64) : std::vector<nlattr*>(65, nullptr);
}

TEST(MessageBuilder, BondCarriesModeAndOptions) {
    Link bond;
    bond.name = "bond0";
    bond.kind = LinkKind::Bond;
    bond.up = true;
    bond.bond = BondSettings{};
    bond.bond->mode = "802.3ad";
    bond.bond->lacp_rate = "fast";
    bond.bond->xmit_hash_policy = "layer3+4";
    bond.bond->miimon = 100;
    auto msgs = build(plan::CreateLink{bond});
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(header(msgs[0])->nlmsg_type, RTM_NEWLINK);
    EXPECT_EQ(header(msgs[0])->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK), NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
    EXPECT_EQ(header(msgs[0])->nlmsg_seq, 100u);
    EXPECT_EQ(body<ifinfomsg>(msgs[0])->ifi_flags & IFF_UP, static_cast<unsigned>(IFF_UP));
    std::string kind;
    auto data = link_data(msgs[0], kind);
    EXPECT_EQ(kind, "bond");
    EXPECT_EQ(nla_get_u8(data[IFLA_BOND_MODE]), 4);  // 802.3ad
    EXPECT_EQ(nla_get_u8(data[IFLA_BOND_AD_LACP_RATE]), 1);
    EXPECT_EQ(nla_get_u8(data[IFLA_BOND_XMIT_HASH_POLICY]), 1);
    EXPECT_EQ(nla_get_u32(data[IFLA_BOND_MIIMON]), 100u);
}

TEST(MessageBuilder, VlanNamesItsParentAndId) {
    Link vlan;
    vlan.name = "eth0.42";
    vlan.kind = LinkKind::Vlan;
    vlan.vlan = VlanSettings{"eth0", 42, false};
    auto msgs = build(plan::CreateLink{vlan});
    ASSERT_EQ(msgs.size(), 1u);
    auto tb = attrs<ifinfomsg>(msgs[0], IFLA_MAX);
    EXPECT_STREQ(nla_get_string(tb[IFLA_IFNAME]), "eth0.42");
    EXPECT_EQ(nla_get_u32(tb[IFLA_LINK]), 2u);
    std::string kind;
    auto data = link_data(msgs[0], kind);
    EXPECT_EQ(kind, "vlan");
    EXPECT_EQ(nla_get_u16(data[IFLA_VLAN_ID]), 42);
    EXPECT_EQ(ntohs(nla_get_u16(data[IFLA_VLAN_PROTOCOL])), 0x8100);
}

TEST(MessageBuilder, VlanOnAMissingParentIsAnError) {
    Link vlan;
    vlan.name = "eth9.42";
    vlan.kind = LinkKind::Vlan;
    vlan.vlan = VlanSettings{"eth9", 42, false};
    auto r = build_requests(plan::Operation{plan::CreateLink{vlan}, "x"}, index_of, 1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "eth9.42: VLAN parent eth9 not found");
}

TEST(MessageBuilder, DummyAndWireguardAreJustKinds) {
    for (auto [kind, name] : {std::pair{LinkKind::Dummy, "dummy"}, std::pair{LinkKind::Wireguard, "wireguard"}}) {
        Link l;
        l.name = "x0";
        l.kind = kind;
        l.mtu = 1420;
        auto msgs = build(plan::CreateLink{l});
        ASSERT_EQ(msgs.size(), 1u);
        std::string got;
        link_data(msgs[0], got);
        EXPECT_EQ(got, name);
        EXPECT_EQ(nla_get_u32(attrs<ifinfomsg>(msgs[0], IFLA_MAX)[IFLA_MTU]), 1420u);
    }
}

TEST(MessageBuilder, EnslavingTakesTheLinkDownFirst) {
    plan::SetLink set{"eth0", {}, {}};
    set.to.master = "bond0";
    set.to.up = true;
    auto msgs = build(set);
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(body<ifinfomsg>(msgs[0])->ifi_change, static_cast<unsigned>(IFF_UP));
    EXPECT_EQ(body<ifinfomsg>(msgs[0])->ifi_flags & IFF_UP, 0u);
    EXPECT_EQ(header(msgs[1])->nlmsg_seq, 101u);
    EXPECT_EQ(nla_get_u32(attrs<ifinfomsg>(msgs[1], IFLA_MAX)[IFLA_MASTER]), 7u);
    EXPECT_EQ(body<ifinfomsg>(msgs[1])->ifi_flags & IFF_UP, static_cast<unsigned>(IFF_UP));
}

TEST(MessageBuilder, AddressCarriesProtocolPriorityAndBroadcast) {
    Address a{"eth0", *parse_ip_prefix("10.1.2.3/20"), 512, {}};
    auto msgs = build(plan::AddAddress{a});
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(body<ifaddrmsg>(msgs[0])->ifa_prefixlen, 20);
    EXPECT_EQ(body<ifaddrmsg>(msgs[0])->ifa_index, 2u);
    auto tb = attrs<ifaddrmsg>(msgs[0], IFA_MAX);
    EXPECT_EQ(nla_get_u8(tb[IFA_PROTO]), plan::kNodenetProtocol);
    EXPECT_EQ(nla_get_u32(tb[IFA_RT_PRIORITY]), 512u);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, nla_data(tb[IFA_BROADCAST]), text, sizeof text);
    EXPECT_STREQ(text, "10.1.15.255");
}

TEST(MessageBuilder, RouteInAHighTableUsesRtaTable) {
    Route r;
    r.link = "eth0";
    r.destination = *parse_ip_prefix("10.9.0.0/16");
    r.gateway = parse_ip_address("10.0.0.1");
    r.table = 1000;
    r.metric = 100;
    r.mtu = 1400;
    auto msgs = build(plan::AddRoute{r});
    ASSERT_EQ(msgs.size(), 1u);
    const rtmsg* rtm = body<rtmsg>(msgs[0]);
    EXPECT_EQ(rtm->rtm_table, RT_TABLE_UNSPEC);
    EXPECT_EQ(rtm->rtm_protocol, plan::kNodenetProtocol);
    EXPECT_EQ(rtm->rtm_dst_len, 16);
    auto tb = attrs<rtmsg>(msgs[0], RTA_MAX);
    EXPECT_EQ(nla_get_u32(tb[RTA_TABLE]), 1000u);
    EXPECT_EQ(nla_get_u32(tb[RTA_PRIORITY]), 100u);
    EXPECT_EQ(nla_get_u32(tb[RTA_OIF]), 2u);
    auto metrics = nested(tb[RTA_METRICS], RTAX_MAX);
    EXPECT_EQ(nla_get_u32(metrics[RTAX_MTU]), 1400u);
}

TEST(MessageBuilder, ReplaceAndDeleteUseTheirFlags) {
    Route r;
    r.link = "eth0";
    r.destination = *parse_ip_prefix("0.0.0.0/0");
    r.gateway = parse_ip_address("10.0.0.1");
    auto replace = build(plan::ReplaceRoute{r, r});
    EXPECT_EQ(header(replace[0])->nlmsg_flags & NLM_F_REPLACE, NLM_F_REPLACE);
    auto del = build(plan::DeleteRoute{r});
    EXPECT_EQ(header(del[0])->nlmsg_type, RTM_DELROUTE);
    EXPECT_EQ(body<rtmsg>(del[0])->rtm_protocol, plan::kNodenetProtocol);  // never someone else's route
}

}  // namespace
}  // namespace nodenet::netlink
