// A scripted DHCP server for the dhcp tests: replies built from a request, as a server would.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dhcp/dhcp4_codec.h"
#include "dhcp/dhcp4_options.h"

namespace nodenet::dhcp::testing {

struct ServerReply {
    MessageType type = MessageType::Ack;
    state::IpAddress yiaddr = ipv4(192, 168, 1, 50);
    state::IpAddress server = ipv4(192, 168, 1, 1);
    std::optional<uint32_t> lease_seconds = 3600;
    uint8_t prefix = 24;
    std::vector<state::IpAddress> routers = {ipv4(192, 168, 1, 1)};
    std::vector<state::IpAddress> dns = {ipv4(192, 168, 1, 1)};
};

// The reply to `request` (xid, chaddr, flags copied), with the usual options of `r`.
inline Message reply_to(const Message& request, const ServerReply& r = {}) {
    Message m;
    m.op = kBootReply;
    m.xid = request.xid;
    m.flags = request.flags;
    m.chaddr = request.chaddr;
    m.hlen = request.hlen;
    if (r.type != MessageType::Nak) m.yiaddr = r.yiaddr;
    m.ciaddr = request.ciaddr;
    set_message_type(m.options, r.type);
    set_address(m.options, option::kServerId, r.server);
    if (r.type == MessageType::Nak) return m;
    if (r.lease_seconds) set_u32(m.options, option::kLeaseTime, *r.lease_seconds);
    set_subnet_prefix(m.options, r.prefix);
    if (!r.routers.empty()) set_address_list(m.options, option::kRouter, r.routers);
    if (!r.dns.empty()) set_address_list(m.options, option::kDnsServers, r.dns);
    return m;
}

// A full-featured ACK for 10.1.2.3/24 from 10.1.2.1 (xid 0x1234): every option the client honours.
inline Message rich_ack() {
    Message m;
    m.op = kBootReply;
    m.xid = 0x1234;
    m.yiaddr = ipv4(10, 1, 2, 3);
    m.chaddr = {0x52, 0x54, 0, 0, 0, 1};
    set_message_type(m.options, MessageType::Ack);
    set_address(m.options, option::kServerId, ipv4(10, 1, 2, 1));
    set_u32(m.options, option::kLeaseTime, 7200);
    set_subnet_prefix(m.options, 24);
    set_address_list(m.options, option::kRouter, {ipv4(10, 1, 2, 1), ipv4(10, 1, 2, 254)});
    set_address_list(m.options, option::kDnsServers, {ipv4(10, 1, 2, 53), ipv4(9, 9, 9, 9)});
    set_address_list(m.options, option::kNtpServers, {ipv4(10, 1, 2, 123)});
    set_text(m.options, option::kHostname, "node-7");
    set_text(m.options, option::kDomainName, "lab.example");
    set_u16(m.options, option::kInterfaceMtu, 9000);
    set_address(m.options, option::kBroadcastAddress, ipv4(10, 1, 2, 255));
    m.options.set(option::kDomainSearch, encode_domain_search({"lab.example", "example"}));
    return m;
}

}  // namespace nodenet::dhcp::testing
