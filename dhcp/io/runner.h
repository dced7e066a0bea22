// `nodenet dhcp`'s DHCPv4 client: one session (session.h: the pure Client4, its sockets and timer)
// in an event loop of its own, with the link's carrier changes and SIGTERM/SIGINT, as the daemon
// hosts one per link in its single loop.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "dhcp/dhcp4_client.h"
#include "dhcp/dhcp4_lease.h"

namespace nodenet::dhcp::io {

// Where leases go: the command adapts it to the kernel (cli::LeaseSink), tests record. Leases
// handed out here and in RunOutcome are on dhcp::Clock's timeline (compare acquired_at with
// dhcp::Clock::now()), whatever clock the loop itself runs on.
class LeaseHandler {
public:
    virtual ~LeaseHandler() = default;
    virtual Status apply(const Lease& lease) = 0;   // new or renewed
    virtual Status remove(const Lease& lease) = 0;  // expired, refused, released
};

struct RunnerOptions {
    std::string iface;
    // `mac` is taken from the link and the random numbers from getrandom(); the rest as given.
    ClientConfig client;
    // The lease file (lease_file.h): read at start for INIT-REBOOT, written after each lease,
    // deleted when it is removed. Empty: nothing is read or written.
    std::filesystem::path lease_file;
    LeaseHandler* handler = nullptr;  // null: leases are logged (and persisted) only
    bool once = false;                // return once the first lease is applied
    std::chrono::seconds timeout{30};  // once: the longest wait for that lease
    // Receives each log line, "IFACE: what happened". Default: standard error.
    std::function<void(const std::string&)> log;
};

struct RunOutcome {
    std::optional<Lease> lease;  // the lease held at the end (once: the lease obtained)
    int signal = 0;              // the signal that stopped a foreground run
};

// Runs the client on options.iface. Once: until the first lease is applied, or an error when none
// came within the timeout or the handler refused it. Otherwise: until SIGTERM or SIGINT, which
// stop the client (RELEASE when client.send_release) and return. Errors name the link and the
// failed step: no such link, no permission for a packet socket, the link removed.
Result<RunOutcome> run_client(RunnerOptions options);

}  // namespace nodenet::dhcp::io
