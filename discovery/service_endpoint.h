// Where a discovery service is and how to reach it, from the config's endpoint, as Talos reads it:
// "https://discovery.talos.dev/" → TLS to discovery.talos.dev:443; "http://10.0.0.1:3000" →
// plaintext; a bare "host:port" → TLS. A path is ignored. Pure.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace nodenet::discovery {

struct ServiceEndpoint {
    std::string target;  // what gRPC dials: "host:port", "[2001:db8::1]:3000"
    bool tls = true;

    bool operator==(const ServiceEndpoint&) const = default;
};

// Errors name the endpoint and the reason ("discovery service ftp://x: scheme ftp, expected
// https:// or http://").
Result<ServiceEndpoint> parse_service_endpoint(std::string_view text);

// Where a Hello redirect sends the client: a URL is read as above; a bare "host:port" (what the
// service sends) keeps the transport of the endpoint that redirected, as Talos's client does.
Result<ServiceEndpoint> parse_redirect_endpoint(std::string_view text, const ServiceEndpoint& from);

}  // namespace nodenet::discovery
