// `nodenet discovery-server`: a discovery service with Talos's gRPC API and semantics, run by the
// module nodenet-discovery.so (the program itself links no gRPC).
#pragma once

#include <CLI/CLI.hpp>

namespace nodenet::cli {

void add_discovery_server_command(CLI::App& app, int& exit_code);

}  // namespace nodenet::cli
