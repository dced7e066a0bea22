// The client's IP as gRPC names its peer (`ipv4:1.2.3.4:5555`, `ipv6:[::1]:5555`, with the
// brackets percent-encoded by some gRPC versions): what Hello answers as client_ip and what the
// rate limiter counts by. Pure.
#pragma once

#include <string>
#include <string_view>

namespace nodenet::discovery {

// The address in network byte order, 4 or 16 bytes; empty when the peer is not an IP (unix:…)
// or cannot be read.
std::string peer_ip_bytes(std::string_view peer);

}  // namespace nodenet::discovery
