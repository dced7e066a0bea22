// A DHCP lease as nodenet shows it: `nodenet dhcp --once` (text or JSON) and `nodenet get leases`.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "dhcp/dhcp4_lease.h"
#include "dhcp/dhcp6_lease.h"

namespace nodenet::cli {

// {interface, address, server, routes: [{destination, gateway}], dns, search, domain, hostname,
// mtu, ntp, broadcast, lease_seconds, t1_seconds, t2_seconds}; absent values are null, an on-link
// route has a null gateway, and the three times are null for an infinite lease.
nlohmann::ordered_json lease_json(const std::string& iface, const dhcp::Lease& lease);

// One "field: value" line per field, "-" for absent values. Names from the network are shown with
// anything but printable ASCII replaced by '?', so a server cannot send terminal escapes.
std::string lease_text(const std::string& iface, const dhcp::Lease& lease);

// {interface, address, server (DUID), dns, search, preferred_seconds, valid_seconds, t1_seconds,
// t2_seconds}; a time is null when infinite.
nlohmann::ordered_json lease6_json(const std::string& iface, const dhcp::v6::Lease& lease);
std::string lease6_text(const std::string& iface, const dhcp::v6::Lease& lease);

// "10.99.0.0/16 via 10.77.0.254", "default via 10.77.0.1", "10.0.0.0/8 on-link"
std::string route_text(const dhcp::ClasslessRoute& route);

// The time left on a lease: "1h2m", "45s", "expired"; "never" for nullopt (an infinite lease).
std::string remaining_text(std::optional<std::chrono::seconds> remaining);

}  // namespace nodenet::cli
