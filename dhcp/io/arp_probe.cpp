#include "dhcp/io/arp_probe.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <vector>

#include "dhcp/io/packet_socket.h"
#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

namespace {

using Clock = std::chrono::steady_clock;

Result<UniqueFd> open_arp_socket(const std::string& iface, int index) {
    UniqueFd fd(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
    if (!fd) return errno_error(iface, "ARP socket (needs root or CAP_NET_RAW)");
    sockaddr_ll local{};
    local.sll_family = AF_PACKET;
    local.sll_protocol = htons(ETH_P_ARP);
    local.sll_ifindex = index;
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
        return errno_error(iface, "bind the ARP socket");
    return fd;
}

Status send_probe(const std::string& iface, int fd, int index, const std::vector<uint8_t>& probe) {
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = index;
    to.sll_halen = static_cast<unsigned char>(kBroadcastMac.size());
    std::copy(kBroadcastMac.begin(), kBroadcastMac.end(), to.sll_addr);
    if (sendto(fd, probe.data(), probe.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
        return errno_error(iface, "send an ARP probe");
    return success();
}

// Reads what is queued; true when a packet shows a conflict.
bool read_answers(int fd, const Mac& mac, const state::IpAddress& address) {
    std::array<uint8_t, 256> buf;
    for (;;) {
        ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (arp_conflict({buf.data(), static_cast<size_t>(n)}, mac, address)) return true;
    }
}

}  // namespace

Result<bool> probe_address(const std::string& iface, int index, const Mac& mac, const state::IpAddress& address,
                           ProbeTiming timing) {
    auto fd = open_arp_socket(iface, index);
    if (!fd.ok()) return Error{fd.error()};
    const std::vector<uint8_t> probe = arp_probe(mac, address);
    for (int sent = 0; sent < timing.probes; ++sent) {
        if (auto s = send_probe(iface, fd->get(), index, probe); !s.ok()) return Error{s.error()};
        auto until = Clock::now() + timing.interval;
        for (auto now = Clock::now(); now < until; now = Clock::now()) {
            pollfd p{fd->get(), POLLIN, 0};
            auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now);
            if (poll(&p, 1, static_cast<int>(left.count())) > 0 && read_answers(fd->get(), mac, address)) return true;
        }
    }
    return false;
}

}  // namespace nodenet::dhcp::io
