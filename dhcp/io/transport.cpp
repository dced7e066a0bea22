#include "dhcp/io/transport.h"

#include <cstdio>

#include "dhcp/dhcp4_options.h"
#include "dhcp/ip_udp_codec.h"

namespace nodenet::dhcp::io {

namespace {

constexpr int kMaxFramesPerWakeup = 64;  // the event loop gets back to its timer and signals in between
constexpr size_t kMaxKnownMacs = 64;     // a flood of made-up server identifiers must not grow memory

std::string mac_text(const Mac& mac) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

}  // namespace

Result<Transport> Transport::open(const LinkInfo& link, LogFn log) {
    auto packets = PacketSocket::open(link.name, link.index);
    if (!packets.ok()) return Error{packets.error()};
    return Transport(link, std::move(*packets), std::move(log));
}

Status Transport::broadcast(const Message& message) const {
    auto frame = build_udp_frame(encode(message), UdpEndpoints{message.ciaddr, kClientPort,
                                                               ipv4(255, 255, 255, 255), kServerPort});
    if (!frame.ok()) return Error{link_.name + ": " + frame.error()};
    return packets_.send(*frame, kBroadcastMac);
}

Status Transport::unicast(const Message& message, const state::IpAddress& server) {
    std::vector<uint8_t> payload = encode(message);
    std::string why;
    if (!udp_ || udp_->local() != message.ciaddr) {
        close_udp();
        auto socket = UdpSocket::open(link_.name, message.ciaddr);
        if (socket.ok()) {
            udp_.emplace(std::move(*socket));
            if (udp_watch_) udp_watch_(udp_->fd(), true);
        } else {
            why = socket.error();
        }
    }
    if (udp_) {
        Status sent = udp_->send(payload, server, kServerPort);
        if (sent.ok()) return sent;
        why = sent.error();
    }
    return unicast_frame(payload, message.ciaddr, server, why);
}

Status Transport::unicast_frame(const std::vector<uint8_t>& payload, const state::IpAddress& source,
                                const state::IpAddress& server, const std::string& why) {
    auto mac = macs_.find(server);
    if (mac == macs_.end()) return Error{why + "; and the Ethernet address of " + server.str() + " is unknown"};
    auto frame = build_udp_frame(payload, UdpEndpoints{source, kClientPort, server, kServerPort});
    if (!frame.ok()) return Error{link_.name + ": " + frame.error()};
    if (!told_fallback_) {
        told_fallback_ = true;
        log_(why + "; sending to " + server.str() + " in a frame to " + mac_text(mac->second) + " instead");
    }
    return packets_.send(*frame, mac->second);
}

Result<std::vector<Message>> Transport::receive() {
    std::vector<Message> messages;
    for (int i = 0; i < kMaxFramesPerWakeup; ++i) {
        auto frame = packets_.receive();
        if (!frame.ok()) return Error{frame.error()};
        if (!*frame) break;
        auto datagram = parse_udp_frame((*frame)->datagram, kClientPort, (*frame)->checksum_ready);
        if (!datagram.ok()) continue;
        auto message = decode(datagram->payload);
        if (!message.ok()) continue;
        if (macs_.size() >= kMaxKnownMacs) macs_.clear();
        if (auto server = address(message->options, option::kServerId); server.ok() && *server)
            macs_[**server] = (*frame)->source;
        macs_[datagram->endpoints.source] = (*frame)->source;
        messages.push_back(std::move(*message));
    }
    return messages;
}

void Transport::close_udp() {
    if (udp_ && udp_watch_) udp_watch_(udp_->fd(), false);
    udp_.reset();
}

void Transport::drain_udp() const {
    if (udp_) udp_->drain();
}

}  // namespace nodenet::dhcp::io
