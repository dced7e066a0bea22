// The WireGuard peers of the mesh, from the cluster's merged affiliates (Talos's PeerSpecController).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "discovery/affiliate.h"

namespace nodenet::kubespan {

struct PeerSpec {
    std::string public_key;  // base64; the peer's identity on the device
    std::string node_id;
    std::string label;       // the affiliate's nodename, for logs
    std::vector<state::IpPrefix> allowed_ips;  // normalised (PrefixSet::prefixes()): IPv4 first, merged
    std::vector<discovery::Endpoint> endpoints;  // as the affiliate publishes them, in order

    bool operator==(const PeerSpec&) const = default;
};

struct PeerSpecs {
    std::vector<PeerSpec> peers;        // in node-ID order
    std::vector<std::string> warnings;  // overlaps resolved, affiliates left out
};

// Talos's rules (reference §3.4), in node-ID order:
// - the node itself and affiliates without a KubeSpan public key are not peers; nor, with a warning,
//   one without a KubeSpan address (Talos's IP set builder fails on it) or whose public key is taken
//   by an earlier affiliate (the device keys peers by public key);
// - allowed IPs = the affiliate's additional addresses (its pod CIDRs) + its node addresses as
//   /32 or /128 − its excludeAdvertisedNetworks, then + its KubeSpan address /128;
// - where a peer's set overlaps what an earlier peer got, the overlap is removed from the later peer,
//   with a warning naming both nodes and the prefixes: the node ID that sorts first wins.
PeerSpecs peer_specs(const std::vector<discovery::Affiliate>& merged_affiliates, std::string_view own_node_id);

}  // namespace nodenet::kubespan
