// `nodenet get links|addresses|routes [-o table|json|yaml]`: the kernel's state of that kind, all of
// it, as nodenet reads it. Needs no root.
#pragma once

#include <CLI/CLI.hpp>

namespace nodenet::cli {

// Registers the subcommand; `exit_code` receives 0, or 1 when the kernel could not be read.
void add_get_command(CLI::App& app, int& exit_code);

}  // namespace nodenet::cli
