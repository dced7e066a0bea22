#include "dhcp/io/packet_socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

namespace nodenet::dhcp::io {

namespace {

constexpr size_t kMaxFrame = 65536;

// Classic BPF over the IPv4 header (a SOCK_DGRAM packet socket strips the Ethernet header): IPv4,
// UDP, not a fragment, destination port 68. Everything else is dropped before it is queued, so a
// busy link costs the client nothing.
constexpr uint32_t kDrop = 0;
constexpr uint32_t kAccept = 0xFFFFFFFF;  // the whole packet
const sock_filter kFilter[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),                  // 0: version and header length
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xF0),              // 1
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40, 0, 8),        // 2: IPv4, else drop
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),                  // 3: protocol
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),  // 4: UDP, else drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),                  // 5: flags and fragment offset
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3FFF, 4, 0),     // 6: a fragment: drop
    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),                 // 7: X = header length
    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                  // 8: UDP destination port
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 0, 1),          // 9: port 68, else drop
    BPF_STMT(BPF_RET | BPF_K, kAccept),                     // 10
    BPF_STMT(BPF_RET | BPF_K, kDrop),                       // 11
};

sockaddr_ll link_address(int index, const Mac* destination) {
    sockaddr_ll a{};
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(ETH_P_IP);
    a.sll_ifindex = index;
    if (destination) {
        a.sll_halen = static_cast<unsigned char>(destination->size());
        std::copy(destination->begin(), destination->end(), a.sll_addr);
    }
    return a;
}

// Reads and drops what is queued. With the filter attached before bind nothing unfiltered should
// be there; draining anyway is what dhcpcd and systemd do, should a kernel queue earlier.
void drain(int fd) {
    std::array<uint8_t, 2048> buf;
    while (recv(fd, buf.data(), buf.size(), MSG_DONTWAIT) >= 0) {
    }
}

}  // namespace

Result<PacketSocket> PacketSocket::open(const std::string& iface, int index) {
    // Protocol 0: nothing is queued until bind names the protocol, after the filter is in place.
    UniqueFd fd(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return errno_error(iface, "packet socket (needs root or CAP_NET_RAW)");
    int on = 1;
    if (setsockopt(fd.get(), SOL_PACKET, PACKET_AUXDATA, &on, sizeof on) != 0)
        return errno_error(iface, "packet socket: PACKET_AUXDATA");
    sock_fprog program{static_cast<unsigned short>(std::size(kFilter)), const_cast<sock_filter*>(kFilter)};
    if (setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0)
        return errno_error(iface, "packet socket: attach the DHCP filter");
    sockaddr_ll local = link_address(index, nullptr);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
        return errno_error(iface, "bind the packet socket");
    drain(fd.get());
    return PacketSocket(iface, index, std::move(fd));
}

Status PacketSocket::send(std::span<const uint8_t> datagram, const Mac& destination) const {
    sockaddr_ll to = link_address(index_, &destination);
    ssize_t n;
    do {
        n = sendto(fd_.get(), datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno_error(iface_, "send on the packet socket");
    return success();
}

Result<std::optional<ReceivedFrame>> PacketSocket::receive() const {
    for (;;) {
        ReceivedFrame frame;
        frame.datagram.resize(kMaxFrame);
        sockaddr_ll from{};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata))];
        iovec iov{frame.datagram.data(), frame.datagram.size()};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = recvmsg(fd_.get(), &msg, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        // ENETDOWN: the link went down (reported once); the link monitor tells the client.
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENETDOWN))
            return std::optional<ReceivedFrame>();
        if (n < 0) return errno_error(iface_, "receive on the packet socket");
        if (from.sll_pkttype == PACKET_OUTGOING || from.sll_pkttype == PACKET_OTHERHOST) continue;
        if (msg.msg_flags & MSG_TRUNC) continue;  // larger than any IPv4 datagram: not DHCP
        frame.datagram.resize(static_cast<size_t>(n));
        std::copy_n(from.sll_addr, std::min<size_t>(from.sll_halen, frame.source.size()), frame.source.begin());
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
            tpacket_auxdata aux;
            std::copy_n(reinterpret_cast<const char*>(CMSG_DATA(c)), sizeof aux, reinterpret_cast<char*>(&aux));
            frame.checksum_ready = (aux.tp_status & TP_STATUS_CSUMNOTREADY) == 0;
        }
        return std::optional<ReceivedFrame>(std::move(frame));
    }
}

}  // namespace nodenet::dhcp::io
