#include "kubespan/peer_status.h"

#include <algorithm>

namespace nodenet::kubespan {

const char* peer_state_name(PeerState state) {
    switch (state) {
        case PeerState::Up: return "up";
        case PeerState::Down: return "down";
        case PeerState::Unknown: break;
    }
    return "unknown";
}

PeerState peer_state(const PeerStatus& status, TimePoint now, const PeerTimers& timers) {
    auto since_handshake = now - status.last_handshake;
    auto since_change = now - status.last_endpoint_change;
    bool handshake_after_change = status.last_handshake > status.last_endpoint_change;
    PeerState state;
    if (since_change > timers.down_interval) {
        state = since_handshake < timers.down_interval ? PeerState::Up : PeerState::Down;
    } else if (since_change < timers.connection_timeout) {
        state = handshake_after_change ? PeerState::Up : PeerState::Unknown;
    } else {
        state = handshake_after_change ? PeerState::Up : PeerState::Down;
    }
    if (state == PeerState::Down && !status.last_used_endpoint) state = PeerState::Unknown;
    return state;
}

namespace {

// Talos's PickNewEndpoint; nullopt when there is nothing (new) to pick.
std::optional<discovery::Endpoint> pick_endpoint(const PeerStatus& status, const std::vector<discovery::Endpoint>& endpoints) {
    if (endpoints.empty()) return std::nullopt;
    if (!status.last_used_endpoint) return endpoints.front();
    auto it = std::find(endpoints.begin(), endpoints.end(), *status.last_used_endpoint);
    // -1 when the last used endpoint left the list: the next is then index 0.
    long index = it == endpoints.end() ? -1 : it - endpoints.begin();
    // A peer with one endpoint that WireGuard already uses: nothing to rotate to.
    if (endpoints.size() == 1 && index == 0 && status.endpoint == status.last_used_endpoint) return std::nullopt;
    return endpoints[static_cast<size_t>(index + 1) % endpoints.size()];
}

}  // namespace

EndpointUpdate rotate_endpoint(PeerStatus& status, const PeerSpec& spec, const std::optional<Observed>& observed,
                               TimePoint now, const PeerTimers& timers) {
    status.label = spec.label;
    if (observed) {
        status.endpoint = observed->endpoint;
        status.last_handshake = observed->last_handshake;
        status.rx_bytes = observed->rx;
        status.tx_bytes = observed->tx;
    }
    status.state = peer_state(status, now, timers);

    EndpointUpdate update;
    if (status.state == PeerState::Down || !status.last_used_endpoint) {
        if (auto next = pick_endpoint(status, spec.endpoints)) {
            status.endpoint = next;
            status.last_used_endpoint = next;
            status.last_endpoint_change = now;
            status.state = PeerState::Unknown;
            update.rotated = true;
        }
    }
    update.set = endpoint_to_set(status);
    if (update.set) status.endpoint = update.set;
    return update;
}

std::optional<discovery::Endpoint> endpoint_to_set(const PeerStatus& status) {
    if (!status.last_used_endpoint) return std::nullopt;
    if (status.endpoint && status.endpoint != status.last_used_endpoint) return std::nullopt;  // roamed
    return status.last_used_endpoint;
}

}  // namespace nodenet::kubespan
