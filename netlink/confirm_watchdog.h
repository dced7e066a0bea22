// `apply --confirm-timeout`: a detached process that undoes the apply unless `nodenet confirm`
// stops it in time. It runs in a session of its own with no terminal, so neither the end of the
// apply process nor a lost SSH session stops it; only `nodenet confirm` (or the revert) does.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "common/result.h"

namespace nodenet::netlink {

// Forks the watchdog, which records its pid in `pid_file` and, unless confirmed within `timeout`,
// calls `revert` (in the watchdog process, with everything the apply knew) and logs what it says.
// Returns once the watchdog runs.
Status start_confirm_watchdog(const std::function<std::string()>& revert, std::chrono::seconds timeout,
                              const std::filesystem::path& pid_file, const std::filesystem::path& log_file);

// Stops a pending watchdog: the apply stays. An error when none is pending.
Status confirm(const std::filesystem::path& pid_file);

// True while a watchdog of `pid_file` is waiting.
bool confirm_pending(const std::filesystem::path& pid_file);

}  // namespace nodenet::netlink
