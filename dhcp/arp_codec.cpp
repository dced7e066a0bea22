#include "dhcp/arp_codec.h"

#include <algorithm>

namespace nodenet::dhcp {

namespace {

constexpr uint8_t kHeader[] = {0x00, 0x01,  // hardware type: Ethernet
                               0x08, 0x00,  // protocol type: IPv4
                               6, 4};       // address lengths
constexpr uint16_t kOpRequest = 1;
constexpr uint16_t kOpReply = 2;

// Offsets of the fields after the 8-byte fixed part.
constexpr size_t kOp = 6;
constexpr size_t kSenderMac = 8;
constexpr size_t kSenderIp = 14;
constexpr size_t kTargetIp = 24;

bool same_ip(const uint8_t* bytes, const state::IpAddress& ip) { return std::equal(bytes, bytes + 4, ip.bytes.begin()); }

}  // namespace

std::vector<uint8_t> arp_probe(const Mac& mac, const state::IpAddress& address) {
    std::vector<uint8_t> p(std::begin(kHeader), std::end(kHeader));
    p.resize(kArpPacketSize, 0);  // sender IP and target MAC stay zero
    p[kOp + 1] = kOpRequest;
    std::copy(mac.begin(), mac.end(), p.begin() + kSenderMac);
    std::copy_n(address.bytes.begin(), 4, p.begin() + kTargetIp);
    return p;
}

bool arp_conflict(std::span<const uint8_t> packet, const Mac& mac, const state::IpAddress& address) {
    if (packet.size() < kArpPacketSize || !std::equal(std::begin(kHeader), std::end(kHeader), packet.begin()))
        return false;
    uint16_t op = static_cast<uint16_t>(packet[kOp] << 8 | packet[kOp + 1]);
    if (op != kOpRequest && op != kOpReply) return false;
    if (std::equal(mac.begin(), mac.end(), packet.begin() + kSenderMac)) return false;  // our own probe
    if (same_ip(&packet[kSenderIp], address)) return true;
    const state::IpAddress none{};
    return op == kOpRequest && same_ip(&packet[kSenderIp], none) && same_ip(&packet[kTargetIp], address);
}

}  // namespace nodenet::dhcp
