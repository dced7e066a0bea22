// IPv4 + UDP framing for the DHCP client's packet socket. Until it holds an address a client cannot
// use a UDP socket (the kernel would neither send from 0.0.0.0 on the right link nor deliver a reply
// addressed to an address it does not have), so it writes and reads whole IP datagrams itself.
// Parsing takes any bytes a network can deliver. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "dhcp/dhcp4_codec.h"
#include "state/ip.h"

namespace nodenet::dhcp {

constexpr uint16_t kClientPort = 68;
constexpr uint16_t kServerPort = 67;
constexpr size_t kIpv4HeaderSize = 20;  // without options, as this codec writes it
constexpr size_t kUdpHeaderSize = 8;
constexpr uint8_t kIpProtocolUdp = 17;

struct UdpEndpoints {
    state::IpAddress source = ipv4(0, 0, 0, 0);
    uint16_t source_port = kClientPort;
    state::IpAddress destination = ipv4(255, 255, 255, 255);
    uint16_t destination_port = kServerPort;
    bool operator==(const UdpEndpoints&) const = default;
};

// A datagram read off the wire: its addresses and the UDP payload, a view into the frame.
struct UdpDatagram {
    UdpEndpoints endpoints;
    std::span<const uint8_t> payload;
};

// RFC 1071's one's-complement sum of `bytes` (an odd last byte padded with zero) added to `sum`,
// folded to 16 bits and inverted: what goes into an IPv4 or UDP checksum field.
uint16_t internet_checksum(std::span<const uint8_t> bytes, uint32_t sum = 0);

// The IPv4 datagram carrying `payload` over UDP: a 20-byte header (TTL 64, DSCP CS6 as for network
// control traffic, not fragmented) and a UDP header, both with their checksums. Errors: a payload
// larger than an IPv4 datagram can carry, an endpoint that is not IPv4.
Result<std::vector<uint8_t>> build_udp_frame(std::span<const uint8_t> payload, const UdpEndpoints& endpoints);

// The UDP payload of an IPv4 datagram to `port`, or an error saying why the frame is not one:
// version, header length, header checksum, total length, fragments (refused: DHCP messages fit
// one datagram and reassembly is the kernel's job), protocol, UDP length, destination port and the
// UDP checksum when it is not zero. `verify_udp_checksum` false skips the last check, for frames a
// local sender's checksum offload left unfinished (the packet socket reports those). Bytes after
// the IP total length (Ethernet padding) are ignored.
Result<UdpDatagram> parse_udp_frame(std::span<const uint8_t> frame, uint16_t port, bool verify_udp_checksum = true);

}  // namespace nodenet::dhcp
