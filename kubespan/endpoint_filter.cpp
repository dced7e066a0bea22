#include "kubespan/endpoint_filter.h"

#include <algorithm>

#include "config/go_syntax.h"

namespace nodenet::kubespan {

namespace {

state::IpAddress from_go(const config::go::Ip& ip) {
    state::IpAddress out;
    out.family = ip.v6 ? state::Family::V6 : state::Family::V4;
    out.bytes = ip.bytes;
    return out;
}

// ParseSubnetOrAddress: a zone is refused by ParsePrefix and dropped by PrefixFrom after ParseAddr.
Result<state::IpPrefix> parse_subnet_or_address(std::string_view text) {
    auto prefix = config::go::parse_prefix(text);
    if (prefix.ok()) return state::IpPrefix{from_go(prefix->addr), static_cast<uint8_t>(prefix->bits)};
    auto addr = config::go::parse_addr(text);
    if (!addr.ok()) return Error{"failed to parse subnet: " + prefix.error()};
    state::IpAddress ip = from_go(*addr);
    return state::IpPrefix{ip, static_cast<uint8_t>(ip.size() * 8)};
}

}  // namespace

Result<std::vector<FilterRule>> parse_endpoint_filter(const std::vector<std::string>& rules) {
    std::vector<FilterRule> out;
    for (size_t i = 0; i < rules.size(); ++i) {
        std::string_view text = rules[i];
        FilterRule rule;
        if (text.starts_with('!')) {
            rule.negated = true;
            text.remove_prefix(1);
        }
        auto network = parse_subnet_or_address(text);
        if (!network.ok())
            return Error{"endpoint filter " + std::to_string(i + 1) + " " + config::go::quote(rules[i]) + ": " +
                         network.error()};
        rule.network = *network;
        out.push_back(rule);
    }
    return out;
}

std::vector<state::IpAddress> filter_ips(const std::vector<state::IpAddress>& ips, const std::vector<FilterRule>& rules) {
    std::vector<state::IpAddress> result;
    for (const FilterRule& rule : rules) {
        for (const state::IpAddress& ip : ips) {
            if (ip.family != rule.network.family() || !rule.network.contains(ip)) continue;
            auto at = std::find(result.begin(), result.end(), ip);
            if (!rule.negated && at == result.end()) result.push_back(ip);
            if (rule.negated && at != result.end()) result.erase(at);
        }
    }
    return result;
}

Result<std::vector<state::IpAddress>> filter_ips(const std::vector<state::IpAddress>& ips,
                                                 const std::vector<std::string>& rules) {
    auto parsed = parse_endpoint_filter(rules);
    if (!parsed.ok()) return Error{parsed.error()};
    return filter_ips(ips, *parsed);
}

}  // namespace nodenet::kubespan
