// A DHCPv4 lease as the operator layer of the desired state (Talos: reference §2.1), so that it
// reaches the kernel through the same plan and apply as static config, under the config's layer.
#pragma once

#include <string>

#include "dhcp/dhcp4_lease.h"
#include "state/layers.h"

namespace nodenet::state {

struct Dhcp4LayerOptions {
    uint32_t route_metric = kDefaultRouteMetric;  // also the address's prefix-route priority
    bool ignore_routes = false;                   // DHCPv4Config ignoreRoutes
    bool ignore_hostname = false;                 // DHCPv4Config ignoreHostname
};

// Seconds left until `at`, as the kernel's address lifetimes count them (never "forever").
uint32_t lifetime_until(dhcp::TimePoint at, dhcp::TimePoint now);

// The leased address with the lease's remaining time as its kernel lifetimes (so that it cannot
// outlive the lease even if nodenet dies), the link up with the lease's MTU, and the lease's
// routes with the leased address as source: classless routes, else a default route through the
// first router; a gateway outside the leased subnet gets an on-link /32 route first. Its DNS servers,
// search domains (option 119, else 15) and host name (12, with 15 as its domain) as name specs.
LayeredSpecs specs_from_dhcp4(const std::string& link, const dhcp::Lease& lease, const Dhcp4LayerOptions& options,
                              dhcp::TimePoint now);

}  // namespace nodenet::state
