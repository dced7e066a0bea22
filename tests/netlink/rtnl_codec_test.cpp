// The byte level of the snapshot on crafted messages: what this kernel cannot produce (VLANs, STP,
// a bridge filtering VLANs) and what is odd (peer addresses, RTA_VIA, multipath, cache entries,
// other families, malformed attributes). No root needed.
#include "netlink/rtnl_codec.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "netlink/names.h"

namespace nodenet::netlink {
namespace {

NlMsgPtr link_message(int index, const char* name) {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_MULTI));
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    ifi.ifi_flags = IFF_UP;
    nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO);
    nla_put_string(msg.get(), IFLA_IFNAME, name);
    return msg;
}

void put_kind(nl_msg* msg, const char* kind, const std::function<void(nl_msg*)>& data) {
    nlattr* info = nla_nest_start(msg, IFLA_LINKINFO);
    nla_put_string(msg, IFLA_INFO_KIND, kind);
    nlattr* nest = nla_nest_start(msg, IFLA_INFO_DATA);
    data(msg);
    nla_nest_end(msg, nest);
    nla_nest_end(msg, info);
}

TEST(RtnlCodecLink, VlanIdProtocolAndParent) {
    for (uint16_t protocol : {ETH_P_8021Q, ETH_P_8021AD}) {
        NlMsgPtr msg = link_message(7, "eth0.5");
        nla_put_u32(msg.get(), IFLA_LINK, 2);
        nla_put_u32(msg.get(), IFLA_MTU, 1496);
        put_kind(msg.get(), "vlan", [&](nl_msg* m) {
            nla_put_u16(m, IFLA_VLAN_ID, 5);
            nla_put_u16(m, IFLA_VLAN_PROTOCOL, htons(protocol));
        });
        auto link = decode_link(nlmsg_hdr(msg.get()));
        ASSERT_TRUE(link.ok()) << link.error();
        EXPECT_EQ(link->name, "eth0.5");
        EXPECT_EQ(link->index, 7);
        EXPECT_TRUE(link->up);
        EXPECT_EQ(link->mtu, 1496u);
        EXPECT_EQ(link->kind, "vlan");
        EXPECT_EQ(link->parent_index, 2);
        ASSERT_TRUE(link->vlan);
        EXPECT_EQ(link->vlan->id, 5);
        EXPECT_EQ(link->vlan->q_in_q, protocol == ETH_P_8021AD);
        EXPECT_EQ(link->vlan->parent, "") << "resolved by name once all links are known";
    }
}

TEST(RtnlCodecLink, BridgeStpAndVlanFiltering) {
    NlMsgPtr msg = link_message(3, "br0");
    put_kind(msg.get(), "bridge", [](nl_msg* m) {
        nla_put_u32(m, IFLA_BR_STP_STATE, 1);
        nla_put_u8(m, IFLA_BR_VLAN_FILTERING, 1);
    });
    auto link = decode_link(nlmsg_hdr(msg.get()));
    ASSERT_TRUE(link.ok()) << link.error();
    ASSERT_TRUE(link->bridge);
    EXPECT_TRUE(link->bridge->stp);
    EXPECT_TRUE(link->bridge->vlan_filtering);
    EXPECT_FALSE(link->vlan);
}

TEST(RtnlCodecLink, AddressesCarrierMasterAndPeerInAnotherNamespace) {
    NlMsgPtr msg = link_message(4, "eth1");
    const uint8_t mac[] = {0x02, 0xAB, 0, 0, 0, 0x0F}, perm[] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
    nla_put(msg.get(), IFLA_ADDRESS, sizeof mac, mac);
    nla_put(msg.get(), IFLA_PERM_ADDRESS, sizeof perm, perm);
    nla_put_u8(msg.get(), IFLA_CARRIER, 1);
    nla_put_u32(msg.get(), IFLA_MASTER, 9);
    nla_put_u32(msg.get(), IFLA_LINK, 2);
    nla_put_u32(msg.get(), IFLA_LINK_NETNSID, 0);
    auto link = decode_link(nlmsg_hdr(msg.get()));
    ASSERT_TRUE(link.ok()) << link.error();
    EXPECT_EQ(link->hardware_addr, "02:ab:00:00:00:0f");
    EXPECT_EQ(link->permanent_addr, "52:54:00:12:34:56");
    EXPECT_TRUE(link->carrier);
    EXPECT_EQ(link->master_index, 9);
    EXPECT_EQ(link->parent_index, 0) << "index 2 is a link of another namespace";
}

TEST(RtnlCodecLink, MalformedAttributeIsAnErrorNamingTheLink) {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_MULTI));
    ifinfomsg ifi{};
    ifi.ifi_index = 7;
    nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO);
    uint16_t short_mtu = 1500;
    nla_put(msg.get(), IFLA_MTU, sizeof short_mtu, &short_mtu);
    auto link = decode_link(nlmsg_hdr(msg.get()));
    ASSERT_FALSE(link.ok());
    EXPECT_EQ(link.error().rfind("link 7: malformed kernel message: ", 0), 0u) << link.error();
}

NlMsgPtr address_message(int family, uint8_t prefix_len, int index) {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_MULTI));
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<uint8_t>(family);
    ifa.ifa_prefixlen = prefix_len;
    ifa.ifa_index = static_cast<uint32_t>(index);
    ifa.ifa_flags = IFA_F_PERMANENT;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    nlmsg_append(msg.get(), &ifa, sizeof ifa, NLMSG_ALIGNTO);
    return msg;
}

void put_ip(nl_msg* msg, int type, const char* text) {
    auto ip = state::parse_ip_address(text);
    ASSERT_TRUE(ip);
    nla_put(msg, type, static_cast<int>(ip->size()), ip->bytes.data());
}

TEST(RtnlCodecAddress, PointToPointTakesTheLocalAddressAndEveryField) {
    NlMsgPtr msg = address_message(AF_INET, 32, 3);
    put_ip(msg.get(), IFA_ADDRESS, "10.5.0.2");
    put_ip(msg.get(), IFA_LOCAL, "10.5.0.1");
    nla_put_u32(msg.get(), IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);  // beyond the 8-bit field
    nla_put_u8(msg.get(), IFA_PROTO, 110);
    nla_put_u32(msg.get(), IFA_RT_PRIORITY, 50);
    ifa_cacheinfo info{};
    info.ifa_valid = 1000;
    info.ifa_prefered = 500;
    nla_put(msg.get(), IFA_CACHEINFO, sizeof info, &info);
    auto a = decode_address(nlmsg_hdr(msg.get()));
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_TRUE(*a);
    EXPECT_EQ((*a)->prefix.str(), "10.5.0.1/32");
    EXPECT_EQ((*a)->link_index, 3);
    EXPECT_EQ((*a)->flags, uint32_t{IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE});
    EXPECT_EQ((*a)->protocol, 110);
    EXPECT_EQ((*a)->priority, 50u);
    EXPECT_EQ((*a)->valid_lifetime, 1000u);
    EXPECT_EQ((*a)->preferred_lifetime, 500u);
}

TEST(RtnlCodecAddress, Ipv6WithoutPeerHasOnlyIfaAddress) {
    NlMsgPtr msg = address_message(AF_INET6, 64, 2);
    put_ip(msg.get(), IFA_ADDRESS, "2001:db8::5");
    auto a = decode_address(nlmsg_hdr(msg.get()));
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_TRUE(*a);
    EXPECT_EQ((*a)->prefix.str(), "2001:db8::5/64");
    EXPECT_EQ((*a)->flags, uint32_t{IFA_F_PERMANENT}) << "the 8-bit field when IFA_FLAGS is absent";
    EXPECT_EQ((*a)->protocol, 0);
    EXPECT_EQ((*a)->valid_lifetime, 0xFFFFFFFFu);
}

TEST(RtnlCodecAddress, OtherFamiliesAreSkippedAndBadLengthsRejected) {
    NlMsgPtr mctp = address_message(45 /* AF_MCTP */, 0, 2);
    auto skipped = decode_address(nlmsg_hdr(mctp.get()));
    ASSERT_TRUE(skipped.ok()) << skipped.error();
    EXPECT_FALSE(*skipped);

    NlMsgPtr bad = address_message(AF_INET, 24, 2);
    put_ip(bad.get(), IFA_ADDRESS, "2001:db8::5");  // 16 bytes in an IPv4 message
    auto rejected = decode_address(nlmsg_hdr(bad.get()));
    ASSERT_FALSE(rejected.ok());
    EXPECT_NE(rejected.error().find("address of link 2"), std::string::npos) << rejected.error();
}

NlMsgPtr route_message(int family, uint8_t dst_len, uint8_t table, uint32_t flags = 0) {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_MULTI));
    rtmsg rtm{};
    rtm.rtm_family = static_cast<uint8_t>(family);
    rtm.rtm_dst_len = dst_len;
    rtm.rtm_table = table;
    rtm.rtm_protocol = 110;
    rtm.rtm_scope = RT_SCOPE_UNIVERSE;
    rtm.rtm_type = RTN_UNICAST;
    rtm.rtm_flags = flags;
    nlmsg_append(msg.get(), &rtm, sizeof rtm, NLMSG_ALIGNTO);
    return msg;
}

TEST(RtnlCodecRoute, EveryFieldWithRtaTableOverTheHeaderAndViaGateway) {
    NlMsgPtr msg = route_message(AF_INET, 16, RT_TABLE_COMPAT);
    nla_put_u32(msg.get(), RTA_TABLE, 1000);
    put_ip(msg.get(), RTA_DST, "10.20.0.0");
    put_ip(msg.get(), RTA_PREFSRC, "10.1.0.5");
    nla_put_u32(msg.get(), RTA_OIF, 3);
    nla_put_u32(msg.get(), RTA_PRIORITY, 1024);
    // An IPv4 route through an IPv6 router.
    auto gw = state::parse_ip_address("fe80::1");
    std::vector<uint8_t> via(sizeof(rtvia) + 16);
    auto family = static_cast<__kernel_sa_family_t>(AF_INET6);
    std::memcpy(via.data(), &family, sizeof family);
    std::memcpy(via.data() + sizeof(rtvia), gw->bytes.data(), 16);
    nla_put(msg.get(), RTA_VIA, static_cast<int>(via.size()), via.data());
    nlattr* metrics = nla_nest_start(msg.get(), RTA_METRICS);
    nla_put_u32(msg.get(), RTAX_MTU, 1400);
    nla_nest_end(msg.get(), metrics);

    auto decoded = decode_route(nlmsg_hdr(msg.get()));
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    ASSERT_TRUE(*decoded);
    const state::ObservedRoute& r = (*decoded)->route;
    EXPECT_EQ(r.table, 1000u);
    EXPECT_EQ(r.destination.str(), "10.20.0.0/16");
    ASSERT_TRUE(r.gateway);
    EXPECT_EQ(r.gateway->str(), "fe80::1");
    ASSERT_TRUE(r.source);
    EXPECT_EQ(r.source->str(), "10.1.0.5");
    EXPECT_EQ(r.link_index, 3);
    EXPECT_EQ(r.metric, 1024u);
    EXPECT_EQ(r.protocol, 110);
    EXPECT_EQ(r.type, RTN_UNICAST);
    EXPECT_EQ(r.mtu, 1400u);
}

TEST(RtnlCodecRoute, DefaultRouteHasNoDestinationAttribute) {
    NlMsgPtr msg = route_message(AF_INET6, 0, RT_TABLE_MAIN);
    put_ip(msg.get(), RTA_GATEWAY, "2001:db8::1");
    auto decoded = decode_route(nlmsg_hdr(msg.get()));
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    ASSERT_TRUE(*decoded);
    EXPECT_EQ((*decoded)->route.destination.str(), "::/0");
    EXPECT_EQ((*decoded)->route.table, 254u);
    EXPECT_EQ((*decoded)->route.family, state::Family::V6);
}

TEST(RtnlCodecRoute, MultipathKeepsItsHopsLinksButNoSingleLink) {
    NlMsgPtr msg = route_message(AF_INET, 16, RT_TABLE_MAIN);
    put_ip(msg.get(), RTA_DST, "10.30.0.0");
    nlattr* mp = nla_nest_start(msg.get(), RTA_MULTIPATH);
    for (int ifindex : {3, 5}) {
        rtnexthop hop{};
        hop.rtnh_len = sizeof hop;
        hop.rtnh_ifindex = ifindex;
        nlmsg_append(msg.get(), &hop, sizeof hop, NLMSG_ALIGNTO);
    }
    nla_nest_end(msg.get(), mp);
    auto decoded = decode_route(nlmsg_hdr(msg.get()));
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    ASSERT_TRUE(*decoded);
    EXPECT_EQ((*decoded)->hop_links, (std::vector<int>{3, 5}));
    EXPECT_EQ((*decoded)->route.link_index, 0);
    EXPECT_FALSE((*decoded)->route.gateway);
}

TEST(RtnlCodecRoute, CacheEntriesAndOtherFamiliesAreSkipped) {
    NlMsgPtr cloned = route_message(AF_INET6, 128, RT_TABLE_MAIN, RTM_F_CLONED);
    auto a = decode_route(nlmsg_hdr(cloned.get()));
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(*a);
    NlMsgPtr ipmr = route_message(RTNL_FAMILY_IPMR, 32, RT_TABLE_DEFAULT);
    auto b = decode_route(nlmsg_hdr(ipmr.get()));
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(*b);
}

TEST(RtnlCodecRoute, DestinationLongerThanItsFamilyIsRejected) {
    NlMsgPtr msg = route_message(AF_INET, 33, RT_TABLE_MAIN);
    put_ip(msg.get(), RTA_DST, "10.0.0.0");
    auto decoded = decode_route(nlmsg_hdr(msg.get()));
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.error().find("table 254"), std::string::npos) << decoded.error();
}

TEST(RtnlCodecRequest, RouteDumpCarriesItsFilters) {
    NlMsgPtr msg = route_dump_request({1000, 3, 110});
    nlmsghdr* hdr = nlmsg_hdr(msg.get());
    EXPECT_EQ(hdr->nlmsg_type, RTM_GETROUTE);
    EXPECT_TRUE(hdr->nlmsg_flags & NLM_F_DUMP);
    const auto* rtm = static_cast<const rtmsg*>(nlmsg_data(hdr));
    EXPECT_EQ(rtm->rtm_family, AF_UNSPEC);
    EXPECT_EQ(rtm->rtm_table, RT_TABLE_UNSPEC) << "tables above 255 travel in RTA_TABLE only";
    EXPECT_EQ(rtm->rtm_protocol, 110);
    nlattr* tb[RTA_MAX + 1] = {};
    ASSERT_EQ(nlmsg_parse(hdr, sizeof(rtmsg), tb, RTA_MAX, nullptr), 0);
    ASSERT_TRUE(tb[RTA_TABLE] && tb[RTA_OIF]);
    EXPECT_EQ(nla_get_u32(tb[RTA_TABLE]), 1000u);
    EXPECT_EQ(nla_get_u32(tb[RTA_OIF]), 3u);

    NlMsgPtr unfiltered = route_dump_request({});
    EXPECT_EQ(nlmsg_datalen(nlmsg_hdr(unfiltered.get())), static_cast<int>(NLMSG_ALIGN(sizeof(rtmsg))))
        << "no attribute: the kernel would reject an empty one";
}

TEST(RtnlCodecRequest, AddressDumpOfOneLink) {
    NlMsgPtr msg = address_dump_request(5);
    const auto* ifa = static_cast<const ifaddrmsg*>(nlmsg_data(nlmsg_hdr(msg.get())));
    EXPECT_EQ(ifa->ifa_index, 5u);
    EXPECT_EQ(ifa->ifa_family, AF_UNSPEC);
}

TEST(RtnlNames, AsIproute2PrintsThem) {
    EXPECT_EQ(route_protocol_name(110), "nodenet");
    EXPECT_EQ(route_protocol_name(186), "bgp");
    EXPECT_EQ(route_protocol_name(2), "kernel");
    EXPECT_EQ(route_protocol_name(77), "77");
    EXPECT_EQ(address_protocol_name(110), "nodenet");
    EXPECT_EQ(address_protocol_name(IFAPROT_KERNEL_LL), "kernel_ll");
    EXPECT_EQ(scope_name(RT_SCOPE_LINK), "link");
    EXPECT_EQ(route_type_name(RTN_BLACKHOLE), "blackhole");
    EXPECT_EQ(table_name(254), "main");
    EXPECT_EQ(table_name(100), "100");
    EXPECT_EQ(address_flag_names(IFA_F_SECONDARY | IFA_F_PERMANENT, state::Family::V6),
              (std::vector<std::string>{"temporary", "permanent"}));
    EXPECT_EQ(address_flag_names(IFA_F_SECONDARY | 0x10000, state::Family::V4),
              (std::vector<std::string>{"secondary", "0x10000"}));
}

}  // namespace
}  // namespace nodenet::netlink
