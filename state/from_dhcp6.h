// A DHCPv6 lease as the operator layer of the desired state, like specs_from_dhcp4: the leased
// address as a /128 (the on-link prefix and the default route come from router advertisements,
// not from DHCPv6) with the lease's remaining lifetimes, the link up, and its DNS servers and domains.
#pragma once

#include <string>

#include "dhcp/dhcp6_lease.h"
#include "state/layers.h"

namespace nodenet::state {

LayeredSpecs specs_from_dhcp6(const std::string& link, const dhcp::v6::Lease& lease, uint32_t route_metric,
                              dhcp::TimePoint now);

}  // namespace nodenet::state
