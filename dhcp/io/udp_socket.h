// The DHCP client's UDP socket once it holds an address: RENEWING and RELEASE go to the server's
// address through the kernel's routing, from the leased address, port 68 (RFC 2131 §4.4.5).
// Replies are read on the packet socket, which sees them too; this socket's copies are dropped.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"
#include "dhcp/io/unique_fd.h"
#include "state/ip.h"

namespace nodenet::dhcp::io {

class UdpSocket {
public:
    // Bound to `local`:68 on `iface` only (SO_BINDTODEVICE), sharing the port with any other
    // client (SO_REUSEADDR). Fails while `local` is not one of the link's addresses.
    static Result<UdpSocket> open(const std::string& iface, const state::IpAddress& local);

    int fd() const { return fd_.get(); }
    const state::IpAddress& local() const { return local_; }
    Status send(std::span<const uint8_t> payload, const state::IpAddress& server, uint16_t port) const;
    // Reads and drops what arrived, errors included (an ICMP port unreachable shows up here).
    void drain() const;

private:
    UdpSocket(std::string iface, state::IpAddress local, UniqueFd fd)
        : iface_(std::move(iface)), local_(local), fd_(std::move(fd)) {}

    std::string iface_;
    state::IpAddress local_;
    UniqueFd fd_;
};

}  // namespace nodenet::dhcp::io
