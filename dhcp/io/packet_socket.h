// The DHCP client's link-level socket: whole IPv4 datagrams in and out of one link, the way a
// client without an address must talk (dhcpcd and systemd-networkd do the same). The kernel hands
// it only IPv4 UDP datagrams to port 68, filtered before they are queued.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "dhcp/arp_codec.h"
#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

constexpr Mac kBroadcastMac = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

struct ReceivedFrame {
    std::vector<uint8_t> datagram;  // from the IPv4 header on
    Mac source{};                   // the sender's Ethernet address
    // False when the sender is on this machine and left the UDP checksum to an offload that never
    // happened (a veth peer): the checksum field holds no checksum then.
    bool checksum_ready = true;
};

class PacketSocket {
public:
    // AF_PACKET datagram socket on link `index` (`iface` names it in errors) that receives only
    // IPv4 UDP to port 68. Needs CAP_NET_RAW.
    static Result<PacketSocket> open(const std::string& iface, int index);

    int fd() const { return fd_.get(); }
    // Sends an IPv4 datagram in an Ethernet frame to `destination` (kBroadcastMac before a lease).
    Status send(std::span<const uint8_t> datagram, const Mac& destination) const;
    // The next queued frame addressed to this host, or nullopt when none is left (the socket never
    // blocks). Frames this host sent or that were meant for another host are skipped.
    Result<std::optional<ReceivedFrame>> receive() const;

private:
    PacketSocket(std::string iface, int index, UniqueFd fd) : iface_(std::move(iface)), index_(index), fd_(std::move(fd)) {}

    std::string iface_;
    int index_ = 0;
    UniqueFd fd_;
};

}  // namespace nodenet::dhcp::io
