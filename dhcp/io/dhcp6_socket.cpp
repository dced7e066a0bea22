#include "dhcp/io/dhcp6_socket.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <fstream>
#include <sstream>

namespace nodenet::dhcp::io {

namespace {

constexpr size_t kMaxDatagram = 65535;

sockaddr_in6 all_servers(int index) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(v6::kServerPort);
    inet_pton(AF_INET6, "ff02::1:2", &a.sin6_addr);
    a.sin6_scope_id = static_cast<uint32_t>(index);
    return a;
}

}  // namespace

Result<Dhcp6Socket> Dhcp6Socket::open(const std::string& iface, int index) {
    UniqueFd fd(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return errno_error(iface, "UDP socket");
    int on = 1, off = 0, hops = 1;
    if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0 ||
        setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0 ||
        setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
        setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0)
        return errno_error(iface, "UDP socket options");
    if (setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, iface.c_str(), static_cast<socklen_t>(iface.size())) != 0)
        return errno_error(iface, "bind the UDP socket to the link");
    sockaddr_in6 any{};
    any.sin6_family = AF_INET6;
    any.sin6_port = htons(v6::kClientPort);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0)
        return errno_error(iface, "bind a UDP socket to [::]:546");
    return Dhcp6Socket(iface, index, std::move(fd));
}

Status Dhcp6Socket::send(const v6::Message& message) const {
    std::vector<uint8_t> bytes = v6::encode(message);
    sockaddr_in6 to = all_servers(index_);
    if (sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
        return errno_error(iface_, "send " + v6::message_type_name(message.type) + " to ff02::1:2");
    return success();
}

std::vector<v6::Message> Dhcp6Socket::receive() const {
    std::vector<v6::Message> out;
    std::vector<uint8_t> buffer(kMaxDatagram);
    for (;;) {
        ssize_t n = recv(fd_.get(), buffer.data(), buffer.size(), 0);
        if (n < 0) break;  // EAGAIN: all read; anything else will show again at the next poll
        auto m = v6::decode(std::span(buffer.data(), static_cast<size_t>(n)));
        if (m.ok()) out.push_back(std::move(*m));
    }
    return out;
}

// /proc/net/if_inet6 is per network namespace and lists every address with its flags; the kernel
// keeps it in the format "address index prefix-length scope flags name".
bool has_usable_link_local(int index) {
    std::ifstream in("/proc/net/if_inet6");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string address, name;
        unsigned idx = 0, length = 0, scope = 0, flags = 0;
        if (!(fields >> address >> std::hex >> idx >> length >> scope >> flags >> name)) continue;
        if (static_cast<int>(idx) != index || scope != 0x20) continue;  // IPV6_ADDR_LINKLOCAL
        if ((flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == 0) return true;
    }
    return false;
}

}  // namespace nodenet::dhcp::io
