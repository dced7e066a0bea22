// `nodenet daemon` and the commands that talk to it: `status`, `events`, `wait-online`.
#pragma once

#include <filesystem>

#include <CLI/CLI.hpp>

namespace nodenet::cli {

void add_daemon_command(CLI::App& app, int& exit_code);
void add_status_command(CLI::App& app, int& exit_code);
void add_events_command(CLI::App& app, int& exit_code);
void add_wait_online_command(CLI::App& app, int& exit_code);

// Where the daemon's control socket is: --runtime-dir, else $NODENET_RUNTIME_DIR, else /run/nodenet.
std::filesystem::path default_runtime_dir();

}  // namespace nodenet::cli
