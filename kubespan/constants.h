// Talos's KubeSpan numbers, by the names Talos gives them (pkg/machinery/constants, the kubespan
// controllers and adapters), so that every number in this folder says where it comes from.
#pragma once

#include <chrono>
#include <cstdint>

namespace nodenet::kubespan {

inline constexpr const char* kLinkName = "kubespan";         // KubeSpanLinkName
inline constexpr const char* kOriginSource = "kubespan";     // Origin::source of every spec the mesh produces
inline constexpr uint16_t kPort = 51820;                     // KubeSpanDefaultPort: listen port and announced port
inline constexpr uint32_t kFirewallMark = 0x20;              // KubeSpanDefaultFirewallMark: WireGuard's own packets
inline constexpr uint32_t kForceFirewallMark = 0x40;         // KubeSpanDefaultForceFirewallMark: "send via KubeSpan"
inline constexpr uint32_t kFirewallMask = 0x60;              // KubeSpanDefaultFirewallMask: the bits KubeSpan owns
inline constexpr uint32_t kRoutingTable = 180;               // KubeSpanDefaultRoutingTable
inline constexpr uint32_t kRoutingRulePriority = 32500;      // fixed since Talos 1.13
inline constexpr uint32_t kRouteMetric = 1;                  // the default routes in table 180
inline constexpr uint16_t kPeerKeepaliveSeconds = 25;        // KubeSpanDefaultPeerKeepalive
inline constexpr uint32_t kDefaultMtu = 1420;                // KubeSpanLinkMTU
inline constexpr uint32_t kMinimumMtu = 1280;                // KubeSpanLinkMinimumMTU (checked by config validation)
inline constexpr uint8_t kKubeSpanPrefixLength = 64;         // the ULA subnet of the cluster

// Talos's ULA purposes: byte 7 of a Talos ULA (network.ULAPurpose).
inline constexpr uint8_t kUlaBootstrap = 0x01;
inline constexpr uint8_t kUlaKubeSpan = 0x02;
inline constexpr uint8_t kUlaSideroLink = 0x03;

// PeerDownInterval = 180 + 5 + 90 s: WireGuard's reject-after time, rekey timeout and rekey-attempt
// time (whitepaper §6.1); a peer without a handshake for that long is down.
inline constexpr std::chrono::seconds kPeerDownInterval{275};
// EndpointConnectionTimeout: how long a newly set endpoint gets for its first handshake.
inline constexpr std::chrono::seconds kEndpointConnectionTimeout{15};
// DefaultPeerReconcileInterval: the manager's ticker (the caller's loop runs the mesh this often).
inline constexpr std::chrono::seconds kPeerReconcileInterval{30};

}  // namespace nodenet::kubespan
