// `nodenet validate`: checks config files offline; needs no root and touches nothing.
#pragma once

#include <CLI/CLI.hpp>

namespace nodenet::cli {

// Registers the subcommand; `exit_code` receives 0 (no errors), 1 (errors) or 2 (unreadable file).
void add_validate_command(CLI::App& app, int& exit_code);

}  // namespace nodenet::cli
