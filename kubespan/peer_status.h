// Each peer's connection state and endpoint rotation (Talos's kubespan PeerStatus adapter and the
// ManagerController's endpoint step). Pure: the time is passed in, WireGuard's view of the peer too.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "discovery/affiliate.h"
#include "kubespan/constants.h"
#include "kubespan/peer_spec.h"

namespace nodenet::kubespan {

using TimePoint = std::chrono::system_clock::time_point;

enum class PeerState { Unknown, Up, Down };

const char* peer_state_name(PeerState state);  // "unknown", "up", "down"

struct PeerStatus {
    std::string label;
    std::optional<discovery::Endpoint> endpoint;            // what WireGuard uses now (as last read or set)
    std::optional<discovery::Endpoint> last_used_endpoint;  // what KubeSpan last picked
    TimePoint last_endpoint_change{}, last_handshake{};
    uint64_t rx_bytes = 0, tx_bytes = 0;
    PeerState state = PeerState::Unknown;

    bool operator==(const PeerStatus&) const = default;
};

// Talos's two intervals; tests shorten them.
struct PeerTimers {
    std::chrono::seconds down_interval = kPeerDownInterval;                   // 275 s
    std::chrono::seconds connection_timeout = kEndpointConnectionTimeout;    // 15 s
};

// Talos's CalculateState. With T0 = the last endpoint change and H = the last handshake:
// - more than down_interval since T0: up if now − H < down_interval, else down;
// - less than connection_timeout since T0: up if H is after T0, else unknown;
// - otherwise (both bounds included): up if H is after T0, else down;
// and a peer that would be down but was never given an endpoint is unknown.
PeerState peer_state(const PeerStatus& status, TimePoint now, const PeerTimers& timers = {});

// What WireGuard reports for the peer when the device has it.
struct Observed {
    std::optional<discovery::Endpoint> endpoint;  // none until a handshake or a configured endpoint
    TimePoint last_handshake{};
    uint64_t rx = 0, tx = 0;
};

// What the pass decided about the peer's endpoint.
struct EndpointUpdate {
    // The endpoint to write into the device's peer entry; nullopt: write none, so that the device
    // keeps what it has (an endpoint it roamed to, or none when there is nothing to offer).
    std::optional<discovery::Endpoint> set;
    bool rotated = false;  // a new endpoint was picked this pass (for the log)
};

// One manager pass for one peer, in Talos's order:
// 1. the device's view, when it has the peer: endpoint (cleared when it has none), handshake, bytes;
// 2. the state, peer_state();
// 3. rotation, when the peer is down or never had an endpoint: the spec's endpoint after the last
//    used one, round robin (index 0 the first time, or when the last used one is gone from the list);
//    except that a single endpoint which WireGuard already uses is left alone. A pick sets endpoint
//    and last used endpoint, stamps the change at `now` and makes the state unknown;
// 4. the endpoint to write, endpoint_to_set(): the last used one unless WireGuard roamed elsewhere.
EndpointUpdate rotate_endpoint(PeerStatus& status, const PeerSpec& spec, const std::optional<Observed>& observed,
                               TimePoint now, const PeerTimers& timers = {});

// Talos's re-assertion rule, on a status after rotate_endpoint(): the last used endpoint when
// there is one and WireGuard has no endpoint or the same one; nullopt when WireGuard roamed to
// another endpoint (left alone) or nothing was ever picked.
std::optional<discovery::Endpoint> endpoint_to_set(const PeerStatus& status);

}  // namespace nodenet::kubespan
