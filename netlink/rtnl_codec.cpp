#include "netlink/rtnl_codec.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <string>

namespace nodenet::netlink {

namespace {

using state::Family;
using state::IpAddress;

nla_policy typed(int type, uint16_t minlen = 0) {
    nla_policy p{};
    p.type = static_cast<uint16_t>(type);
    p.minlen = minlen;
    return p;
}

// libnl checks each attribute's length against these before we read it; attributes not listed
// (NLA_UNSPEC) are length-checked where they are read.
const nla_policy* link_policy() {
    static const auto policy = [] {
        std::array<nla_policy, IFLA_MAX + 1> p{};
        p[IFLA_IFNAME] = typed(NLA_STRING);
        p[IFLA_MTU] = typed(NLA_U32);
        p[IFLA_MASTER] = typed(NLA_U32);
        p[IFLA_LINK] = typed(NLA_U32);
        p[IFLA_LINK_NETNSID] = typed(NLA_U32);
        p[IFLA_CARRIER] = typed(NLA_U8);
        p[IFLA_LINKINFO] = typed(NLA_NESTED);
        return p;
    }();
    return policy.data();
}

const nla_policy* link_info_policy() {
    static const auto policy = [] {
        std::array<nla_policy, IFLA_INFO_MAX + 1> p{};
        p[IFLA_INFO_KIND] = typed(NLA_STRING);
        p[IFLA_INFO_DATA] = typed(NLA_NESTED);
        return p;
    }();
    return policy.data();
}

const nla_policy* bridge_policy() {
    static const auto policy = [] {
        std::array<nla_policy, IFLA_BR_MAX + 1> p{};
        p[IFLA_BR_STP_STATE] = typed(NLA_U32);
        p[IFLA_BR_VLAN_FILTERING] = typed(NLA_U8);
        return p;
    }();
    return policy.data();
}

const nla_policy* vlan_policy() {
    static const auto policy = [] {
        std::array<nla_policy, IFLA_VLAN_MAX + 1> p{};
        p[IFLA_VLAN_ID] = typed(NLA_U16);
        p[IFLA_VLAN_PROTOCOL] = typed(NLA_U16);
        return p;
    }();
    return policy.data();
}

const nla_policy* address_policy() {
    static const auto policy = [] {
        std::array<nla_policy, IFA_MAX + 1> p{};
        p[IFA_FLAGS] = typed(NLA_U32);
        p[IFA_PROTO] = typed(NLA_U8);
        p[IFA_RT_PRIORITY] = typed(NLA_U32);
        p[IFA_CACHEINFO] = typed(NLA_UNSPEC, sizeof(ifa_cacheinfo));
        return p;
    }();
    return policy.data();
}

const nla_policy* route_policy() {
    static const auto policy = [] {
        std::array<nla_policy, RTA_MAX + 1> p{};
        p[RTA_TABLE] = typed(NLA_U32);
        p[RTA_OIF] = typed(NLA_U32);
        p[RTA_PRIORITY] = typed(NLA_U32);
        p[RTA_METRICS] = typed(NLA_NESTED);
        p[RTA_VIA] = typed(NLA_UNSPEC, sizeof(rtvia));
        return p;
    }();
    return policy.data();
}

const nla_policy* rule_policy() {
    static const auto policy = [] {
        std::array<nla_policy, FRA_MAX + 1> p{};
        p[FRA_PRIORITY] = typed(NLA_U32);
        p[FRA_TABLE] = typed(NLA_U32);
        p[FRA_FWMARK] = typed(NLA_U32);
        p[FRA_FWMASK] = typed(NLA_U32);
        p[FRA_PROTOCOL] = typed(NLA_U8);
        p[FRA_IIFNAME] = typed(NLA_STRING);
        p[FRA_OIFNAME] = typed(NLA_STRING);
        p[FRA_SUPPRESS_PREFIXLEN] = typed(NLA_U32);
        p[FRA_SUPPRESS_IFGROUP] = typed(NLA_U32);
        return p;
    }();
    return policy.data();
}

const nla_policy* metrics_policy() {
    static const auto policy = [] {
        std::array<nla_policy, RTAX_MAX + 1> p{};
        p[RTAX_MTU] = typed(NLA_U32);
        return p;
    }();
    return policy.data();
}

Error malformed(const std::string& what, int nl_error) {
    return Error{what + ": malformed kernel message: " + nl_geterror(nl_error)};
}

std::optional<Family> family_of(int af) {
    if (af == AF_INET) return Family::V4;
    if (af == AF_INET6) return Family::V6;
    return std::nullopt;
}

std::optional<IpAddress> ip_from(const void* data, size_t len, Family family) {
    IpAddress ip;
    ip.family = family;
    if (len != ip.size()) return std::nullopt;
    std::memcpy(ip.bytes.data(), data, len);
    return ip;
}

std::optional<IpAddress> ip_from(const nlattr* attr, Family family) {
    return ip_from(nla_data(attr), static_cast<size_t>(nla_len(attr)), family);
}

std::string hardware_address(const nlattr* attr) {
    static constexpr char kHex[] = "0123456789abcdef";
    const auto* bytes = static_cast<const uint8_t*>(nla_data(attr));
    std::string s;
    for (int i = 0; i < nla_len(attr); ++i) {
        if (i) s += ':';
        s += kHex[bytes[i] >> 4];
        s += kHex[bytes[i] & 0xF];
    }
    return s;
}

Status decode_link_info(nlattr* info, state::ObservedLink& link, const std::string& what) {
    nlattr* tb[IFLA_INFO_MAX + 1] = {};
    if (int err = nla_parse_nested(tb, IFLA_INFO_MAX, info, link_info_policy()); err < 0) return malformed(what, err);
    if (tb[IFLA_INFO_KIND]) link.kind = nla_get_string(tb[IFLA_INFO_KIND]);
    nlattr* data = tb[IFLA_INFO_DATA];
    if (link.kind == "bridge" && data) {
        nlattr* br[IFLA_BR_MAX + 1] = {};
        if (int err = nla_parse_nested(br, IFLA_BR_MAX, data, bridge_policy()); err < 0) return malformed(what, err);
        state::BridgeSettings settings;
        settings.stp = br[IFLA_BR_STP_STATE] && nla_get_u32(br[IFLA_BR_STP_STATE]) != 0;
        settings.vlan_filtering = br[IFLA_BR_VLAN_FILTERING] && nla_get_u8(br[IFLA_BR_VLAN_FILTERING]) != 0;
        link.bridge = settings;
    } else if (link.kind == "vlan" && data) {
        nlattr* vl[IFLA_VLAN_MAX + 1] = {};
        if (int err = nla_parse_nested(vl, IFLA_VLAN_MAX, data, vlan_policy()); err < 0) return malformed(what, err);
        state::VlanSettings settings;
        if (vl[IFLA_VLAN_ID]) settings.id = nla_get_u16(vl[IFLA_VLAN_ID]);
        // The protocol is in network byte order, unlike every other integer here.
        settings.q_in_q = vl[IFLA_VLAN_PROTOCOL] && ntohs(nla_get_u16(vl[IFLA_VLAN_PROTOCOL])) == ETH_P_8021AD;
        link.vlan = settings;
    }
    return success();
}

void decode_multipath(const nlattr* attr, DecodedRoute& decoded) {
    const auto* hop = static_cast<const rtnexthop*>(nla_data(attr));
    int left = nla_len(attr);
    // RTNH_OK reads rtnh_len before it checks that a whole header is left.
    while (left >= static_cast<int>(sizeof(rtnexthop)) && RTNH_OK(hop, left)) {
        decoded.hop_links.push_back(hop->rtnh_ifindex);
        left -= static_cast<int>(RTNH_ALIGN(hop->rtnh_len));
        hop = RTNH_NEXT(hop);
    }
}

// RTA_GATEWAY is of the route's family; RTA_VIA carries its own (an IPv4 route via an IPv6 router).
// Returns what is wrong with them, or "".
const char* decode_gateway(nlattr** tb, Family family, state::ObservedRoute& route) {
    if (tb[RTA_GATEWAY]) {
        route.gateway = ip_from(tb[RTA_GATEWAY], family);
        if (!route.gateway) return "gateway of the wrong length";
    } else if (tb[RTA_VIA]) {
        const auto* via = static_cast<const rtvia*>(nla_data(tb[RTA_VIA]));
        auto via_family = family_of(via->rtvia_family);
        size_t len = static_cast<size_t>(nla_len(tb[RTA_VIA])) - sizeof(rtvia);
        if (via_family) route.gateway = ip_from(via->rtvia_addr, len, *via_family);
        if (!route.gateway) return "unreadable RTA_VIA";
    }
    return "";
}

// Objects are named only when something is wrong with them: formatting a name for each of a
// hundred thousand routes would cost more than decoding them.
std::string address_name(const ifaddrmsg* ifa) { return "address of link " + std::to_string(ifa->ifa_index); }

std::string route_name(const state::ObservedRoute& r, bool destination_known) {
    return (destination_known ? r.destination.str() : std::string("route")) + " in table " + std::to_string(r.table);
}

std::string rule_name(const state::ObservedRule& r) {
    return std::string(r.family == Family::V4 ? "IPv4" : "IPv6") + " rule " + std::to_string(r.priority);
}

// `from` / `to` of a rule: absent or of length 0 is "all".
const char* decode_rule_prefix(const nlattr* attr, uint8_t len, Family family, std::optional<state::IpPrefix>& out) {
    if (len == 0) return "";
    auto ip = attr ? ip_from(attr, family) : std::nullopt;
    if (!ip || len > ip->size() * 8) return "invalid address";
    out = state::IpPrefix{*ip, len};
    return "";
}

// The attributes of selectors and actions nodenet does not model.
constexpr int kOtherSelectors[] = {FRA_GOTO,      FRA_FLOW,     FRA_TUN_ID,      FRA_L3MDEV,
                                   FRA_UID_RANGE, FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE};

// The kernel sends these with every rule, -1 meaning "not set".
constexpr int kUnlessMinusOne[] = {FRA_SUPPRESS_PREFIXLEN, FRA_SUPPRESS_IFGROUP};

}  // namespace

NlMsgPtr link_dump_request() {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    if (!msg || nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
        return nullptr;
    return msg;
}

NlMsgPtr address_dump_request(int ifindex) {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP));
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_UNSPEC;  // both IPv4 and IPv6 in one dump
    ifa.ifa_index = static_cast<uint32_t>(ifindex);
    if (!msg || nlmsg_append(msg.get(), &ifa, sizeof ifa, NLMSG_ALIGNTO) < 0) return nullptr;
    return msg;
}

NlMsgPtr route_dump_request(const RouteDumpFilter& filter) {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP));
    rtmsg rtm{};
    // AF_UNSPEC: IPv4 and IPv6 in one dump, and a table that does not exist yet is an empty answer
    // (a single-family dump answers ENOENT).
    rtm.rtm_family = AF_UNSPEC;
    rtm.rtm_table = static_cast<uint8_t>(filter.table < 256 ? filter.table : uint32_t{RT_TABLE_UNSPEC});
    rtm.rtm_protocol = filter.protocol;
    if (!msg || nlmsg_append(msg.get(), &rtm, sizeof rtm, NLMSG_ALIGNTO) < 0) return nullptr;
    if (filter.table && nla_put_u32(msg.get(), RTA_TABLE, filter.table) < 0) return nullptr;
    if (filter.oif && nla_put_u32(msg.get(), RTA_OIF, static_cast<uint32_t>(filter.oif)) < 0) return nullptr;
    return msg;
}

NlMsgPtr rule_dump_request() {
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_GETRULE, NLM_F_DUMP));
    fib_rule_hdr frh{};
    frh.family = AF_UNSPEC;  // IPv4 and IPv6 (and multicast routing's, skipped when decoded)
    if (!msg || nlmsg_append(msg.get(), &frh, sizeof frh, NLMSG_ALIGNTO) < 0) return nullptr;
    return msg;
}

Result<state::ObservedLink> decode_link(nlmsghdr* hdr) {
    if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return Error{"link: truncated kernel message"};
    const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(hdr));
    std::string what = "link " + std::to_string(ifi->ifi_index);
    nlattr* tb[IFLA_MAX + 1] = {};
    if (int err = nlmsg_parse(hdr, sizeof(ifinfomsg), tb, IFLA_MAX, link_policy()); err < 0)
        return malformed(what, err);

    state::ObservedLink link;
    link.index = ifi->ifi_index;
    link.up = (ifi->ifi_flags & IFF_UP) != 0;
    if (tb[IFLA_IFNAME]) link.name = nla_get_string(tb[IFLA_IFNAME]);
    if (!link.name.empty()) what = link.name;
    if (tb[IFLA_CARRIER]) link.carrier = nla_get_u8(tb[IFLA_CARRIER]) != 0;
    if (tb[IFLA_MTU]) link.mtu = nla_get_u32(tb[IFLA_MTU]);
    if (tb[IFLA_MASTER]) link.master_index = static_cast<int>(nla_get_u32(tb[IFLA_MASTER]));
    if (tb[IFLA_LINK] && !tb[IFLA_LINK_NETNSID]) link.parent_index = static_cast<int>(nla_get_u32(tb[IFLA_LINK]));
    if (tb[IFLA_ADDRESS]) link.hardware_addr = hardware_address(tb[IFLA_ADDRESS]);
    if (tb[IFLA_PERM_ADDRESS]) link.permanent_addr = hardware_address(tb[IFLA_PERM_ADDRESS]);
    if (tb[IFLA_LINKINFO]) {
        Status status = decode_link_info(tb[IFLA_LINKINFO], link, what);
        if (!status.ok()) return Error{status.error()};
    }
    return link;
}

Result<std::optional<state::ObservedAddress>> decode_address(nlmsghdr* hdr) {
    if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return Error{"address: truncated kernel message"};
    const auto* ifa = static_cast<const ifaddrmsg*>(nlmsg_data(hdr));
    auto family = family_of(ifa->ifa_family);
    if (!family) return std::optional<state::ObservedAddress>();
    nlattr* tb[IFA_MAX + 1] = {};
    if (int err = nlmsg_parse(hdr, sizeof(ifaddrmsg), tb, IFA_MAX, address_policy()); err < 0)
        return malformed(address_name(ifa), err);

    // IFA_ADDRESS is the peer's address on a point-to-point address; IFA_LOCAL is then ours.
    nlattr* local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
    std::optional<IpAddress> ip = local ? ip_from(local, *family) : std::nullopt;
    if (!ip || ifa->ifa_prefixlen > ip->size() * 8)
        return Error{address_name(ifa) + ": malformed kernel message: missing or invalid address"};

    state::ObservedAddress a;
    a.link_index = static_cast<int>(ifa->ifa_index);
    a.prefix = state::IpPrefix{*ip, ifa->ifa_prefixlen};
    a.scope = ifa->ifa_scope;
    a.flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;  // the 8-bit field lacks newer flags
    if (tb[IFA_PROTO]) a.protocol = nla_get_u8(tb[IFA_PROTO]);
    if (tb[IFA_RT_PRIORITY]) a.priority = nla_get_u32(tb[IFA_RT_PRIORITY]);
    if (tb[IFA_CACHEINFO]) {
        ifa_cacheinfo info{};
        std::memcpy(&info, nla_data(tb[IFA_CACHEINFO]), sizeof info);
        a.valid_lifetime = info.ifa_valid;
        a.preferred_lifetime = info.ifa_prefered;
    }
    return std::optional<state::ObservedAddress>(a);
}

Result<std::optional<DecodedRoute>> decode_route(nlmsghdr* hdr) {
    if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return Error{"route: truncated kernel message"};
    const auto* rtm = static_cast<const rtmsg*>(nlmsg_data(hdr));
    auto family = family_of(rtm->rtm_family);
    if (!family || (rtm->rtm_flags & RTM_F_CLONED)) return std::optional<DecodedRoute>();
    nlattr* tb[RTA_MAX + 1] = {};
    int err = nlmsg_parse(hdr, sizeof(rtmsg), tb, RTA_MAX, route_policy());

    DecodedRoute decoded;
    state::ObservedRoute& route = decoded.route;
    route.family = *family;
    route.table = err >= 0 && tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
    if (err < 0) return malformed(route_name(route, false), err);

    IpAddress any;
    any.family = *family;
    auto dst = tb[RTA_DST] ? ip_from(tb[RTA_DST], *family) : any;
    if (!dst || rtm->rtm_dst_len > dst->size() * 8)
        return Error{route_name(route, false) + ": malformed kernel message: invalid destination"};
    route.destination = state::IpPrefix{*dst, rtm->rtm_dst_len};
    if (const char* problem = decode_gateway(tb, *family, route); *problem)
        return Error{route_name(route, true) + ": malformed kernel message: " + problem};
    if (tb[RTA_PREFSRC]) {
        route.source = ip_from(tb[RTA_PREFSRC], *family);
        if (!route.source) return Error{route_name(route, true) + ": malformed kernel message: invalid preferred source"};
    }
    if (tb[RTA_OIF]) route.link_index = static_cast<int>(nla_get_u32(tb[RTA_OIF]));
    if (tb[RTA_PRIORITY]) route.metric = nla_get_u32(tb[RTA_PRIORITY]);
    route.protocol = rtm->rtm_protocol;
    route.scope = rtm->rtm_scope;
    route.type = rtm->rtm_type;
    if (tb[RTA_METRICS]) {
        nlattr* mx[RTAX_MAX + 1] = {};
        if (int e = nla_parse_nested(mx, RTAX_MAX, tb[RTA_METRICS], metrics_policy()); e < 0)
            return malformed(route_name(route, true), e);
        if (mx[RTAX_MTU]) route.mtu = nla_get_u32(mx[RTAX_MTU]);
    }
    if (tb[RTA_MULTIPATH]) decode_multipath(tb[RTA_MULTIPATH], decoded);
    return std::optional<DecodedRoute>(std::move(decoded));
}

Result<std::optional<state::ObservedRule>> decode_rule(nlmsghdr* hdr) {
    if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(fib_rule_hdr))) return Error{"rule: truncated kernel message"};
    const auto* frh = static_cast<const fib_rule_hdr*>(nlmsg_data(hdr));
    auto family = family_of(frh->family);
    if (!family) return std::optional<state::ObservedRule>();
    nlattr* tb[FRA_MAX + 1] = {};
    int err = nlmsg_parse(hdr, sizeof(fib_rule_hdr), tb, FRA_MAX, rule_policy());

    state::ObservedRule rule;
    rule.family = *family;
    if (err >= 0 && tb[FRA_PRIORITY]) rule.priority = nla_get_u32(tb[FRA_PRIORITY]);
    if (err < 0) return malformed(rule_name(rule), err);
    rule.action = static_cast<state::RuleAction>(frh->action);
    rule.table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh->table;
    if (const char* problem = decode_rule_prefix(tb[FRA_SRC], frh->src_len, *family, rule.source); *problem)
        return Error{rule_name(rule) + ": malformed kernel message: source: " + problem};
    if (const char* problem = decode_rule_prefix(tb[FRA_DST], frh->dst_len, *family, rule.destination); *problem)
        return Error{rule_name(rule) + ": malformed kernel message: destination: " + problem};
    if (tb[FRA_IIFNAME]) rule.iif = nla_get_string(tb[FRA_IIFNAME]);
    if (tb[FRA_OIFNAME]) rule.oif = nla_get_string(tb[FRA_OIFNAME]);
    if (tb[FRA_FWMARK]) rule.fwmark = nla_get_u32(tb[FRA_FWMARK]);
    if (tb[FRA_FWMASK]) rule.fwmask = nla_get_u32(tb[FRA_FWMASK]);
    if (tb[FRA_PROTOCOL]) rule.protocol = nla_get_u8(tb[FRA_PROTOCOL]);
    auto action = frh->action;
    rule.other_selectors = frh->tos != 0 || (frh->flags & FIB_RULE_INVERT) ||
                           (action != FR_ACT_TO_TBL && action != FR_ACT_BLACKHOLE && action != FR_ACT_UNREACHABLE &&
                            action != FR_ACT_PROHIBIT);
    for (int type : kOtherSelectors) rule.other_selectors = rule.other_selectors || tb[type] != nullptr;
    for (int type : kUnlessMinusOne)
        rule.other_selectors = rule.other_selectors || (tb[type] && nla_get_u32(tb[type]) != 0xFFFFFFFF);
    return std::optional<state::ObservedRule>(std::move(rule));
}

}  // namespace nodenet::netlink
