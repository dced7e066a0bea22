// `nodenet daemon` and the commands that talk to it: `status`, `events`, `wait-online`.
#pragma once

#include <filesystem>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace nodenet::cli {

void add_daemon_command(CLI::App& app, int& exit_code);
void add_status_command(CLI::App& app, int& exit_code);
void add_events_command(CLI::App& app, int& exit_code);
void add_wait_online_command(CLI::App& app, int& exit_code);

// Prints a daemon's answer line meant for people: {"out"} to stdout, {"diag"} (a config's
// diagnostics, compiler style) and {"err"} (with "nodenet: ") to stderr. False for other lines.
bool print_daemon_line(const nlohmann::json& line);

// Where the daemon's control socket is: --runtime-dir, else $NODENET_RUNTIME_DIR, else /run/nodenet.
std::filesystem::path default_runtime_dir();

}  // namespace nodenet::cli
