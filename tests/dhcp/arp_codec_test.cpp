// The ARP packets of RFC 5227's probe: the exact probe bytes, and which answers mean the address
// is taken.
#include "dhcp/arp_codec.h"

#include <gtest/gtest.h>

#include <vector>

#include "dhcp/dhcp4_codec.h"

namespace nodenet::dhcp {
namespace {

const Mac kOurs = {0x52, 0x54, 0x00, 0x6e, 0x6e, 0x01};
const Mac kOther = {0x52, 0x54, 0x00, 0x6e, 0x6e, 0x02};
const state::IpAddress kProbed = ipv4(10, 77, 0, 57);

// An Ethernet/IPv4 ARP packet.
std::vector<uint8_t> arp(uint16_t op, const Mac& sender, const state::IpAddress& sender_ip,
                         const state::IpAddress& target_ip) {
    std::vector<uint8_t> p = {0x00, 0x01, 0x08, 0x00, 6, 4, static_cast<uint8_t>(op >> 8), static_cast<uint8_t>(op)};
    p.insert(p.end(), sender.begin(), sender.end());
    p.insert(p.end(), sender_ip.bytes.begin(), sender_ip.bytes.begin() + 4);
    p.insert(p.end(), 6, 0);
    p.insert(p.end(), target_ip.bytes.begin(), target_ip.bytes.begin() + 4);
    return p;
}

TEST(DhcpArpCodec, ProbeBytes) {
    EXPECT_EQ(arp_probe(kOurs, kProbed), (std::vector<uint8_t>{
                                             0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  // Ethernet, IPv4, request
                                             0x52, 0x54, 0x00, 0x6e, 0x6e, 0x01,              // sender MAC
                                             0, 0, 0, 0,                                      // sender IP: none yet
                                             0, 0, 0, 0, 0, 0,                                // target MAC
                                             10, 77, 0, 57,                                   // target IP
                                         }));
}

TEST(DhcpArpCodec, AnotherHostAnsweringOrAnnouncingIsAConflict) {
    EXPECT_TRUE(arp_conflict(arp(2, kOther, kProbed, ipv4(0, 0, 0, 0)), kOurs, kProbed));  // reply to our probe
    EXPECT_TRUE(arp_conflict(arp(1, kOther, kProbed, kProbed), kOurs, kProbed));           // its announcement
    EXPECT_TRUE(arp_conflict(arp(1, kOther, kProbed, ipv4(10, 77, 0, 1)), kOurs, kProbed));  // using it
}

TEST(DhcpArpCodec, AnotherHostProbingTheSameAddressIsAConflict) {
    EXPECT_TRUE(arp_conflict(arp(1, kOther, ipv4(0, 0, 0, 0), kProbed), kOurs, kProbed));
    EXPECT_FALSE(arp_conflict(arp(1, kOther, ipv4(0, 0, 0, 0), ipv4(10, 77, 0, 58)), kOurs, kProbed));
}

TEST(DhcpArpCodec, OwnPacketsAndUnrelatedTrafficAreNot) {
    EXPECT_FALSE(arp_conflict(arp_probe(kOurs, kProbed), kOurs, kProbed));
    EXPECT_FALSE(arp_conflict(arp(2, kOurs, kProbed, kProbed), kOurs, kProbed));
    EXPECT_FALSE(arp_conflict(arp(1, kOther, ipv4(10, 77, 0, 1), ipv4(10, 77, 0, 2)), kOurs, kProbed));
    EXPECT_FALSE(arp_conflict(arp(3, kOther, kProbed, kProbed), kOurs, kProbed));  // RARP request
}

TEST(DhcpArpCodec, MalformedPacketsAreNot) {
    auto reply = arp(2, kOther, kProbed, kProbed);
    EXPECT_FALSE(arp_conflict(std::span(reply).first(27), kOurs, kProbed));
    auto token_ring = reply;
    token_ring[1] = 6;
    EXPECT_FALSE(arp_conflict(token_ring, kOurs, kProbed));
    auto ipv6_lengths = reply;
    ipv6_lengths[5] = 16;
    EXPECT_FALSE(arp_conflict(ipv6_lengths, kOurs, kProbed));
    EXPECT_FALSE(arp_conflict({}, kOurs, kProbed));
}

}  // namespace
}  // namespace nodenet::dhcp
