// `nodenet discovery-server`: the discovery service over grpc++ (discovery/server_options.h).
#pragma once

#include "discovery/server_options.h"

namespace nodenet::discovery {

int run_discovery_server(const ServerOptions& options);

}  // namespace nodenet::discovery
