// The command-line options of the commands that plan and apply: the config, the state directory,
// --root, the output format and the resolver writers.
#pragma once

#include <CLI/CLI.hpp>

#include "engine/network_pipeline.h"

namespace nodenet::cli {

using engine::HostOptions;
using engine::NetworkOptions;

// --resolver, --force, --default-nameservers.
void add_host_options(CLI::App& cmd, HostOptions& options);

// Adds the shared options (-c, --state-dir, --root, -o, the host options) to a subcommand.
void add_network_options(CLI::App& cmd, NetworkOptions& options);

}  // namespace nodenet::cli
