#include "discovery/discovery_settings.h"

namespace nodenet::discovery {

namespace {

// The legacy v1alpha1 .cluster.discovery section: one service, "service", at its endpoint or the default.
void add_legacy_discovery(const config::MachineConfig& m, DiscoverySettings& s) {
    if (!m.discovery || !config::is_true(m.discovery->enabled)) return;
    s.enabled = true;
    if (!config::is_true(m.discovery->kubernetes_disabled))
        s.warnings.push_back("cluster.discovery.registries.kubernetes is enabled, but nodenet does not implement the "
                             "Kubernetes registry (deprecated by Talos, incompatible with Kubernetes 1.32+); only the "
                             "discovery service is used");
    if (!config::is_true(m.discovery->service_disabled)) {
        const std::string& endpoint = m.discovery->service_endpoint.value;
        s.services.push_back({"service", endpoint.empty() ? kDefaultServiceEndpoint : endpoint});
    }
}

}  // namespace

DiscoverySettings discovery_settings(const config::Config& config) {
    DiscoverySettings s;
    const config::MachineConfig* m = config.machine ? &*config.machine : nullptr;
    if (!config.discovery_identities.empty()) {
        const config::DiscoveryIdentityDoc& identity = config.discovery_identities.front().spec;
        s.cluster_id = identity.cluster_id.value;
        s.cluster_secret = identity.cluster_secret.value;
    } else if (m) {
        s.cluster_id = m->cluster_id.value;
        s.cluster_secret = m->cluster_secret.value;
    }
    // Talos 1.14: each DiscoveryServiceConfig document is a service in use; there is no separate
    // switch. They conflict with .cluster.discovery (a validation error), so one source is read.
    if (!config.discovery_services.empty()) {
        s.enabled = true;
        for (const auto& d : config.discovery_services) s.services.push_back({d.spec.name.value, d.spec.endpoint.value});
        return s;
    }
    if (m) add_legacy_discovery(*m, s);
    return s;
}

}  // namespace nodenet::discovery
