// KubeSpan's endpoint filters (machine.network.kubespan.filters.endpoints), with the semantics of
// siderolabs/net FilterIPs, which Talos applies to the addresses a node announces:
// - the rules run in order, starting from an EMPTY result;
// - a CIDR or a bare IP adds every input address it contains that is not there yet, in input order;
// - "!CIDR" removes the addresses it contains from what the earlier rules added;
// - so the output follows the rules, not the input, and a list of negations alone keeps nothing
//   (write "0.0.0.0/0", "::/0", "!192.168.0.0/16" to exclude one network).
// Families never mix (netip.Prefix.Contains): 0.0.0.0/0 does not match ::ffff:10.0.0.1.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "state/ip.h"

namespace nodenet::kubespan {

struct FilterRule {
    state::IpPrefix network;
    bool negated = false;
};

// Each rule through siderolabs/net ParseSubnetOrAddress (netip.ParsePrefix, else netip.ParseAddr as
// a full-length prefix; one leading '!' negates). The error names the rule and quotes Go's reason:
// `endpoint filter 2 "10": failed to parse subnet: netip.ParsePrefix("10"): no '/'`.
Result<std::vector<FilterRule>> parse_endpoint_filter(const std::vector<std::string>& rules);

std::vector<state::IpAddress> filter_ips(const std::vector<state::IpAddress>& ips, const std::vector<FilterRule>& rules);

// Both steps; a rule that does not parse fails the whole filter, as in Talos.
Result<std::vector<state::IpAddress>> filter_ips(const std::vector<state::IpAddress>& ips,
                                                 const std::vector<std::string>& rules);

}  // namespace nodenet::kubespan
