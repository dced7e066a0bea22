// What the node publishes about its KubeSpan in its affiliate (Talos's LocalAffiliateController):
// the endpoints peers may reach it at, and its KubeSpan part.
#pragma once

#include <optional>
#include <vector>

#include "common/result.h"
#include "discovery/affiliate.h"
#include "kubespan/kubespan_identity.h"
#include "kubespan/kubespan_settings.h"

namespace nodenet::kubespan {

// Talos's order of steps (reference §3.5):
// 1. the node's current addresses (NodeAddresses::current, one per address), minus its own KubeSpan
//    address and SideroLink ULAs (Talos's IsULA with purpose 0x03: byte 0 = 0xfd, byte 7 = 0x03);
// 2. the public IP the discovery service reported, appended when not already there;
// 3. the endpoint filters, when configured (endpoint_filter.h);
// 4. port 51820 on each;
// 5. the extra announced endpoints appended, without duplicates, and NOT filtered.
// Fails only when a filter rule does not parse (config validation refuses such a config first).
Result<std::vector<discovery::Endpoint>> announced_endpoints(const std::vector<state::IpPrefix>& current_node_addresses,
                                                              const std::optional<state::IpAddress>& kubespan_ip,
                                                              const std::optional<state::IpAddress>& public_ip_from_service,
                                                              const KubeSpanSettings& settings);

// The KubeSpan part of the node's affiliate: its public key and address; its pod CIDRs as
// additional addresses only when advertiseKubernetesNetworks is on; the networks it asks peers
// not to route to it (excludeAdvertisedNetworks, a sender-side setting the receivers honour); and
// the endpoints from announced_endpoints().
discovery::KubeSpanPart local_kubespan_part(const Identity& identity, const KubeSpanSettings& settings,
                                            const std::vector<state::IpPrefix>& pod_cidrs,
                                            std::vector<discovery::Endpoint> endpoints);

}  // namespace nodenet::kubespan
