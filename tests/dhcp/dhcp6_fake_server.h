// A DHCPv6 server in a few lines, for the client's unit tests: answers a client's message the way
// a server would, with what the test says.
#pragma once

#include <optional>
#include <vector>

#include "dhcp/dhcp6_codec.h"

namespace nodenet::dhcp::v6::testing {

inline state::IpAddress ip6(const char* text) { return *state::parse_ip_address(text); }

const std::vector<uint8_t> kServerDuid = {0, 1, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd};

struct ServerAnswer {
    MessageType type = MessageType::Reply;
    state::IpAddress address = ip6("fd00:77::100");
    uint32_t preferred = 100, valid = 120, t1 = 60, t2 = 96;
    std::vector<uint8_t> server = kServerDuid;
    std::optional<uint8_t> preference{};
    std::optional<uint16_t> ia_status{};
    std::optional<uint16_t> top_status{};
    bool rapid_commit = false;
    bool no_address = false;
    std::vector<state::IpAddress> dns = {ip6("fd00:77::53")};
    std::vector<std::string> domains = {"example.internal"};
};

// The answer to `request` (its xid, client id and IAID echoed).
inline Message answer(const Message& request, const ServerAnswer& a = {}) {
    Message m;
    m.type = a.type;
    m.xid = request.xid;
    m.add(option::kClientId, *request.find(option::kClientId));
    m.add(option::kServerId, a.server);
    if (a.preference) m.add(option::kPreference, {*a.preference});
    if (a.top_status) m.add(option::kStatusCode, encode_status({*a.top_status, "from the test"}));
    if (a.rapid_commit) m.add(option::kRapidCommit, {});
    IaNa ia;
    ia.iaid = ia_nas(request)->at(0).iaid;
    ia.t1 = a.t1;
    ia.t2 = a.t2;
    if (!a.no_address) ia.addresses.push_back({a.address, a.preferred, a.valid, std::nullopt});
    if (a.ia_status) ia.status = Status{*a.ia_status, "from the test"};
    m.add(option::kIaNa, encode_ia_na(ia));
    if (!a.dns.empty()) m.add(option::kDnsServers, encode_address_list(a.dns));
    if (!a.domains.empty()) m.add(option::kDomainList, encode_domain_list(a.domains));
    return m;
}

}  // namespace nodenet::dhcp::v6::testing
