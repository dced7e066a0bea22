#include "wireguard/uapi_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

#include "wireguard/uapi_codec.h"

namespace nodenet::wireguard {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

// Waits until `fd` is ready for `events` or the deadline passes (false).
bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        int n = poll(&p, 1, static_cast<int>(left));
        if (n > 0) return true;  // an error or hang-up shows in the next send or recv
        if (n < 0 && errno != EINTR) return false;
    }
}

// Connects, retrying while the daemon's accept queue is full (EAGAIN on a UNIX socket).
Status connect_socket(int fd, const std::filesystem::path& path, Clock::time_point deadline) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string& p = path.native();
    if (p.size() >= sizeof addr.sun_path) return Error{"connect " + p + ": path too long for a UNIX socket"};
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    for (;;) {
        if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return success();
        if (errno == EINTR) continue;
        if (errno == EINPROGRESS) {
            int err = 0;
            socklen_t len = sizeof err;
            if (!wait_for(fd, POLLOUT, deadline)) return Error{"connect " + p + ": timed out"};
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == 0) return success();
            return Error{"connect " + p + ": " + std::strerror(err)};
        }
        if (errno != EAGAIN || Clock::now() >= deadline) return Error{"connect " + p + ": " + std::strerror(errno)};
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

Result<std::string> UapiClient::exchange(const std::string& iface, std::string_view request) const {
    if (!valid_interface_name(iface)) return Error{quote(iface) + " is not a valid interface name"};
    auto deadline = Clock::now() + timeout_;
    std::filesystem::path path = socket_path(iface);
    Fd sock{socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (sock.fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
    if (Status s = connect_socket(sock.fd, path, deadline); !s) return Error{s.error()};

    // MSG_NOSIGNAL: a daemon that went away must be an error here, not SIGPIPE for nodenet.
    std::optional<Error> send_error;
    for (size_t sent = 0; sent < request.size() && !send_error;) {
        ssize_t n = send(sock.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(sock.fd, POLLOUT, deadline))
                return Error{"send: timed out after " + std::to_string(timeout_.count()) + " ms"};
        } else {
            // A daemon that refuses a line answers at once and stops reading: its answer says why.
            send_error = Error{std::string("send: ") + std::strerror(errno)};
        }
    }

    std::string reply;
    char buf[65536];
    for (;;) {
        if (size_t end = reply_end(reply); end != std::string::npos) return reply.substr(0, end);
        ssize_t n = recv(sock.fd, buf, sizeof buf, 0);
        if (n > 0) {
            reply.append(buf, static_cast<size_t>(n));
            if (reply.size() > kMaxUapiReply) return Error{"reply larger than 4 MiB"};
        } else if (send_error) {
            return *send_error;
        } else if (n == 0) {
            return Error{"the daemon closed the connection before the end of its reply (" +
                         std::to_string(reply.size()) + " bytes received)"};
        } else if (errno == EAGAIN || errno == EINTR) {
            if (!wait_for(sock.fd, POLLIN, deadline))
                return Error{"no complete reply within " + std::to_string(timeout_.count()) + " ms"};
        } else {
            return Error{std::string("receive: ") + std::strerror(errno)};
        }
    }
}

Result<DeviceConfig> UapiClient::get(const std::string& iface) const {
    auto reply = exchange(iface, kGetRequest);
    if (!reply) return Error{iface + ": uapi get: " + reply.error()};
    auto config = parse_get_reply(*reply);
    if (!config) return Error{iface + ": uapi get: " + config.error()};
    return config;
}

Status UapiClient::set(const std::string& iface, const DevicePatch& patch) const {
    auto request = set_request(patch);
    if (!request) return Error{iface + ": uapi set: " + request.error()};
    auto reply = exchange(iface, *request);
    if (!reply) return Error{iface + ": uapi set: " + reply.error()};
    if (Status s = parse_set_reply(*reply); !s) return Error{iface + ": uapi set: " + s.error()};
    return success();
}

}  // namespace nodenet::wireguard
