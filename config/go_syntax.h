// The Go standard-library parsers that Talos's validation leans on, re-implemented so that the same
// text is accepted or rejected and the same error text comes back. Semantics follow Go >= 1.22
// (net, net/netip, net/url, encoding/base64, time, strconv) and siderolabs/net.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

namespace nodenet::config::go {

struct Ip {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // IPv4 in bytes[0..3]
    std::string zone;                 // IPv6 only; empty when none
};

struct Prefix {
    Ip addr;   // as written: host bits are kept
    int bits = 0;
};

// net.ParseIP: netip.ParseAddr without zones. "::ffff:1.2.3.4" is v6 here.
std::optional<Ip> parse_ip(std::string_view s);

// net.ParseCIDR: split at the first '/', bits are decimal digits (leading zeros allowed).
std::optional<Prefix> parse_cidr(std::string_view s);

// netip.ParsePrefix, with Go's error texts (`netip.ParsePrefix("x"): ...`).
Result<Prefix> parse_prefix(std::string_view s);

// netip.ParseAddr, with Go's error texts (`ParseAddr("x"): ...`). IPv6 zones are accepted.
Result<Ip> parse_addr(std::string_view s);

// siderolabs/net ParseSubnetOrAddress: a prefix, else an address (zones allowed).
bool parse_subnet_or_address(std::string_view s);

// Talos validateIPOrCIDR; nullopt when valid, else the error text.
std::optional<std::string> validate_ip_or_cidr(std::string_view s);

// net.SplitHostPort with Go's AddrError texts (`address x: missing port in address`).
Result<std::pair<std::string, std::string>> split_host_port(std::string_view s);

// siderolabs/net AddressContainsPort.
bool address_contains_port(std::string_view s);

// base64.StdEncoding.DecodeString (`illegal base64 data at input byte N`).
Result<std::string> base64_std_decode(std::string_view s);

// Talos's wireguard key check; nullopt when valid, else the error text.
std::optional<std::string> check_wireguard_key(std::string_view key);

// url.ParseRequestURI; the URL's unescaped path on success, `parse "<s>": <reason>` on failure.
Result<std::string> parse_request_uri(std::string_view s);

// What Talos reads of a url.Parse result: the scheme (lower-cased, as Go stores it) and
// URL.Hostname() (the host without port or IPv6 brackets, unescaped).
struct Url {
    std::string scheme;
    std::string hostname;
};

// url.Parse (a reference may be relative, a fragment is allowed); `parse "<s>": <reason>` on failure.
Result<Url> parse_url(std::string_view s);

// time.ParseDuration, in nanoseconds.
Result<int64_t> parse_duration(std::string_view s);

// strconv.Quote (%q).
std::string quote(std::string_view s);

// netip.Addr.String: dotted quad, RFC 5952 IPv6, "::ffff:a.b.c.d" for 4-in-6, "%zone" appended.
std::string format_ip(const Ip& ip);

}  // namespace nodenet::config::go
