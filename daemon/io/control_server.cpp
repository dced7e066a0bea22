#include "daemon/io/control_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nodenet::daemon::io {

namespace {

Error errno_error(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

Peer peer_of(int fd) {
    Peer p;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        p.pid = cred.pid;
        p.uid = cred.uid;
        p.gid = cred.gid;
    } else {
        p.uid = static_cast<uid_t>(-1);  // unknown: never root
        p.gid = static_cast<gid_t>(-1);
    }
    std::vector<gid_t> groups(64);
    socklen_t glen = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen) == 0) {
        groups.resize(glen / sizeof(gid_t));
        p.groups = std::move(groups);
    }
    return p;
}

}  // namespace

Connection::~Connection() = default;

void Connection::send(const nlohmann::ordered_json& line) {
    if (!open()) return;
    out_ += line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    out_ += '\n';
    if (out_.size() > kMaxPending) {  // the client does not read: cut it off, never wait for it
        close_now();
        return;
    }
    flush();
}

void Connection::finish(int exit_code) {
    if (!open() || finishing_) return;
    send({{"exit", exit_code}});
    finishing_ = true;
    reading_ = false;
    flush();
}

void Connection::readable() {
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {  // the client went away (or the socket broke): nothing more to answer
            close_now();
            return;
        }
        if (dispatched_ || finishing_) continue;  // nothing more is expected; drained and dropped
        in_.append(buf, static_cast<size_t>(n));
        if (!request_) {
            size_t nl = in_.find('\n');
            if (nl == std::string::npos) {
                if (in_.size() > kMaxHeaderBytes) {
                    err("request longer than " + std::to_string(kMaxHeaderBytes) + " bytes without a line end");
                    finish(2);
                    return;
                }
                continue;
            }
            auto request = parse_request(std::string_view(in_).substr(0, nl), server_.options_.max_config_bytes);
            if (!request.ok()) {
                err("bad request: " + request.error());
                finish(2);
                return;
            }
            if (changes_state(request->op) && !server_.may_change(peer_)) {
                err("permission denied: " + std::string(op_name(request->op)) + " needs root or the control group (uid " +
                    std::to_string(peer_.uid) + ")");
                finish(1);
                return;
            }
            request_ = std::move(*request);
            in_.erase(0, nl + 1);
        }
        if (in_.size() >= request_->config_bytes) {
            in_.resize(request_->config_bytes);
            dispatched_ = true;
            if (deadline_) deadline_->disarm();
            server_.dispatch(shared_from_this(), std::move(in_));
            in_.clear();
            if (!open()) return;
        }
    }
    update_interest();
}

void Connection::writable() { flush(); }

void Connection::flush() {
    while (!out_.empty() && open()) {
        ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0) {
            close_now();
            return;
        }
        out_.erase(0, static_cast<size_t>(n));
    }
    if (!open()) return;
    if (out_.empty() && finishing_) {
        close_now();
        return;
    }
    update_interest();
}

void Connection::update_interest() {
    if (!open()) return;
    uint32_t events = (reading_ ? uint32_t{EPOLLIN} : 0u) | (out_.empty() ? 0u : uint32_t{EPOLLOUT});
    (void)server_.loop_.modify(fd_.get(), events | EPOLLRDHUP);
}

void Connection::close_now() {
    if (!open()) return;
    auto self = shared_from_this();  // the server's reference goes below
    server_.loop_.remove(fd_.get());
    fd_.reset();
    if (deadline_) deadline_->disarm();  // destroyed with the connection, never inside its own callback
    auto callbacks = std::move(on_close_);
    for (auto& f : callbacks) f();
    server_.forget(this);
}

Result<std::unique_ptr<ControlServer>> ControlServer::open(loop::EventLoop& loop, ControlOptions options,
                                                           Handler handler) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = options.path.string();
    if (path.size() >= sizeof addr.sun_path) return Error{path + ": the socket path is too long"};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    std::error_code ec;
    std::filesystem::create_directories(options.path.parent_path(), ec);
    if (ec) return Error{options.path.parent_path().string() + ": " + ec.message()};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno_error("control socket");
    UniqueFd sock(fd);
    unlink(path.c_str());
    // Created with no permissions for anyone but the owner, then opened as configured: there is no
    // moment at which a wider mode than intended exists.
    mode_t old = umask(0177);
    int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (rc != 0) return errno_error(path + ": bind");
    mode_t mode = options.status_readable ? 0666 : options.group ? 0660 : 0600;
    if (options.group && chown(path.c_str(), 0, *options.group) != 0) return errno_error(path + ": chown");
    if (chmod(path.c_str(), mode) != 0) return errno_error(path + ": chmod");
    if (listen(fd, 64) != 0) return errno_error(path + ": listen");
    std::unique_ptr<ControlServer> server(new ControlServer(loop, std::move(options), std::move(sock), std::move(handler)));
    ControlServer* self = server.get();
    if (auto s = loop.add(self->fd_.get(), EPOLLIN, [self](uint32_t) { self->accept_all(); }); !s.ok())
        return Error{s.error()};
    return server;
}

ControlServer::~ControlServer() {
    auto connections = connections_;
    for (auto& c : connections) c->close_now();
    loop_.remove(fd_.get());
    unlink(options_.path.c_str());
}

void ControlServer::accept_all() {
    for (;;) {
        int fd = accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN, or a client gone before it was accepted
        UniqueFd client(fd);
        if (connections_.size() >= kMaxConnections) {
            static const char busy[] = "{\"err\":\"too many connections to the daemon; try again\"}\n{\"exit\":1}\n";
            (void)::send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            continue;
        }
        Peer peer = peer_of(fd);
        std::shared_ptr<Connection> c(new Connection(*this, std::move(client), std::move(peer)));
        std::weak_ptr<Connection> weak = c;
        auto added = loop_.add(c->fd_.get(), EPOLLIN | EPOLLRDHUP, [weak](uint32_t events) {
            auto conn = weak.lock();
            if (!conn) return;
            if (events & EPOLLOUT) conn->writable();
            if (conn->open() && (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))) conn->readable();
        });
        if (!added.ok()) continue;
        auto timer = loop::Timer::open(loop_, [weak] {
            auto conn = weak.lock();
            if (!conn || conn->dispatched_) return;
            conn->err("request not complete within " + std::to_string(kRequestDeadline.count()) + " s");
            conn->finish(2);
        });
        if (timer.ok()) {
            c->deadline_ = std::move(*timer);
            c->deadline_->arm_in(kRequestDeadline);
        }
        connections_.push_back(std::move(c));
    }
}

bool ControlServer::may_change(const Peer& p) const {
    if (p.uid == 0) return true;
    if (!options_.group) return false;
    return p.gid == *options_.group || std::find(p.groups.begin(), p.groups.end(), *options_.group) != p.groups.end();
}

void ControlServer::dispatch(const std::shared_ptr<Connection>& c, std::string payload) {
    handler_(c, *c->request_, std::move(payload));
}

void ControlServer::forget(Connection* c) {
    std::erase_if(connections_, [c](const std::shared_ptr<Connection>& p) { return p.get() == c; });
}

}  // namespace nodenet::daemon::io
