// What the config says about KubeSpan, as the daemon runs it (Talos's kubespan.ConfigSpec): whether
// it is on, the cluster identity it keys its addresses and preshared key on, and its options. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/validate.h"
#include "discovery/affiliate.h"
#include "kubespan/constants.h"
#include "wireguard/key.h"

namespace nodenet::kubespan {

struct KubeSpanSettings {
    // KubeSpan is asked for and can run: the config enables it and a discovery identity exists.
    bool enabled = false;
    std::string cluster_id;
    std::string cluster_secret;        // base64, as written
    wireguard::Key preshared_key;      // the cluster secret decoded: every peer pair's WireGuard PSK
    bool force_routing = true;         // !allowDownPeerBypass
    bool advertise_kubernetes_networks = false;
    bool harvest_extra_endpoints = false;
    uint32_t mtu = kDefaultMtu;
    // Nullopt: no filtering (the key is absent); an empty list filters every address out.
    std::optional<std::vector<std::string>> endpoint_filters;
    std::vector<discovery::Endpoint> extra_endpoints;          // KubeSpanEndpointsConfig, in order
    std::vector<state::IpPrefix> exclude_advertised_networks;  // as written (host bits kept)
    // Why KubeSpan stays off although asked for, or what of its config is not used; for the log.
    std::vector<std::string> warnings;

    bool operator==(const KubeSpanSettings&) const = default;
};

// machine.network.kubespan (v1alpha1) or a KubeSpanConfig document (Talos 1.13; the two conflict,
// so one is read), extraAnnouncedEndpoints from KubeSpanEndpointsConfig, and the cluster identity
// as discovery_settings() resolves it (DiscoveryIdentityConfig, else .cluster.id/.cluster.secret).
// Talos's rule: no KubeSpan without both an ID and a secret. nodenet adds one: the secret must be
// the base64 of 32 bytes, since it becomes the WireGuard preshared key (Talos would fail to
// configure the link instead).
KubeSpanSettings kubespan_settings(const config::Config& config);

}  // namespace nodenet::kubespan
