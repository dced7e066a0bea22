#include "kubespan/routed_set.h"

#include "kubespan/kubespan_address.h"
#include "kubespan/prefix_set.h"

namespace nodenet::kubespan {

RoutedSet routed_set(const std::vector<PeerSpec>& peers, const std::map<std::string, PeerStatus>& statuses,
                     bool force_routing) {
    PrefixSet set;
    for (const PeerSpec& peer : peers) {
        auto status = statuses.find(peer.public_key);
        bool up = status != statuses.end() && status->second.state == PeerState::Up;
        if (!force_routing && !up) continue;
        for (const state::IpPrefix& p : peer.allowed_ips)
            if (!is_kubespan_ula(p.addr)) set.add(p);
    }
    return {set.prefixes(state::Family::V4), set.prefixes(state::Family::V6)};
}

}  // namespace nodenet::kubespan
