// The pure KubeSpan manager (Talos's ManagerController without its I/O): from the settings, the
// identity, the peers and their statuses, the objects KubeSpan wants in the kernel, as operator-layer
// specs for the merge (state/layers.h), and the routed set for nftables.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kubespan/kubespan_identity.h"
#include "kubespan/kubespan_settings.h"
#include "kubespan/peer_spec.h"
#include "kubespan/peer_status.h"
#include "kubespan/routed_set.h"
#include "state/layers.h"

namespace nodenet::kubespan {

struct MeshInput {
    const KubeSpanSettings& settings;  // enabled, with its preshared key
    const Identity& identity;          // with its address (with_address())
    const std::vector<PeerSpec>& peers;
    const std::map<std::string, PeerStatus>& statuses;  // by public key, after rotate_endpoint()
};

struct Mesh {
    state::LayeredSpecs specs;
    RoutedSet routed;
};

// At Layer::Operator, origin source "kubespan" (reference §3.2):
// - link `kubespan`: WireGuard, up, MTU = settings.mtu; private key, listen port 51820, fwmark 0x20;
//   one peer per PeerSpec: public key, preshared key = the cluster secret, keepalive 25 s, its
//   allowed IPs, and an endpoint only where endpoint_to_set() gives one;
// - address `<KubeSpan address>/64` on `kubespan`;
// - table 180: a default route per family via `kubespan`, metric 1, MTU = settings.mtu;
// - rules, IPv4 and IPv6: fwmark 0x40/0x60 lookup 180, priority 32500.
// A peer whose public key is not a WireGuard key, or an identity without an address, is left out
// with a warning in specs.warnings.
Mesh build_mesh(const MeshInput& input);

}  // namespace nodenet::kubespan
