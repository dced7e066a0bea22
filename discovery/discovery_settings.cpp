#include "discovery/discovery_settings.h"

namespace nodenet::discovery {

DiscoverySettings discovery_settings(const config::Config& config) {
    DiscoverySettings s;
    if (!config.machine) return s;
    const config::MachineConfig& m = *config.machine;
    s.cluster_id = m.cluster_id.value;
    s.cluster_secret = m.cluster_secret.value;
    if (!m.discovery || !config::is_true(m.discovery->enabled)) return s;
    s.enabled = true;
    if (!config::is_true(m.discovery->kubernetes_disabled))
        s.warnings.push_back("cluster.discovery.registries.kubernetes is enabled, but nodenet does not implement the "
                             "Kubernetes registry (deprecated by Talos, incompatible with Kubernetes 1.32+); only the "
                             "discovery service is used");
    if (!config::is_true(m.discovery->service_disabled)) {
        const std::string& endpoint = m.discovery->service_endpoint.value;
        s.services.push_back({"service", endpoint.empty() ? kDefaultServiceEndpoint : endpoint});
    }
    return s;
}

}  // namespace nodenet::discovery
