// The two ARP packets of an RFC 5227 address probe, at the byte level: the probe this host sends
// and the reading of what comes back. Ethernet and IPv4 only; the packets start at the ARP header
// (the packet socket adds and strips the Ethernet header). No I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "state/ip.h"

namespace nodenet::dhcp {

using Mac = std::array<uint8_t, 6>;

constexpr size_t kArpPacketSize = 28;

// An ARP request "who has `address`?" from `mac` with sender address 0.0.0.0 (RFC 5227 §2.1.1: a
// probe must not pollute other hosts' ARP caches with an address this host does not hold yet).
std::vector<uint8_t> arp_probe(const Mac& mac, const state::IpAddress& address);

// Whether `packet`, received while probing `address` from `mac`, shows another host using or
// claiming it (RFC 5227 §2.1.1): any ARP packet whose sender address is `address`, or a probe of
// another host for `address` (sender 0.0.0.0, target `address`). Our own packets and anything
// that is not Ethernet/IPv4 ARP are no conflict.
bool arp_conflict(std::span<const uint8_t> packet, const Mac& mac, const state::IpAddress& address);

}  // namespace nodenet::dhcp
