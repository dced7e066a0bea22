// A DHCP client on one link as a guest of somebody else's event loop: the pure client (Client4 or
// v6::Client) with its sockets and timer registered in a loop::EventLoop. `nodenet dhcp` runs one
// session in a loop of its own (run_client, run_client6); the daemon runs one per DHCP link, all
// in its single loop. The owner reports carrier changes (it watches the links anyway), so a
// session opens no netlink socket of its own.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "dhcp/dhcp4_lease.h"
#include "dhcp/dhcp6_lease.h"
#include "dhcp/io/runner.h"
#include "dhcp/io/runner6.h"
#include "loop/event_loop.h"

namespace nodenet::dhcp::io {

// What `nodenet status` shows of a session.
struct SessionView {
    std::string state;  // the client's state name: "bound", "renewing", "selecting", ...
    // When the client's timer fires next (retransmission, T1, T2, expiry), on the steady clock's
    // timeline; none when no timer is armed.
    std::optional<std::chrono::steady_clock::time_point> next_timer;
    std::optional<Lease> lease;       // a DHCPv4 session's lease, on dhcp::Clock's timeline
    std::optional<v6::Lease> lease6;  // a DHCPv6 session's
};

class Session {
public:
    virtual ~Session() = default;
    // Feeds Start (with the saved lease of the lease file, for INIT-REBOOT / Rebind) and, when
    // `carrier` is false, LinkDown first so that nothing is sent before the carrier comes.
    virtual Status start(bool carrier) = 0;
    // LinkUp / LinkDown, as IFF_LOWER_UP changes.
    virtual void carrier_changed(bool carrier) = 0;
    // Feeds Stop: with send_release the lease is released and removed, else it is kept (file and
    // kernel) for the next start. A stopped session is finished: its descriptors leave the loop at
    // once (a new session starts the link again). Destroying a session without stop() leaves the
    // lease as it is, as a process that exits does (`--once`).
    virtual void stop() = 0;
    virtual SessionView view() const = 0;
};

// A failure that ends the session (a socket error, the link gone): the owner decides what next.
// Called from the loop after the session has left it; the owner may destroy the session later, not
// inside the callback (a handler of the session is still running then).
using SessionFailed = std::function<void(const std::string& error)>;

// RunnerOptions' handler, lease_file, client and log are used; `once` is not, and `timeout` only
// bounds a DHCPv6 session's wait for its link-local address at start (the owner decides when it
// has waited long enough for a lease). Errors name the link and the step.
Result<std::unique_ptr<Session>> open_session4(loop::EventLoop& loop, RunnerOptions options, SessionFailed failed);
Result<std::unique_ptr<Session>> open_session6(loop::EventLoop& loop, Runner6Options options, SessionFailed failed);

}  // namespace nodenet::dhcp::io
