// rtnetlink numbers by the names iproute2 gives them (/etc/iproute2/rt_protos, rt_scopes,
// rt_addrprotos), so that `nodenet get` reads like `ip`. Numbers without a name print as numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "state/ip.h"

namespace nodenet::netlink {

std::string route_protocol_name(uint8_t protocol);    // "kernel", "static", "bgp", "nodenet", "42"
std::string address_protocol_name(uint8_t protocol);  // "kernel_lo", "kernel_ll", "nodenet"; 0 is "unspec"
std::string scope_name(uint8_t scope);                // "global", "link", "host"
std::string route_type_name(uint8_t type);            // "unicast", "local", "blackhole"
std::string table_name(uint32_t table);               // "main", "local", "default", "100"

// IFA_F_* bits as `ip address` names them ("permanent", "noprefixroute"; an IPv6 secondary address
// is "temporary"); bits iproute2 does not know come last as one hex number ("0x10000").
std::vector<std::string> address_flag_names(uint32_t flags, state::Family family);

}  // namespace nodenet::netlink
