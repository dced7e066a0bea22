// The DHCPv6 client's one socket: UDP port 546 on one link, sending to All_DHCP_Relay_Agents_and_
// Servers (ff02::1:2) port 547 from the link-local address, which the kernel picks. Replies come
// back to the link-local address, so no packet socket is needed as in DHCPv4.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "dhcp/dhcp6_codec.h"
#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

class Dhcp6Socket {
public:
    // Bound to [::]:546 on `iface` only (SO_BINDTODEVICE), the port shared (SO_REUSEADDR).
    static Result<Dhcp6Socket> open(const std::string& iface, int index);
    int fd() const { return fd_.get(); }
    Status send(const v6::Message& message) const;
    // The messages queued now. Datagrams that do not decode are dropped without a word: on a
    // shared link they may be anybody's.
    std::vector<v6::Message> receive() const;

private:
    Dhcp6Socket(std::string iface, int index, UniqueFd fd) : iface_(std::move(iface)), index_(index), fd_(std::move(fd)) {}
    std::string iface_;
    int index_;
    UniqueFd fd_;
};

// Whether the link has a link-local IPv6 address that finished duplicate address detection: until
// then the kernel has no source address for a message to ff02::1:2.
bool has_usable_link_local(int index);

}  // namespace nodenet::dhcp::io
