// The one check every name passes before it reaches resolv.conf, /etc/hosts, the host name or
// systemd-resolved, whether it came from the config, a DHCP server or a D-Bus reply.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nodenet::dns {

constexpr size_t kMaxLabel = 63;   // RFC 1035 §2.3.4
constexpr size_t kMaxName = 253;   // 255 bytes on the wire, less the length bytes of the ends

// Letters, digits, hyphens and dots; labels 1–63 bytes, none starting or ending with a hyphen (a
// leading hyphen reads as a command-line flag); at most 253 bytes; one trailing dot allowed. No
// whitespace, control characters, '#', ';' or anything else that would change resolv.conf or
// /etc/hosts beyond one name.
bool valid_dns_name(std::string_view name);

// Why `name` is not a valid DNS name ("contains a line break", "label \"a-\" ends with a hyphen",
// "is 300 characters long, over the limit of 253"), or nullopt when it is one.
std::optional<std::string> dns_name_problem(std::string_view name);

// `name` with control characters shown as \n, \t or \xHH and quoted, safe for one log line.
std::string quoted_name(std::string_view name);

}  // namespace nodenet::dns
