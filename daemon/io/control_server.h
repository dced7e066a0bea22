// The daemon's control socket: a unix stream socket (default /run/nodenet/control.sock) that
// `nodenet status`, `events`, `wait-online` and `apply` talk to. Every connection is non-blocking
// in the daemon's one event loop, so no client can stall it: a request must arrive whole within
// kRequestDeadline and within the size limits, and a client that does not read what it is sent
// (a stuck `events` follower) is cut off once kMaxPending bytes wait for it. Who may change
// anything is decided from the kernel's word on the peer (SO_PEERCRED), never from the request:
// root, or a member of the control group.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/unique_fd.h"
#include "daemon/control_protocol.h"
#include "loop/event_loop.h"

namespace nodenet::daemon::io {

inline constexpr auto kRequestDeadline = std::chrono::seconds(10);
inline constexpr size_t kMaxPending = 8 * 1024 * 1024;
inline constexpr size_t kMaxConnections = 64;

struct Peer {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups (SO_PEERGROUPS)
};

class ControlServer;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    ~Connection();
    const Peer& peer() const { return peer_; }
    bool open() const { return fd_.get() >= 0; }
    // Queues one JSON line. Dropped when the connection is gone.
    void send(const nlohmann::ordered_json& line);
    void out(const std::string& text) { send({{"out", text}}); }
    void err(const std::string& text) { send({{"err", text}}); }
    // Queues {"exit": code} and closes once everything queued is written.
    void finish(int exit_code);
    // Runs when the connection closes for any reason (the client went away, cut off, finished).
    void on_close(std::function<void()> f) { on_close_.push_back(std::move(f)); }

private:
    friend class ControlServer;
    Connection(ControlServer& server, UniqueFd fd, Peer peer) : server_(server), fd_(std::move(fd)), peer_(peer) {}
    void readable();
    void writable();
    void flush();
    void close_now();
    void update_interest();

    ControlServer& server_;
    UniqueFd fd_;
    Peer peer_;
    std::string in_;
    std::optional<Request> request_;
    std::string out_;
    bool finishing_ = false;
    bool dispatched_ = false;
    bool reading_ = true;
    std::unique_ptr<loop::Timer> deadline_;
    std::vector<std::function<void()>> on_close_;
};

struct ControlOptions {
    std::filesystem::path path;
    std::optional<gid_t> group;    // members may change things; the socket is 0660 and theirs
    bool status_readable = false;  // the socket is 0666: anyone may read status and events
    uint64_t max_config_bytes = 16 * 1024 * 1024;
};

class ControlServer {
public:
    // `payload`: the raw bytes that followed the request line (an apply's config).
    using Handler = std::function<void(const std::shared_ptr<Connection>&, const Request&, std::string payload)>;

    // Replaces a stale socket file (a daemon that was killed); the caller holds the state lock,
    // so no other daemon is listening on it.
    static Result<std::unique_ptr<ControlServer>> open(loop::EventLoop& loop, ControlOptions options, Handler handler);
    ~ControlServer();

    size_t connections() const { return connections_.size(); }

private:
    friend class Connection;
    ControlServer(loop::EventLoop& loop, ControlOptions options, UniqueFd fd, Handler handler)
        : loop_(loop), options_(std::move(options)), fd_(std::move(fd)), handler_(std::move(handler)) {}
    void accept_all();
    bool may_change(const Peer& p) const;
    void dispatch(const std::shared_ptr<Connection>& c, std::string payload);
    void forget(Connection* c);

    loop::EventLoop& loop_;
    ControlOptions options_;
    UniqueFd fd_;
    Handler handler_;
    std::vector<std::shared_ptr<Connection>> connections_;
};

}  // namespace nodenet::daemon::io
