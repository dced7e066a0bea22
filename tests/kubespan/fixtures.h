// Small builders shared by the KubeSpan tests.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "discovery/affiliate.h"

namespace nodenet::kubespan::testing {

inline state::IpAddress ip(const char* text) { return *state::parse_ip_address(text); }
inline state::IpPrefix prefix(const char* text) { return *state::parse_ip_prefix(text); }

inline std::vector<state::IpPrefix> prefixes(std::initializer_list<const char*> texts) {
    std::vector<state::IpPrefix> out;
    for (const char* t : texts) out.push_back(prefix(t));
    return out;
}

inline discovery::Endpoint endpoint(const char* address, uint16_t port) { return {ip(address), port}; }

inline std::string text(const std::vector<state::IpPrefix>& list) {
    std::string out;
    for (const auto& p : list) out += (out.empty() ? "" : " ") + p.str();
    return out;
}

inline std::string text(const std::vector<discovery::Endpoint>& list) {
    std::string out;
    for (const auto& e : list) out += (out.empty() ? "" : " ") + e.str();
    return out;
}

}  // namespace nodenet::kubespan::testing
