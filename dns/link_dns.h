// What systemd-resolved holds for one link: its DNS servers, its domains (search or routing-only)
// and whether it may take queries for any domain. Pure values; dns/io/resolved_client speaks D-Bus.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "state/ip.h"

namespace nodenet::dns {

struct LinkDomain {
    std::string name;           // without a trailing dot; "." is the root domain, routing-only ("~.")
    bool routing_only = false;  // "~example.com": route queries for it here, but do not search it
    auto operator<=>(const LinkDomain&) const = default;
};

struct LinkDns {
    std::vector<state::IpAddress> servers;
    std::vector<LinkDomain> domains;
    std::optional<bool> default_route;  // unset: resolved decides (true when the link has no routing-only domain)
    auto operator<=>(const LinkDns&) const = default;
};

// The Link object's properties as D-Bus carries them: DNS `a(iay)` (address family, bytes) and
// Domains `a(sb)` (name, routing-only). A reply is untrusted input: a family other than AF_INET /
// AF_INET6, an address of the wrong length or a name that is no DNS name is an error naming it
// ("DNS[1]: family 7 is neither AF_INET nor AF_INET6"), quoted so that it stays on one log line.
// resolved reports "~." as (".", true): kept as the name "."; a search root domain is refused.
Result<std::vector<state::IpAddress>> servers_from_bus(const std::vector<std::pair<int32_t, std::vector<uint8_t>>>& dns);
Result<std::vector<LinkDomain>> domains_from_bus(const std::vector<std::pair<std::string, bool>>& domains);

}  // namespace nodenet::dns
