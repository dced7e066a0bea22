#include "netlink/names.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <array>
#include <cstdio>
#include <utility>

#include "plan/operation.h"

namespace nodenet::netlink {

namespace {

template <size_t N>
const char* find_name(const std::array<std::pair<unsigned, const char*>, N>& names, unsigned value) {
    for (const auto& [number, name] : names)
        if (number == value) return name;
    return nullptr;
}

}  // namespace

std::string route_protocol_name(uint8_t protocol) {
    // iproute2 6.1's rt_protos, plus nodenet's own.
    static constexpr std::array<std::pair<unsigned, const char*>, 23> kNames{{
        {0, "unspec"},     {1, "redirect"}, {2, "kernel"},  {3, "boot"},     {4, "static"}, {8, "gated"},
        {9, "ra"},         {10, "mrt"},     {11, "zebra"},  {12, "bird"},    {13, "dnrouted"}, {14, "xorp"},
        {15, "ntk"},       {16, "dhcp"},    {18, "keepalived"}, {42, "babel"}, {99, "openr"}, {186, "bgp"},
        {187, "isis"},     {188, "ospf"},   {189, "rip"},   {192, "eigrp"},
        {plan::kNodenetProtocol, "nodenet"},
    }};
    const char* name = find_name(kNames, protocol);
    return name ? name : std::to_string(protocol);
}

std::string address_protocol_name(uint8_t protocol) {
    static constexpr std::array<std::pair<unsigned, const char*>, 5> kNames{{
        {IFAPROT_UNSPEC, "unspec"},
        {IFAPROT_KERNEL_LO, "kernel_lo"},
        {IFAPROT_KERNEL_RA, "kernel_ra"},
        {IFAPROT_KERNEL_LL, "kernel_ll"},
        {plan::kNodenetProtocol, "nodenet"},
    }};
    const char* name = find_name(kNames, protocol);
    return name ? name : std::to_string(protocol);
}

std::string scope_name(uint8_t scope) {
    static constexpr std::array<std::pair<unsigned, const char*>, 5> kNames{{
        {RT_SCOPE_UNIVERSE, "global"},
        {RT_SCOPE_SITE, "site"},
        {RT_SCOPE_LINK, "link"},
        {RT_SCOPE_HOST, "host"},
        {RT_SCOPE_NOWHERE, "nowhere"},
    }};
    const char* name = find_name(kNames, scope);
    return name ? name : std::to_string(scope);
}

std::string route_type_name(uint8_t type) {
    static constexpr std::array<std::pair<unsigned, const char*>, 12> kNames{{
        {RTN_UNSPEC, "unspec"},
        {RTN_UNICAST, "unicast"},
        {RTN_LOCAL, "local"},
        {RTN_BROADCAST, "broadcast"},
        {RTN_ANYCAST, "anycast"},
        {RTN_MULTICAST, "multicast"},
        {RTN_BLACKHOLE, "blackhole"},
        {RTN_UNREACHABLE, "unreachable"},
        {RTN_PROHIBIT, "prohibit"},
        {RTN_THROW, "throw"},
        {RTN_NAT, "nat"},
        {RTN_XRESOLVE, "xresolve"},
    }};
    const char* name = find_name(kNames, type);
    return name ? name : std::to_string(type);
}

std::string table_name(uint32_t table) {
    switch (table) {
        case RT_TABLE_MAIN: return "main";
        case RT_TABLE_LOCAL: return "local";
        case RT_TABLE_DEFAULT: return "default";
        default: return std::to_string(table);
    }
}

std::vector<std::string> address_flag_names(uint32_t flags, state::Family family) {
    // iproute2's order and spelling (ip/ipaddress.c, ifa_flag_names).
    static constexpr std::array<std::pair<unsigned, const char*>, 12> kNames{{
        {IFA_F_SECONDARY, "secondary"},
        {IFA_F_NODAD, "nodad"},
        {IFA_F_OPTIMISTIC, "optimistic"},
        {IFA_F_DADFAILED, "dadfailed"},
        {IFA_F_HOMEADDRESS, "home"},
        {IFA_F_DEPRECATED, "deprecated"},
        {IFA_F_TENTATIVE, "tentative"},
        {IFA_F_PERMANENT, "permanent"},
        {IFA_F_MANAGETEMPADDR, "mngtmpaddr"},
        {IFA_F_NOPREFIXROUTE, "noprefixroute"},
        {IFA_F_MCAUTOJOIN, "autojoin"},
        {IFA_F_STABLE_PRIVACY, "stable-privacy"},
    }};
    std::vector<std::string> names;
    for (const auto& [bit, name] : kNames) {
        if (!(flags & bit)) continue;
        names.emplace_back(bit == IFA_F_SECONDARY && family == state::Family::V6 ? "temporary" : name);
        flags &= ~bit;
    }
    if (flags) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%x", flags);
        names.emplace_back(buf);
    }
    return names;
}

}  // namespace nodenet::netlink
