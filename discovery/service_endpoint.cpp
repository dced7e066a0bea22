#include "discovery/service_endpoint.h"

#include <charconv>

#include "common/printable.h"

namespace nodenet::discovery {
namespace {

struct HostPort {
    std::string host;  // brackets kept around an IPv6 address
    std::string port;  // empty when not written
};

Result<HostPort> split_host_port(std::string_view authority) {
    HostPort out;
    if (authority.starts_with('[')) {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return Error{"an IPv6 address without its closing ]"};
        out.host = std::string(authority.substr(0, close + 1));
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) return Error{"text after the IPv6 address"};
            out.port = std::string(rest.substr(1));
            if (out.port.empty()) return Error{"an empty port"};
        }
        return out;
    }
    size_t colon = authority.find(':');
    if (colon != authority.rfind(':')) return Error{"an IPv6 address must be written in brackets: [2001:db8::1]:3000"};
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
        out.port = std::string(authority.substr(colon + 1));
        if (out.port.empty()) return Error{"an empty port"};
    }
    return out;
}

Status check_host_port(const HostPort& hp) {
    if (hp.host.empty() || hp.host == "[]") return Error{"no host"};
    for (char c : hp.host)
        if (c <= 0x20 || c >= 0x7F || c == '@' || c == '/' || c == '?' || c == '#')
            return Error{"the host contains '" + printable_ascii(std::string_view(&c, 1)) + "'"};
    if (!hp.port.empty()) {
        unsigned port = 0;
        auto [end, ec] = std::from_chars(hp.port.data(), hp.port.data() + hp.port.size(), port);
        if (ec != std::errc() || end != hp.port.data() + hp.port.size() || port == 0 || port > 65535)
            return Error{"port " + printable_ascii(hp.port, 16) + " is not a number from 1 to 65535"};
    }
    return success();
}

Result<ServiceEndpoint> parse(std::string_view text, bool bare_tls) {
    std::string_view rest = text;
    bool tls = bare_tls;
    std::string default_port = "443";
    if (size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
        std::string_view scheme = rest.substr(0, scheme_end);
        // Talos dials plaintext for http:// only and TLS on port 443 for everything else; of the
        // rest, grpc:// is the scheme Talos 1.14's DiscoveryServiceConfig also allows.
        if (scheme == "https" || scheme == "grpc") {
            tls = true;
        } else if (scheme == "http") {
            tls = false;
            default_port = "80";
        } else {
            return Error{"scheme " + printable_ascii(scheme, 16) + ", expected https://, http:// or grpc://"};
        }
        rest.remove_prefix(scheme_end + 3);
    }
    // A path (and a query) is ignored, as Talos does.
    rest = rest.substr(0, rest.find_first_of("/?#"));
    auto hp = split_host_port(rest);
    if (!hp.ok()) return Error{hp.error()};
    if (auto ok = check_host_port(*hp); !ok.ok()) return Error{ok.error()};
    return ServiceEndpoint{hp->host + ":" + (hp->port.empty() ? default_port : hp->port), tls};
}

Result<ServiceEndpoint> named(Result<ServiceEndpoint> parsed, std::string_view text) {
    if (parsed.ok()) return parsed;
    return Error{"discovery service " + printable_ascii(text, 120) + ": " + parsed.error()};
}

}  // namespace

Result<ServiceEndpoint> parse_service_endpoint(std::string_view text) {
    if (text.empty()) return Error{"discovery service: no endpoint"};
    return named(parse(text, true), text);
}

Result<ServiceEndpoint> parse_redirect_endpoint(std::string_view text, const ServiceEndpoint& from) {
    if (text.empty()) return Error{"redirect to an empty endpoint"};
    return named(parse(text, from.tls), text);
}

}  // namespace nodenet::discovery
