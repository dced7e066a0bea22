#include "netlink/message_builder.h"

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "common/overloaded.h"
#include "plan/diff.h"

namespace nodenet::netlink {

namespace {

struct MsgDeleter {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;

// Builds one request; the first failing nla_put makes the whole request fail (buffer full).
class Request {
public:
    Request(int type, int flags) : msg_(nlmsg_alloc_simple(type, flags | NLM_F_REQUEST | NLM_F_ACK)) {}

    template <class T>
    void header(const T& h) { ok_ = ok_ && msg_ && nlmsg_append(msg_.get(), const_cast<T*>(&h), sizeof h, NLMSG_ALIGNTO) == 0; }
    void u8(int type, uint8_t v) { ok_ = ok_ && nla_put_u8(msg_.get(), type, v) == 0; }
    void u16(int type, uint16_t v) { ok_ = ok_ && nla_put_u16(msg_.get(), type, v) == 0; }
    void u32(int type, uint32_t v) { ok_ = ok_ && nla_put_u32(msg_.get(), type, v) == 0; }
    void str(int type, const std::string& v) { ok_ = ok_ && nla_put_string(msg_.get(), type, v.c_str()) == 0; }
    void ip(int type, const state::IpAddress& a) {
        ok_ = ok_ && nla_put(msg_.get(), type, static_cast<int>(a.size()), a.bytes.data()) == 0;
    }
    void raw(int type, const void* data, int len) { ok_ = ok_ && nla_put(msg_.get(), type, len, data) == 0; }
    nlattr* nest(int type) {
        nlattr* n = ok_ ? nla_nest_start(msg_.get(), type) : nullptr;
        ok_ = ok_ && n;
        return n;
    }
    void end(nlattr* n) {
        if (ok_) nla_nest_end(msg_.get(), n);
    }

    Result<Message> finish(uint32_t seq) {
        if (!ok_) return Error{"netlink request too large"};
        nlmsghdr* h = nlmsg_hdr(msg_.get());
        h->nlmsg_seq = seq;
        auto* bytes = reinterpret_cast<const uint8_t*>(h);
        return Message(bytes, bytes + NLMSG_ALIGN(h->nlmsg_len));
    }

private:
    MsgPtr msg_;
    bool ok_ = msg_ != nullptr;
};

uint8_t family_of(const state::IpAddress& a) { return a.family == state::Family::V4 ? AF_INET : AF_INET6; }

template <size_t N>
uint8_t enum_value(const std::string& name, const std::array<const char*, N>& names) {
    for (size_t i = 0; i < N; ++i)
        if (name == names[i]) return static_cast<uint8_t>(i);
    return 0;  // "" is the kernel default, the first name
}

void bond_data(Request& r, const state::BondSettings& b) {
    static constexpr std::array<const char*, 7> kModes = {"balance-rr", "active-backup", "balance-xor", "broadcast",
                                                           "802.3ad", "balance-tlb", "balance-alb"};
    r.u8(IFLA_BOND_MODE, enum_value(b.mode, kModes));
    r.u8(IFLA_BOND_XMIT_HASH_POLICY,
         enum_value(b.xmit_hash_policy, std::array<const char*, 5>{"layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4"}));
    r.u8(IFLA_BOND_AD_LACP_RATE, enum_value(b.lacp_rate, std::array<const char*, 2>{"slow", "fast"}));
    r.u32(IFLA_BOND_ARP_VALIDATE,
          enum_value(b.arp_validate, std::array<const char*, 7>{"none", "active", "backup", "all", "filter",
                                                                  "filter-active", "filter-backup"}));
    r.u32(IFLA_BOND_ARP_ALL_TARGETS, enum_value(b.arp_all_targets, std::array<const char*, 2>{"any", "all"}));
    r.u8(IFLA_BOND_PRIMARY_RESELECT,
         enum_value(b.primary_reselect, std::array<const char*, 3>{"always", "better", "failure"}));
    r.u8(IFLA_BOND_FAIL_OVER_MAC, enum_value(b.fail_over_mac, std::array<const char*, 3>{"none", "active", "follow"}));
    r.u8(IFLA_BOND_AD_SELECT, enum_value(b.ad_select, std::array<const char*, 3>{"stable", "bandwidth", "count"}));
    r.u32(IFLA_BOND_MIIMON, b.miimon);
    r.u32(IFLA_BOND_UPDELAY, b.updelay);
    r.u32(IFLA_BOND_DOWNDELAY, b.downdelay);
    r.u8(IFLA_BOND_USE_CARRIER, b.use_carrier ? 1 : 0);
    if (b.arp_interval) r.u32(IFLA_BOND_ARP_INTERVAL, b.arp_interval);
    if (b.resend_igmp) r.u32(IFLA_BOND_RESEND_IGMP, b.resend_igmp);
    if (b.min_links) r.u32(IFLA_BOND_MIN_LINKS, b.min_links);
    if (b.lp_interval) r.u32(IFLA_BOND_LP_INTERVAL, b.lp_interval);
    if (b.packets_per_slave) r.u32(IFLA_BOND_PACKETS_PER_SLAVE, b.packets_per_slave);
    if (b.num_peer_notif) r.u8(IFLA_BOND_NUM_PEER_NOTIF, b.num_peer_notif);
    if (b.tlb_dynamic_lb) r.u8(IFLA_BOND_TLB_DYNAMIC_LB, b.tlb_dynamic_lb);
    if (b.all_slaves_active) r.u8(IFLA_BOND_ALL_SLAVES_ACTIVE, b.all_slaves_active);
    if (b.ad_actor_sys_prio) r.u16(IFLA_BOND_AD_ACTOR_SYS_PRIO, b.ad_actor_sys_prio);
    if (b.ad_user_port_key) r.u16(IFLA_BOND_AD_USER_PORT_KEY, b.ad_user_port_key);
    if (b.peer_notify_delay) r.u32(IFLA_BOND_PEER_NOTIF_DELAY, b.peer_notify_delay);
}

// VLAN filtering is sent only when it must change: kernels built without
// CONFIG_BRIDGE_VLAN_FILTERING refuse the attribute even to say "off".
void bridge_data(Request& r, const state::BridgeSettings& b, bool vlan_filtering_changes) {
    r.u32(IFLA_BR_STP_STATE, b.stp ? 1 : 0);
    if (vlan_filtering_changes) r.u8(IFLA_BR_VLAN_FILTERING, b.vlan_filtering ? 1 : 0);
}

// The fixed header of RTM_NEWLINK: which link (0 when creating) and, when set, its up flag.
ifinfomsg link_header(int index, std::optional<bool> up) {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    if (up) {
        ifi.ifi_change = IFF_UP;
        ifi.ifi_flags = *up ? IFF_UP : 0;
    }
    return ifi;
}

Result<Message> create_link(const state::Link& l, const IndexOf& index_of, uint32_t seq) {
    Request r(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    r.header(link_header(0, l.up));
    r.str(IFLA_IFNAME, l.name);
    if (l.mtu) r.u32(IFLA_MTU, *l.mtu);
    if (l.master && !l.master->empty()) r.u32(IFLA_MASTER, static_cast<uint32_t>(index_of(*l.master)));
    if (l.vlan) {
        int parent = index_of(l.vlan->parent);
        if (parent <= 0) return Error{l.name + ": VLAN parent " + l.vlan->parent + " not found"};
        r.u32(IFLA_LINK, static_cast<uint32_t>(parent));
    }
    nlattr* info = r.nest(IFLA_LINKINFO);
    r.str(IFLA_INFO_KIND, plan::kernel_kind(l.kind));
    if (l.bridge || l.bond || l.vlan) {
        nlattr* data = r.nest(IFLA_INFO_DATA);
        if (l.bridge) bridge_data(r, *l.bridge, l.bridge->vlan_filtering);
        if (l.bond) bond_data(r, *l.bond);
        if (l.vlan) {
            r.u16(IFLA_VLAN_ID, l.vlan->id);
            r.u16(IFLA_VLAN_PROTOCOL, htons(l.vlan->q_in_q ? 0x88A8 : 0x8100));
        }
        r.end(data);
    }
    r.end(info);
    return r.finish(seq);
}

Result<Message> delete_link(const std::string& name, const IndexOf& index_of, uint32_t seq) {
    int index = index_of(name);
    if (index <= 0) return Error{name + ": link not found"};
    Request r(RTM_DELLINK, 0);
    r.header(link_header(index, std::nullopt));
    return r.finish(seq);
}

Result<Message> set_link(int index, const plan::LinkAttributes& a, const plan::LinkAttributes& before,
                         const IndexOf& index_of, uint32_t seq) {
    Request r(RTM_NEWLINK, 0);
    r.header(link_header(index, a.up));
    if (a.mtu) r.u32(IFLA_MTU, *a.mtu);
    if (a.master) {
        int master = a.master->empty() ? 0 : index_of(*a.master);
        if (master < 0) return Error{"master " + *a.master + " not found"};
        r.u32(IFLA_MASTER, static_cast<uint32_t>(master));
    }
    if (a.bridge) {
        nlattr* info = r.nest(IFLA_LINKINFO);
        r.str(IFLA_INFO_KIND, "bridge");
        nlattr* data = r.nest(IFLA_INFO_DATA);
        bridge_data(r, *a.bridge, !before.bridge || before.bridge->vlan_filtering != a.bridge->vlan_filtering);
        r.end(data);
        r.end(info);
    }
    return r.finish(seq);
}

Result<std::vector<Message>> set_link_requests(const plan::SetLink& s, const IndexOf& index_of, uint32_t seq) {
    int index = index_of(s.name);
    if (index <= 0) return Error{s.name + ": link not found"};
    std::vector<Message> out;
    // Bonds refuse to enslave a link that is up: take it down first, the second request brings
    // it up again when the plan wants it up.
    if (s.to.master && !s.to.master->empty()) {
        plan::LinkAttributes down;
        down.up = false;
        auto m = set_link(index, down, {}, index_of, seq++);
        if (!m.ok()) return Error{m.error()};
        out.push_back(std::move(m.value()));
    }
    auto m = set_link(index, s.to, s.from, index_of, seq);
    if (!m.ok()) return Error{s.name + ": " + m.error()};
    out.push_back(std::move(m.value()));
    return out;
}

enum class AddressVerb { Add, Update, Delete };

Result<Message> address(const state::Address& a, AddressVerb verb, const IndexOf& index_of, uint32_t seq) {
    int index = index_of(a.link);
    if (index <= 0) return Error{a.link + ": link not found"};
    bool add = verb != AddressVerb::Delete;
    Request r(add ? RTM_NEWADDR : RTM_DELADDR,
              verb == AddressVerb::Add ? NLM_F_CREATE | NLM_F_EXCL : verb == AddressVerb::Update ? NLM_F_REPLACE : 0);
    ifaddrmsg ifa{};
    ifa.ifa_family = family_of(a.prefix.addr);
    ifa.ifa_prefixlen = a.prefix.len;
    ifa.ifa_index = static_cast<uint32_t>(index);
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    r.header(ifa);
    r.ip(IFA_LOCAL, a.prefix.addr);
    r.ip(IFA_ADDRESS, a.prefix.addr);
    if (!add) return r.finish(seq);
    if (a.prefix.family() == state::Family::V4 && a.prefix.len < 31) {
        state::IpAddress broadcast = a.prefix.masked().addr;
        for (size_t i = 0; i < 4; ++i) {
            int host_bits = std::clamp(32 - a.prefix.len - static_cast<int>(24 - 8 * i), 0, 8);
            broadcast.bytes[i] |= static_cast<uint8_t>((1u << host_bits) - 1);
        }
        r.ip(IFA_BROADCAST, broadcast);
    }
    if (a.priority) r.u32(IFA_RT_PRIORITY, a.priority);
    r.u8(IFA_PROTO, plan::kNodenetProtocol);
    ifa_cacheinfo lifetimes{a.preferred_lifetime.value_or(state::kForeverLifetime), a.valid_lifetime.value_or(state::kForeverLifetime), 0, 0};
    r.raw(IFA_CACHEINFO, &lifetimes, sizeof lifetimes);
    return r.finish(seq);
}

enum class RouteVerb { Add, Replace, Delete };

Result<Message> route(const state::Route& rt, RouteVerb verb, const IndexOf& index_of, uint32_t seq) {
    int index = index_of(rt.link);
    if (index <= 0) return Error{rt.link + ": link not found"};
    int type = verb == RouteVerb::Delete ? RTM_DELROUTE : RTM_NEWROUTE;
    int flags = verb == RouteVerb::Add ? NLM_F_CREATE | NLM_F_EXCL : verb == RouteVerb::Replace ? NLM_F_CREATE | NLM_F_REPLACE : 0;
    Request r(type, flags);
    rtmsg rtm{};
    rtm.rtm_family = rt.family == state::Family::V4 ? AF_INET : AF_INET6;
    rtm.rtm_dst_len = rt.destination.len;
    rtm.rtm_table = rt.table < 256 ? static_cast<uint8_t>(rt.table) : uint8_t{RT_TABLE_UNSPEC};
    // Deleting by protocol too: the kernel then refuses to remove a route someone else re-added.
    rtm.rtm_protocol = plan::kNodenetProtocol;
    rtm.rtm_scope = verb == RouteVerb::Delete ? uint8_t{RT_SCOPE_NOWHERE} : static_cast<uint8_t>(rt.scope);
    rtm.rtm_type = RTN_UNICAST;
    r.header(rtm);
    r.u32(RTA_TABLE, rt.table);
    if (rt.destination.len) r.ip(RTA_DST, rt.destination.masked().addr);
    if (rt.gateway) r.ip(RTA_GATEWAY, *rt.gateway);
    r.u32(RTA_OIF, static_cast<uint32_t>(index));
    r.u32(RTA_PRIORITY, rt.metric);
    if (verb != RouteVerb::Delete && rt.source) r.ip(RTA_PREFSRC, *rt.source);
    if (verb != RouteVerb::Delete && rt.mtu) {
        nlattr* metrics = r.nest(RTA_METRICS);
        r.u32(RTAX_MTU, rt.mtu);
        r.end(metrics);
    }
    return r.finish(seq);
}

// Exclusive like a route's add: the kernel refuses a rule identical to one it has. A delete names
// every attribute and nodenet's protocol, so that it matches only the rule nodenet added (of two
// at one priority, the kernel deletes the first it finds that matches, the older one).
Result<Message> rule(const state::RoutingRule& rl, bool add, uint32_t seq) {
    Request r(add ? RTM_NEWRULE : RTM_DELRULE, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
    bool lookup = rl.action == state::RuleAction::Lookup;
    auto len = [](const std::optional<state::IpPrefix>& p) { return p ? p->len : uint8_t{0}; };
    fib_rule_hdr frh{};
    frh.family = rl.family == state::Family::V4 ? AF_INET : AF_INET6;
    frh.src_len = len(rl.source);
    frh.dst_len = len(rl.destination);
    frh.table = lookup && rl.table < 256 ? static_cast<uint8_t>(rl.table) : uint8_t{RT_TABLE_UNSPEC};
    frh.action = static_cast<uint8_t>(rl.action);
    r.header(frh);
    r.u32(FRA_PRIORITY, rl.priority);
    if (lookup) r.u32(FRA_TABLE, rl.table);
    if (frh.src_len) r.ip(FRA_SRC, rl.source->masked().addr);
    if (frh.dst_len) r.ip(FRA_DST, rl.destination->masked().addr);
    if (!rl.iif.empty()) r.str(FRA_IIFNAME, rl.iif);
    if (!rl.oif.empty()) r.str(FRA_OIFNAME, rl.oif);
    if (rl.fwmark || rl.fwmask) r.u32(FRA_FWMARK, rl.fwmark);
    if (rl.fwmask) r.u32(FRA_FWMASK, rl.fwmask);
    r.u8(FRA_PROTOCOL, plan::kNodenetProtocol);
    return r.finish(seq);
}

template <class T>
Result<std::vector<Message>> one(Result<T> m) {
    if (!m.ok()) return Error{m.error()};
    return std::vector<Message>{std::move(m.value())};
}

}  // namespace

Result<std::vector<Message>> build_requests(const plan::Operation& op, const IndexOf& index_of, uint32_t seq) {
    return std::visit(
        Overloaded{
            [&](const plan::CreateLink& c) { return one(create_link(*c.link, index_of, seq)); },
            [&](const plan::DeleteLink& c) { return one(delete_link(c.link->name, index_of, seq)); },
            [&](const plan::SetLink& c) { return set_link_requests(c, index_of, seq); },
            [&](const plan::AddAddress& c) { return one(address(c.address, AddressVerb::Add, index_of, seq)); },
            [&](const plan::UpdateAddress& c) { return one(address(c.address, AddressVerb::Update, index_of, seq)); },
            [&](const plan::DeleteAddress& c) { return one(address(c.address, AddressVerb::Delete, index_of, seq)); },
            [&](const plan::AddRoute& c) { return one(route(c.route, RouteVerb::Add, index_of, seq)); },
            [&](const plan::ReplaceRoute& c) { return one(route(c.to, RouteVerb::Replace, index_of, seq)); },
            [&](const plan::DeleteRoute& c) { return one(route(c.route, RouteVerb::Delete, index_of, seq)); },
            [&](const plan::AddRule& c) { return one(rule(c.rule, true, seq)); },
            [&](const plan::DeleteRule& c) { return one(rule(c.rule, false, seq)); },
            [&](const plan::ConfigureWireguard&) -> Result<std::vector<Message>> {
                return Error{"WireGuard configuration is not an rtnetlink request"};
            }},
        op.change);
}

}  // namespace nodenet::netlink
