// How the DHCP client's messages leave and arrive: broadcasts and every reply through the packet
// socket; unicasts (RENEWING, RELEASE) through a UDP socket bound to the leased address. When that
// address is not configured on the link (`nodenet dhcp` without --apply), the kernel cannot send
// from it, and the unicast goes out as a frame of the packet socket to the server's Ethernet
// address, learned from its replies.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "dhcp/dhcp4_codec.h"
#include "dhcp/io/link_info.h"
#include "dhcp/io/packet_socket.h"
#include "dhcp/io/udp_socket.h"

namespace nodenet::dhcp::io {

class Transport {
public:
    using LogFn = std::function<void(const std::string&)>;
    // Told after the UDP socket is opened, (fd, true), and before it is closed, (fd, false): an
    // event loop watching it must let go of the number before the kernel can hand it out again.
    using UdpWatch = std::function<void(int fd, bool opened)>;
    static Result<Transport> open(const LinkInfo& link, LogFn log);
    void watch_udp(UdpWatch watch) { udp_watch_ = std::move(watch); }

    int packet_fd() const { return packets_.fd(); }

    // To 255.255.255.255:67 from the message's ciaddr (0.0.0.0 before a lease).
    Status broadcast(const Message& message) const;
    // To `server`:67 from the message's ciaddr.
    Status unicast(const Message& message, const state::IpAddress& server);
    // The DHCP messages among the frames queued now. Frames that are not well-formed IPv4/UDP/DHCP
    // are dropped without a word: they cannot be replies to this client, and on a shared broadcast
    // domain a line for each would only flood the log.
    Result<std::vector<Message>> receive();
    void drain_udp() const;
    // The leased address is gone: the UDP socket bound to it goes too.
    void release_address() { close_udp(); }

private:
    Transport(LinkInfo link, PacketSocket packets, LogFn log)
        : link_(std::move(link)), packets_(std::move(packets)), log_(std::move(log)) {}
    Status unicast_frame(const std::vector<uint8_t>& payload, const state::IpAddress& source,
                         const state::IpAddress& server, const std::string& why);
    void close_udp();

    LinkInfo link_;
    PacketSocket packets_;
    LogFn log_;
    std::optional<UdpSocket> udp_;
    UdpWatch udp_watch_;
    std::map<state::IpAddress, Mac> macs_;  // of the servers (and relays) heard from
    bool told_fallback_ = false;
};

}  // namespace nodenet::dhcp::io
