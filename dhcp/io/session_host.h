// What run_client and run_client6 share: one session in an event loop of its own, owned the way
// the daemon owns its sessions. The host watches the link (LinkMonitor: carrier changes, removal)
// and SIGTERM/SIGINT (StopSignals), and ends the run at the first lease with `once`.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "dhcp/io/link_monitor.h"
#include "dhcp/io/loop_support.h"
#include "dhcp/io/session.h"
#include "dhcp/io/stop_signals.h"
#include "loop/event_loop.h"

namespace nodenet::dhcp::io {

class SessionHost {
public:
    // Looks the link up (errors: no such link, ...), subscribes to its changes and blocks the stop
    // signals. `log` names the link already (link_log).
    static Result<std::unique_ptr<SessionHost>> open(const std::string& iface, LogFn log);
    SessionHost(const SessionHost&) = delete;
    SessionHost& operator=(const SessionHost&) = delete;

    loop::EventLoop& loop() { return loop_; }
    // For open_session4/6: the session's failure ends the run with its error.
    SessionFailed failed();
    // `once`: the lease is in; or applying it failed, which ends the run with that error.
    void obtained(const Status& applied);

    // Starts `session` with the carrier as the link monitor read it, then runs the loop until a
    // stop signal (which stops the session; its number is returned), the session's failure, the
    // link's removal, or, with `once`, the first lease (0 is returned) or `timeout` (the error
    // `no_lease`).
    Result<int> run(Session& session, bool once, std::chrono::seconds timeout, const std::string& no_lease);

private:
    SessionHost(std::string iface, LogFn log, loop::EventLoop loop, StopSignals signals, LinkMonitor links)
        : iface_(std::move(iface)),
          log_(std::move(log)),
          loop_(std::move(loop)),
          signals_(std::move(signals)),
          links_(std::move(links)) {}
    Status join_loop();
    void on_signal();
    void on_link_changes();
    void end(std::string error);

    std::string iface_;
    LogFn log_;
    loop::EventLoop loop_;
    StopSignals signals_;
    LinkMonitor links_;
    Session* session_ = nullptr;  // while run() runs
    std::optional<std::string> failure_;
    int signal_ = 0;
};

// The handler run_client gives its session: the caller's handler (none: leases are logged and
// persisted only), and with `once` the first lease ends the run. Applying that lease is reported
// to the host rather than to the session, which would otherwise log a retry at the next renewal.
template <class Handler, class L>
class HostedHandler final : public Handler {
public:
    HostedHandler(Handler* inner, bool once, SessionHost& host) : inner_(inner), once_(once), host_(host) {}
    Status apply(const L& lease) override {
        Status applied = inner_ ? inner_->apply(lease) : success();
        if (!once_) return applied;
        if (!obtained_ && !applied.ok()) applied = Error{"applying " + lease.address.str() + ": " + applied.error()};
        if (!obtained_) host_.obtained(applied);
        obtained_ = true;
        return success();
    }
    Status remove(const L& lease) override { return inner_ ? inner_->remove(lease) : success(); }

private:
    Handler* inner_;
    bool once_;
    SessionHost& host_;
    bool obtained_ = false;
};

}  // namespace nodenet::dhcp::io
