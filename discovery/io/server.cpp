#include "discovery/io/server.h"

#include <cstdio>

namespace nodenet::discovery {

int run_discovery_server(const ServerOptions&) {
    std::fprintf(stderr, "nodenet discovery-server: not built yet\n");
    return 1;
}

}  // namespace nodenet::discovery
