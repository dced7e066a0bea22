// The synthetic Talos node the benchmark programs publish (bench/discovery_load.cpp,
// bench/kubespan_publish.cpp): one shape, so that the discovery and KubeSpan benchmarks load the
// service and the daemon with the same affiliates.
#pragma once

#include <string>

#include "discovery/affiliate.h"

namespace nodenet::bench {

// Affiliate i of a cluster as a Talos node with KubeSpan publishes it: node addresses 10.200.x.y
// and 2001:db8::(i+1), names, the OS, `public_key` (WireGuard, base64), a ULA KubeSpan address, a
// /26 pod CIDR in 10.244.0.0/16, and `endpoints` endpoints (1: the IPv4 address, 2: and the IPv6
// one) on port 51820; the first three are control planes. Sealed, about 300 bytes of data.
discovery::Affiliate synthetic_affiliate(int i, const std::string& id, const std::string& public_key, int endpoints = 2);

}  // namespace nodenet::bench
