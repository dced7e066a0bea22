// What the config says about discovery, as the daemon runs it: whether it is on, the services to
// publish to and watch, and the cluster's ID and secret. Pure.
#pragma once

#include <string>
#include <vector>

#include "config/validate.h"

namespace nodenet::discovery {

inline constexpr const char* kDefaultServiceEndpoint = "https://discovery.talos.dev/";

struct ServiceSettings {
    std::string name;      // "service" for cluster.discovery.registries.service
    std::string endpoint;  // as written, or the default

    bool operator==(const ServiceSettings&) const = default;
};

struct DiscoverySettings {
    bool enabled = false;                   // cluster.discovery.enabled
    std::vector<ServiceSettings> services;  // empty when the service registry is disabled
    std::string cluster_id, cluster_secret;
    // What the config asks that nodenet does not do (the Kubernetes registry), for the log. Not
    // diagnostics of `validate`, which reports exactly what Talos reports.
    std::vector<std::string> warnings;

    bool operator==(const DiscoverySettings&) const = default;
    bool publishes() const { return enabled && !services.empty(); }
};

// Talos's defaults: discovery is off unless `cluster.discovery.enabled: true`; the service registry
// is on unless disabled, at https://discovery.talos.dev/ unless another endpoint is given.
DiscoverySettings discovery_settings(const config::Config& config);

}  // namespace nodenet::discovery
