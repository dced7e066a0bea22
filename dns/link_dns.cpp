#include "dns/link_dns.h"

#include <sys/socket.h>

#include <algorithm>

#include "dns/dns_name.h"

namespace nodenet::dns {

namespace {

// A hostile name can be kilobytes long; the error needs only its start to be recognised.
constexpr size_t kQuotedPrefix = 64;

std::string quoted_prefix(std::string_view name) {
    if (name.size() <= kQuotedPrefix) return quoted_name(name);
    return quoted_name(name.substr(0, kQuotedPrefix)) + "...";
}

Result<state::IpAddress> server_from_bus(int32_t family, const std::vector<uint8_t>& bytes) {
    state::IpAddress ip;
    size_t want = 0;
    if (family == AF_INET) {
        ip.family = state::Family::V4;
        want = 4;
    } else if (family == AF_INET6) {
        ip.family = state::Family::V6;
        want = 16;
    } else {
        return Error{"family " + std::to_string(family) + " is neither AF_INET nor AF_INET6"};
    }
    if (bytes.size() != want)
        return Error{std::string(family == AF_INET ? "AF_INET" : "AF_INET6") + " address of " +
                     std::to_string(bytes.size()) + " bytes, expected " + std::to_string(want)};
    std::copy(bytes.begin(), bytes.end(), ip.bytes.begin());
    return ip;
}

Result<LinkDomain> domain_from_bus(const std::string& name, bool routing_only) {
    // The root domain is how resolved says "~.": send every query here. It is no search domain
    // (resolved itself refuses one), so a reply that claims it is cannot be trusted.
    if (name == ".") {
        if (!routing_only) return Error{"\".\" (the root domain) is only valid as a routing-only domain"};
        return LinkDomain{name, true};
    }
    if (auto problem = dns_name_problem(name)) return Error{quoted_prefix(name) + " " + *problem};
    std::string bare = name;
    if (bare.back() == '.') bare.pop_back();  // dns_name_problem refused "" and a lone "."
    return LinkDomain{std::move(bare), routing_only};
}

}  // namespace

Result<std::vector<state::IpAddress>> servers_from_bus(const std::vector<std::pair<int32_t, std::vector<uint8_t>>>& dns) {
    std::vector<state::IpAddress> servers;
    servers.reserve(dns.size());
    for (size_t i = 0; i < dns.size(); ++i) {
        auto ip = server_from_bus(dns[i].first, dns[i].second);
        if (!ip) return Error{"DNS[" + std::to_string(i) + "]: " + ip.error()};
        servers.push_back(*ip);
    }
    return servers;
}

Result<std::vector<LinkDomain>> domains_from_bus(const std::vector<std::pair<std::string, bool>>& domains) {
    std::vector<LinkDomain> out;
    out.reserve(domains.size());
    for (size_t i = 0; i < domains.size(); ++i) {
        auto domain = domain_from_bus(domains[i].first, domains[i].second);
        if (!domain) return Error{"Domains[" + std::to_string(i) + "]: " + domain.error()};
        out.push_back(std::move(*domain));
    }
    return out;
}

}  // namespace nodenet::dns
