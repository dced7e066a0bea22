// `nodenet get links|addresses|routes [-o table|json|yaml]`: the kernel's state of that kind, all of
// it, as nodenet reads it. Needs no root. `nodenet get leases [--state-dir DIR] [--root DIR]`: the
// DHCP leases the client keeps in the state directory, with the time left on each.
#pragma once

#include <CLI/CLI.hpp>

namespace nodenet::cli {

// Registers the subcommand; `exit_code` receives 0, or 1 when the kernel or a lease file could not be
// read.
void add_get_command(CLI::App& app, int& exit_code);

}  // namespace nodenet::cli
