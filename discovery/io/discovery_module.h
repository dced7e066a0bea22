// The module nodenet-discovery.so (common/module.h): the discovery service's client and server, with
// what they alone need (grpc++, libprotobuf, OpenSSL). Loaded by the daemon when the config enables
// discovery and by `nodenet discovery-server`; no other command maps it.
#pragma once

#include <cstdint>
#include <memory>

#include "common/result.h"
#include "discovery/server_options.h"
#include "discovery/service_client.h"

namespace nodenet::discovery {

struct DiscoveryModule {
    static constexpr char kName[] = "discovery";
    static constexpr uint32_t kVersion = 2;  // bumped on every change of this struct or the types it carries

    // A client of one service; it starts connecting at once. Errors: bad options (endpoint, key).
    Result<std::unique_ptr<ServiceClient>> (*make_client)(const ClientOptions& options);

    // Runs the server until SIGINT or SIGTERM; the exit status of the command. Messages go to stderr.
    int (*run_server)(const ServerOptions& options);
};

}  // namespace nodenet::discovery
