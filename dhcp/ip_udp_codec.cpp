#include "dhcp/ip_udp_codec.h"

#include <algorithm>
#include <string>

namespace nodenet::dhcp {

namespace {

constexpr uint8_t kVersionIhl = 0x45;      // version 4, five 32-bit words of header
constexpr uint8_t kDscpCs6 = 0xC0;         // "network control", as systemd-networkd sends DHCP
constexpr uint8_t kTtl = 64;
constexpr uint16_t kFragmentMask = 0x3FFF;  // More Fragments flag and fragment offset

Error frame_error(const std::string& what) { return Error{"IPv4/UDP frame: " + what}; }

uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

void put_u16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
    out[at] = static_cast<uint8_t>(v >> 8);
    out[at + 1] = static_cast<uint8_t>(v);
}

// The sum of the words the UDP checksum covers besides the UDP header and data (RFC 768).
uint32_t pseudo_header_sum(const uint8_t* source, const uint8_t* destination, size_t udp_length) {
    uint32_t sum = 0;
    for (const uint8_t* a : {source, destination}) sum += read_u16(a) + read_u16(a + 2);
    return sum + kIpProtocolUdp + static_cast<uint32_t>(udp_length);
}

bool is_v4(const state::IpAddress& ip) { return ip.family == state::Family::V4; }

}  // namespace

uint16_t internet_checksum(std::span<const uint8_t> bytes, uint32_t sum) {
    uint64_t total = sum;
    size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) total += read_u16(&bytes[i]);
    if (i < bytes.size()) total += uint32_t{bytes[i]} << 8;
    while (total >> 16) total = (total & 0xFFFF) + (total >> 16);
    return static_cast<uint16_t>(~total);
}

Result<std::vector<uint8_t>> build_udp_frame(std::span<const uint8_t> payload, const UdpEndpoints& e) {
    if (!is_v4(e.source) || !is_v4(e.destination)) return frame_error("the endpoints must be IPv4 addresses");
    if (payload.size() > kMaxPacketSize)
        return frame_error("a payload of " + std::to_string(payload.size()) + " bytes does not fit one datagram");
    size_t udp_length = kUdpHeaderSize + payload.size();
    std::vector<uint8_t> out(kIpv4HeaderSize + udp_length, 0);
    out[0] = kVersionIhl;
    out[1] = kDscpCs6;
    put_u16(out, 2, static_cast<uint16_t>(out.size()));
    out[8] = kTtl;
    out[9] = kIpProtocolUdp;
    std::copy_n(e.source.bytes.begin(), 4, out.begin() + 12);
    std::copy_n(e.destination.bytes.begin(), 4, out.begin() + 16);
    put_u16(out, 10, internet_checksum(std::span(out).first(kIpv4HeaderSize)));

    uint8_t* udp = out.data() + kIpv4HeaderSize;
    put_u16(out, kIpv4HeaderSize, e.source_port);
    put_u16(out, kIpv4HeaderSize + 2, e.destination_port);
    put_u16(out, kIpv4HeaderSize + 4, static_cast<uint16_t>(udp_length));
    std::copy(payload.begin(), payload.end(), out.begin() + kIpv4HeaderSize + kUdpHeaderSize);
    uint16_t sum = internet_checksum({udp, udp_length}, pseudo_header_sum(&out[12], &out[16], udp_length));
    // 0 would mean "no checksum" (RFC 768): its one's-complement twin is sent instead.
    put_u16(out, kIpv4HeaderSize + 6, sum == 0 ? 0xFFFF : sum);
    return out;
}

Result<UdpDatagram> parse_udp_frame(std::span<const uint8_t> frame, uint16_t port, bool verify_udp_checksum) {
    if (frame.size() < kIpv4HeaderSize)
        return frame_error(std::to_string(frame.size()) + " bytes, shorter than an IPv4 header");
    if (frame[0] >> 4 != 4) return frame_error("IP version " + std::to_string(frame[0] >> 4) + ", not 4");
    size_t header = size_t{frame[0] & 0x0Fu} * 4;
    if (header < kIpv4HeaderSize || header > frame.size())
        return frame_error("header length " + std::to_string(header) + " does not fit " +
                           std::to_string(frame.size()) + " bytes");
    if (internet_checksum(frame.first(header)) != 0) return frame_error("wrong IPv4 header checksum");
    size_t total = read_u16(&frame[2]);
    if (total < header + kUdpHeaderSize || total > frame.size())
        return frame_error("total length " + std::to_string(total) + " does not fit " + std::to_string(frame.size()) +
                           " bytes with a UDP header");
    if ((read_u16(&frame[6]) & kFragmentMask) != 0) return frame_error("a fragment (refused)");
    if (frame[9] != kIpProtocolUdp) return frame_error("IP protocol " + std::to_string(frame[9]) + ", not UDP");

    const uint8_t* udp = frame.data() + header;
    size_t udp_length = read_u16(udp + 4);
    if (udp_length < kUdpHeaderSize || udp_length > total - header)
        return frame_error("UDP length " + std::to_string(udp_length) + " does not fit the " +
                           std::to_string(total - header) + " bytes after the IPv4 header");
    UdpDatagram d;
    d.endpoints.source = ipv4_from_bytes(&frame[12]);
    d.endpoints.destination = ipv4_from_bytes(&frame[16]);
    d.endpoints.source_port = read_u16(udp);
    d.endpoints.destination_port = read_u16(udp + 2);
    if (d.endpoints.destination_port != port)
        return frame_error("UDP port " + std::to_string(d.endpoints.destination_port) + ", not " +
                           std::to_string(port));
    bool has_checksum = read_u16(udp + 6) != 0;
    if (verify_udp_checksum && has_checksum &&
        internet_checksum({udp, udp_length}, pseudo_header_sum(&frame[12], &frame[16], udp_length)) != 0)
        return frame_error("wrong UDP checksum");
    d.payload = frame.subspan(header + kUdpHeaderSize, udp_length - kUdpHeaderSize);
    return d;
}

}  // namespace nodenet::dhcp
