// `nodenet plan` and `nodenet apply`: the difference between config and kernel, and making it so.
#pragma once

#include <CLI/CLI.hpp>

namespace nodenet::cli {

// plan: exit 0 in sync, 2 changes pending, 1 error. Reading needs no root.
void add_plan_command(CLI::App& app, int& exit_code);
// apply: exit 0 applied (or nothing to do), 1 error (nothing changed, or rolled back).
void add_apply_command(CLI::App& app, int& exit_code);
// confirm: keeps the change of a pending `apply --confirm-timeout`.
void add_confirm_command(CLI::App& app, int& exit_code);

}  // namespace nodenet::cli
