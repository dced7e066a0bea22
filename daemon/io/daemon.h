// `nodenet daemon`: the process that configures the network at boot and keeps it configured.
// One event loop carries everything: the kernel's notifications, a DHCP session per DHCP link,
// timers, signals and the control socket. Each wake-up that may matter plans against a fresh read
// of the kernel through the same engine as `nodenet apply` and applies the difference all or
// nothing; a plan that is empty costs one kernel read and no write.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "daemon/drift_guard.h"
#include "daemon/io/discovery_agent.h"
#include "daemon/io/kubespan_agent.h"
#include "engine/network_pipeline.h"

namespace nodenet::daemon::io {

struct DaemonOptions {
    engine::NetworkOptions network;  // -c, --state-dir, --root, the resolver writers
    std::filesystem::path runtime_dir = "/run/nodenet";
    std::filesystem::path ready_file;    // written (atomically) when ready; empty: none
    int ready_timeout = 0;               // seconds; declare ready anyway, naming what is missing
    bool correct_drift = true;           // --drift correct|report
    bool release_on_stop = false;        // DHCP RELEASE on SIGTERM (else the leases stay)
    std::optional<gid_t> control_group;  // may change things through the control socket
    bool status_readable = false;        // anyone may read status and events
    int netlink_receive_buffer = 8 * 1024 * 1024;
    DriftGuard::Limits drift_limits;
    std::chrono::milliseconds settle{20};  // kernel changes are gathered this long before planning
    DiscoveryTuning discovery;
    KubeSpanTuning kubespan;
};

std::filesystem::path control_socket_path(const std::filesystem::path& runtime_dir);

// Runs until SIGTERM or SIGINT (exit 0, everything left in place). Errors at start-up (another
// daemon holds the state directory, an unreadable config, no netlink) are returned before
// anything changes.
Status run_daemon(DaemonOptions options);

}  // namespace nodenet::daemon::io
