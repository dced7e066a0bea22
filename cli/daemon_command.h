// `nodenet daemon` and the commands that talk to it: `status`, `events`, `wait-online`.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "daemon/control_protocol.h"

namespace nodenet::cli {

void add_daemon_command(CLI::App& app, int& exit_code);
void add_status_command(CLI::App& app, int& exit_code);
void add_events_command(CLI::App& app, int& exit_code);
void add_wait_online_command(CLI::App& app, int& exit_code);
void add_leave_command(CLI::App& app, int& exit_code);

// Prints a daemon's answer line meant for people: {"out"} to stdout, {"diag"} (a config's
// diagnostics, compiler style) and {"err"} (with "nodenet: ") to stderr. False for other lines.
bool print_daemon_line(const nlohmann::ordered_json& line);

// Sends one request to the daemon of `runtime_dir` and prints its answers for people
// (print_daemon_line); other lines go to `on_other`. The daemon's exit status, or 1 when it cannot
// be reached or does not answer by `deadline`.
int call_daemon(const std::filesystem::path& runtime_dir, const daemon::Request& r, const std::string& payload,
                const std::function<void(const nlohmann::ordered_json&)>& on_other = [](const nlohmann::ordered_json&) {},
                std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

// Where the daemon's control socket is: --runtime-dir, else $NODENET_RUNTIME_DIR, else /run/nodenet.
std::filesystem::path default_runtime_dir();

}  // namespace nodenet::cli
