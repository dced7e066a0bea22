// The destinations whose packets KubeSpan forces into the tunnel (the nftables sets of the
// kubespan_prerouting and kubespan_outgoing chains, reference §3.2).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kubespan/peer_spec.h"
#include "kubespan/peer_status.h"

namespace nodenet::kubespan {

struct RoutedSet {
    std::vector<state::IpPrefix> v4, v6;  // normalised: merged, sorted, masked

    bool operator==(const RoutedSet&) const = default;
};

// The union of the peers' allowed IPs, without KubeSpan ULAs (is_kubespan_ula() of the prefix's
// address: those are reached through the kubespan link's own /64). A peer counts when routing is
// forced (allowDownPeerBypass off, the default: traffic to a down peer is still forced in and
// dropped, the secure choice) or when its state is up; `statuses` is keyed by public key, and a
// peer without a status is not up.
RoutedSet routed_set(const std::vector<PeerSpec>& peers, const std::map<std::string, PeerStatus>& statuses,
                     bool force_routing);

}  // namespace nodenet::kubespan
