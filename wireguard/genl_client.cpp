#include "wireguard/genl_client.h"

#include <linux/netlink.h>
#include <linux/wireguard.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "wireguard/genl_codec.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace nodenet::wireguard {

namespace {

using Clock = std::chrono::steady_clock;

// A dump the kernel flags as inconsistent is read again, a few times.
constexpr int kDumpAttempts = 3;

std::string ack_reason(const GenlAck& ack) {
    std::string reason = std::strerror(ack.error);
    return ack.message.empty() ? reason : reason + " (" + ack.message + ")";
}

}  // namespace

void GenlClient::SockDeleter::operator()(nl_sock* sock) const { nl_socket_free(sock); }

bool kernel_has_wireguard() { return GenlClient::open().ok(); }

Result<GenlClient> GenlClient::open(std::chrono::milliseconds timeout) {
    GenlClient c;
    c.timeout_ = timeout;
    c.sock_.reset(nl_socket_alloc());
    if (!c.sock_) return Error{"generic netlink socket: out of memory"};
    int err = genl_connect(c.sock_.get());
    if (err < 0) return Error{std::string("generic netlink socket: ") + nl_geterror(err)};
    int family = genl_ctrl_resolve(c.sock_.get(), WG_GENL_NAME);
    if (family == -NLE_OBJ_NOTFOUND)
        return Error{"kernel has no WireGuard module (generic netlink family \"" WG_GENL_NAME "\" not found)"};
    if (family < 0)
        return Error{std::string("resolve generic netlink family \"" WG_GENL_NAME "\": ") + nl_geterror(family)};
    c.family_ = static_cast<uint16_t>(family);
    int fd = nl_socket_get_fd(c.sock_.get()), one = 1;
    // Without these, errors only lose their detail.
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);  // no echo of our request in errors
    // From here on the socket is read with poll() and a deadline, never blocking.
    err = nl_socket_set_nonblocking(c.sock_.get());
    if (err < 0) return Error{std::string("generic netlink socket: ") + nl_geterror(err)};
    return c;
}

Status GenlClient::send_bytes(std::span<const uint8_t> message) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    int fd = nl_socket_get_fd(sock_.get());
    for (;;) {
        ssize_t n = sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
        if (n == static_cast<ssize_t>(message.size())) return success();
        if (n < 0 && errno == EINTR) continue;
        return Error{std::string("send: ") + (n < 0 ? std::strerror(errno) : "short write")};
    }
}

Result<std::vector<uint8_t>> GenlClient::receive(Clock::time_point deadline) {
    int fd = nl_socket_get_fd(sock_.get());
    for (;;) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return Error{"no answer from the kernel within " + std::to_string(timeout_.count()) + " ms"};
        pollfd p{fd, POLLIN, 0};
        int ready = poll(&p, 1, static_cast<int>(left));
        if (ready < 0 && errno != EINTR) return Error{std::string("poll: ") + std::strerror(errno)};
        if (ready <= 0) continue;
        // The size of the next datagram first, so that none is cut.
        ssize_t size = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
        if (size < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (size < 0) return Error{std::string("receive: ") + std::strerror(errno)};
        std::vector<uint8_t> buf(static_cast<size_t>(size));
        sockaddr_nl from{};
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n < 0) return Error{std::string("receive: ") + std::strerror(errno)};
        if (from.nl_pid != 0) continue;  // only the kernel speaks for the kernel
        buf.resize(static_cast<size_t>(n));
        return buf;
    }
}

Result<DeviceConfig> GenlClient::get(const std::string& iface) {
    if (!valid_interface_name(iface)) return Error{quote(iface) + " is not a valid interface name"};
    for (int attempt = 1;; ++attempt) {
        auto deadline = Clock::now() + timeout_;
        uint32_t seq = seq_++;
        GenlDeviceDump dump(family_, seq);
        if (Status s = send_bytes(genl_get_request(family_, iface, seq)); !s)
            return Error{iface + ": genl get: " + s.error()};
        while (!dump.done()) {
            auto datagram = receive(deadline);
            if (!datagram) return Error{iface + ": genl get: " + datagram.error()};
            if (Status s = dump.add(*datagram); !s) return Error{iface + ": genl get: " + s.error()};
        }
        if (dump.interrupted() && attempt < kDumpAttempts) continue;
        auto config = dump.take();
        if (!config) return Error{iface + ": genl get: " + config.error()};
        return config;
    }
}

Status GenlClient::set(const std::string& iface, const DevicePatch& patch) {
    if (!valid_interface_name(iface)) return Error{quote(iface) + " is not a valid interface name"};
    auto requests = genl_set_requests(family_, iface, patch, seq_);
    if (!requests) return Error{iface + ": genl set: " + requests.error()};
    seq_ += static_cast<uint32_t>(requests->size());
    for (size_t i = 0; i < requests->size(); ++i) {
        const GenlMessage& request = (*requests)[i];
        std::string what = iface + ": genl set";
        if (requests->size() > 1)
            what += " (request " + std::to_string(i + 1) + " of " + std::to_string(requests->size()) + ")";
        uint32_t seq = 0;
        std::memcpy(&seq, request.data() + offsetof(nlmsghdr, nlmsg_seq), sizeof seq);
        if (Status s = send_bytes(request); !s) return Error{what + ": " + s.error()};
        auto deadline = Clock::now() + timeout_;
        for (;;) {
            auto datagram = receive(deadline);
            if (!datagram) return Error{what + ": " + datagram.error()};
            auto ack = genl_find_ack(*datagram, seq);
            if (!ack) return Error{what + ": " + ack.error()};
            if (!*ack) continue;
            if ((*ack)->error != 0) return Error{what + ": " + ack_reason(**ack)};
            break;
        }
    }
    return success();
}

}  // namespace nodenet::wireguard
