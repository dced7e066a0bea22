// The client side of the control socket, for `nodenet status`, `events`, `wait-online`, `apply`
// and `confirm`: connect, send one request, hand every answer line to the caller, return the
// exit status the daemon chose.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/unique_fd.h"
#include "daemon/control_protocol.h"

namespace nodenet::daemon::io {

class ControlClient {
public:
    // Error when no daemon listens there (no socket, or nobody accepting).
    static Result<ControlClient> connect(const std::filesystem::path& socket);
    static bool daemon_listening(const std::filesystem::path& socket);
    // Until a daemon listens at `socket` (true) or the deadline passes (false); woken by inotify
    // when the socket or its directory appears, not by a polling interval: `wait-online` started
    // before the daemon returns the moment it can ask.
    static bool wait_until_listening(const std::filesystem::path& socket,
                                     std::optional<std::chrono::steady_clock::time_point> deadline);

    // Sends `request` (and `payload`, the apply's config), then calls `on_line` for each answer line
    // until {"exit": N}; returns N. `deadline`: give up then (wait-online's --timeout).
    Result<int> call(const Request& request, const std::string& payload,
                     const std::function<void(const nlohmann::ordered_json&)>& on_line,
                     std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

private:
    explicit ControlClient(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

}  // namespace nodenet::daemon::io
