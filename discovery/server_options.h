// `nodenet discovery-server`'s options, parsed by the command line and handed to the server in the
// module nodenet-discovery.so (discovery/io/discovery_module.h).
#pragma once

#include <chrono>
#include <string>

namespace nodenet::discovery {

struct ServerOptions {
    std::string listen = "0.0.0.0:3000";   // gRPC, as Talos's service
    std::string tls_cert_file, tls_key_file;  // both or neither; neither = plaintext
    std::string snapshot_path;             // empty = no snapshots
    std::chrono::seconds snapshot_interval{10 * 60};
    std::chrono::seconds gc_interval{60};
    std::string redirect_endpoint;         // every Hello redirects there when set
    std::string inspect_listen;            // read-only HTTP view (ADDR:PORT); empty = off
    std::string ready_file;                // written once the server listens (tests, scripts)
    // Requests per second per client IP, with a burst of four times as many (Talos: 15, burst 60);
    // 0 = no limit (a test that sends a thousand requests, a server behind a trusted proxy).
    double rate_limit = 15;
};

}  // namespace nodenet::discovery
