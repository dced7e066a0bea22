// A WireGuard device run by wireguard-go, for kernels without WireGuard: what wg-quick does there.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "common/result.h"

namespace nodenet::wireguard {

// Creates the device `iface` in the calling thread's network namespace by running `program
// <iface>` (found in PATH): it creates the TUN device and its socket, <run_dir>/<iface>.sock, then
// daemonizes and exits. Returns once the daemon answers on the socket. wireguard-go always puts
// the socket in /var/run/wireguard, whatever `run_dir` says. The daemon gets a session of its own
// (a closed SSH session does not take it down) and exits when the link is deleted or its socket
// removed.
// Fails when a daemon already answers on the socket, with the program's own output when it fails,
// and when nothing answers within `timeout`.
Status start_userspace_device(const std::string& iface, const std::filesystem::path& run_dir,
                              std::chrono::milliseconds timeout, const std::string& program = "wireguard-go");

}  // namespace nodenet::wireguard
