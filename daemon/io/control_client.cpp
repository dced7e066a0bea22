#include "daemon/io/control_client.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nodenet::daemon::io {

Result<ControlClient> ControlClient::connect(const std::filesystem::path& socket_path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = socket_path.string();
    if (path.size() >= sizeof addr.sun_path) return Error{path + ": the socket path is too long"};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error{std::string("socket: ") + std::strerror(errno)};
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return Error{"no nodenet daemon answers at " + path + ": " + std::strerror(errno)};
    return ControlClient(std::move(fd));
}

bool ControlClient::daemon_listening(const std::filesystem::path& socket_path) {
    std::error_code ec;
    if (!std::filesystem::exists(socket_path, ec)) return false;
    return connect(socket_path).ok();
}

bool ControlClient::wait_until_listening(const std::filesystem::path& socket_path,
                                         std::optional<std::chrono::steady_clock::time_point> deadline) {
    using namespace std::chrono;
    UniqueFd inotify(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    // A socket file with nobody accepting yet (between the daemon's bind and listen, or one left by
    // a daemon that died) brings no further event: such a state is re-checked after a short pause
    // that doubles up to a second.
    milliseconds recheck{5};
    for (;;) {
        // The watch goes on the nearest directory that exists (the runtime directory may not be
        // there before the daemon's first start), added before the check so that nothing created
        // between the two is missed.
        if (inotify) {
            std::filesystem::path dir = socket_path.parent_path();
            std::error_code ec;
            while (!dir.empty() && dir != dir.root_path() && !std::filesystem::is_directory(dir, ec)) dir = dir.parent_path();
            inotify_add_watch(inotify.get(), dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR);
        }
        if (daemon_listening(socket_path)) return true;
        auto now = steady_clock::now();
        if (deadline && now >= *deadline) return false;
        std::error_code ec;
        bool present = std::filesystem::exists(socket_path, ec);
        milliseconds wait = present || !inotify ? recheck : seconds(1);
        if (present) recheck = std::min<milliseconds>(recheck * 2, seconds(1));
        if (deadline) wait = std::min(wait, duration_cast<milliseconds>(*deadline - now) + milliseconds(1));
        pollfd p{inotify.get(), POLLIN, 0};
        int n = ::poll(&p, inotify ? 1 : 0, static_cast<int>(wait.count()));
        if (n > 0) {
            char buf[4096];
            while (::read(inotify.get(), buf, sizeof buf) > 0) {
            }
        }
    }
}

Result<int> ControlClient::call(const Request& request, const std::string& payload,
                                const std::function<void(const nlohmann::ordered_json&)>& on_line,
                                std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::string out = request_line(request) + payload;
    for (size_t sent = 0; sent < out.size();) {
        ssize_t n = ::send(fd_.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error{std::string("sending the request to the daemon: ") + std::strerror(errno)};
        sent += static_cast<size_t>(n);
    }
    std::string in;
    char buf[65536];
    for (;;) {
        size_t nl;
        while ((nl = in.find('\n')) != std::string::npos) {
            nlohmann::ordered_json line = nlohmann::ordered_json::parse(std::string_view(in).substr(0, nl), nullptr, false);
            in.erase(0, nl + 1);
            if (line.is_discarded() || !line.is_object()) return Error{"the daemon sent something that is not a JSON line"};
            if (auto it = line.find("exit"); it != line.end() && it->is_number_integer()) return it->get<int>();
            on_line(line);
        }
        int wait_ms = -1;
        if (deadline) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return Error{"timed out"};
            wait_ms = static_cast<int>(left.count());
        }
        pollfd p{fd_.get(), POLLIN, 0};
        int r = poll(&p, 1, wait_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return Error{"timed out"};
        ssize_t n = read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error{std::string("reading the daemon's answer: ") + std::strerror(errno)};
        if (n == 0) return Error{"the daemon closed the connection without an answer"};
        in.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace nodenet::daemon::io
