#include "dhcp/io/udp_socket.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

#include "dhcp/ip_udp_codec.h"

namespace nodenet::dhcp::io {

namespace {

sockaddr_in socket_address(const state::IpAddress& ip, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    std::copy_n(ip.bytes.begin(), 4, reinterpret_cast<uint8_t*>(&a.sin_addr.s_addr));
    return a;
}

// Whether `ip` is one of the link's IPv4 addresses. Asked before binding because bind alone does
// not tell: in a namespace without a single local address the kernel lets a socket bind to any.
bool configured(const std::string& iface, const state::IpAddress& ip) {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return false;
    bool found = false;
    for (const ifaddrs* a = list; a && !found; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
        std::string name = a->ifa_name;
        if (name != iface && !name.starts_with(iface + ":")) continue;  // "eth0:1": a labelled address
        const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        found = std::equal(ip.bytes.begin(), ip.bytes.begin() + 4, reinterpret_cast<const uint8_t*>(&in->sin_addr));
    }
    freeifaddrs(list);
    return found;
}

}  // namespace

Result<UdpSocket> UdpSocket::open(const std::string& iface, const state::IpAddress& local) {
    if (!configured(iface, local)) return Error{iface + ": " + local.str() + " is not configured on " + iface};
    UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return errno_error(iface, "UDP socket");
    int on = 1;
    int tos = IPTOS_CLASS_CS6;  // as the packet socket's frames: network control
    if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        setsockopt(fd.get(), IPPROTO_IP, IP_TOS, &tos, sizeof tos) != 0)
        return errno_error(iface, "UDP socket options");
    if (setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, iface.c_str(), static_cast<socklen_t>(iface.size())) != 0)
        return errno_error(iface, "bind the UDP socket to the link");
    sockaddr_in address = socket_address(local, kClientPort);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return errno_error(iface, "bind a UDP socket to " + local.str() + ":68");
    return UdpSocket(iface, local, std::move(fd));
}

Status UdpSocket::send(std::span<const uint8_t> payload, const state::IpAddress& server, uint16_t port) const {
    sockaddr_in to = socket_address(server, port);
    ssize_t n;
    do {
        n = sendto(fd_.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno_error(iface_, "send to " + server.str() + ":" + std::to_string(port));
    return success();
}

void UdpSocket::drain() const {
    std::array<uint8_t, 2048> buf;
    // Bounded: a flood must not keep the event loop here.
    for (int i = 0; i < 256; ++i) {
        ssize_t n = recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n >= 0 || errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        // Otherwise the read consumed a queued error (ECONNREFUSED after an ICMP port unreachable).
    }
}

}  // namespace nodenet::dhcp::io
