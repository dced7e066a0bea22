// What the config says about discovery, as the daemon runs it: whether it is on, the services to
// publish to and watch, and the cluster's ID and secret. Pure.
#pragma once

#include <string>
#include <vector>

#include "config/validate.h"

namespace nodenet::discovery {

inline constexpr const char* kDefaultServiceEndpoint = "https://discovery.talos.dev/";

struct ServiceSettings {
    std::string name;      // the DiscoveryServiceConfig's name; "service" for cluster.discovery.registries.service
    std::string endpoint;  // as written, or the default (legacy section only)

    bool operator==(const ServiceSettings&) const = default;
};

struct DiscoverySettings {
    bool enabled = false;                   // cluster.discovery.enabled, or any DiscoveryServiceConfig
    std::vector<ServiceSettings> services;  // in document order; empty when the service registry is disabled
    std::string cluster_id, cluster_secret;  // DiscoveryIdentityConfig, else .cluster.id/.cluster.secret
    // What the config asks that nodenet does not do (the Kubernetes registry), for the log. Not
    // diagnostics of `validate`, which reports exactly what Talos reports.
    std::vector<std::string> warnings;

    bool operator==(const DiscoverySettings&) const = default;
    bool publishes() const { return enabled && !services.empty(); }
};

// Talos 1.14: DiscoveryServiceConfig documents, when present, are the services (discovery is then
// on) and a DiscoveryIdentityConfig, when present, the identity. Otherwise the v1alpha1 defaults:
// discovery is off unless `cluster.discovery.enabled: true`; the service registry is on unless
// disabled, at https://discovery.talos.dev/ unless another endpoint is given.
DiscoverySettings discovery_settings(const config::Config& config);

}  // namespace nodenet::discovery
