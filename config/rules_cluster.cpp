// KubeSpan and cluster discovery (reference §4.8, §4.9).
#include "config/go_syntax.h"
#include "config/rules.h"

namespace nodenet::config {

namespace {

constexpr uint32_t kKubeSpanDefaultMtu = 1420;
constexpr uint32_t kKubeSpanMinimumMtu = 1280;
constexpr const char* kDefaultDiscoveryEndpoint = "https://discovery.talos.dev/";

}  // namespace

void check_kubespan_filters(const KubeSpan& k, Diagnostics& out) {
    for (const Text& f : k.filters.endpoints.items) {
        std::string_view v = f.value;
        if (!v.empty() && v.front() == '!') v.remove_prefix(1);
        if (!go::parse_subnet_or_address(v))
            out.error(f.src.mark, f.src.path, "KubeSpan endpoint filter is not valid: " + go::quote(v));
    }
    for (const Text& f : k.filters.exclude_advertised_networks.items)
        if (!go::parse_prefix(f.value).ok())
            out.error(f.src.mark, f.src.path,
                      "KubeSpan exclude advertised networks filter is not valid: " + go::quote(f.value));
}

void check_kubespan(const MachineConfig& m, bool discovery_documents, Diagnostics& out) {
    if (!m.network || !m.network->kubespan || !is_true(m.network->kubespan->enabled)) return;
    const KubeSpan& k = *m.network->kubespan;
    const Source& enabled = k.enabled.src;

    uint32_t mtu = k.mtu.value == 0 ? kKubeSpanDefaultMtu : k.mtu.value;
    if (mtu < kKubeSpanMinimumMtu) out.error(k.mtu.src.mark, k.mtu.src.path, "kubespan link MTU must be at least 1280");

    // Talos v1.12/v1.13 wording; KubeSpan finds its peers through the discovery service. Each points
    // at the value to fix when it is written (`enabled: false`, `id: ""`), else at what requires it.
    // A 1.14 config (discovery documents) gets 1.14's container-level checks instead.
    if (discovery_documents) {
        check_kubespan_filters(k, out);
        return;
    }
    if (!m.discovery || !is_true(m.discovery->enabled)) {
        const Source& at = m.discovery ? where(m.discovery->enabled, m.discovery->src) : enabled;
        out.error(at.mark, "cluster.discovery.enabled",
                  ".cluster.discovery should be enabled when .machine.network.kubespan is enabled");
    }
    if (m.cluster_id->empty())
        out.error(where(m.cluster_id, enabled).mark, "cluster.id",
                  ".cluster.id should be set when .machine.network.kubespan is enabled");
    if (m.cluster_secret->empty())
        out.error(where(m.cluster_secret, enabled).mark, "cluster.secret",
                  ".cluster.secret should be set when .machine.network.kubespan is enabled");
    check_kubespan_filters(k, out);
}

void check_discovery(const Discovery& d, const MachineConfig& m, Diagnostics& out) {
    if (!is_true(d.enabled) || is_true(d.service_disabled)) return;
    const Source& enabled = where(d.enabled, d.src);
    std::string endpoint = d.service_endpoint->empty() ? kDefaultDiscoveryEndpoint : d.service_endpoint.value;
    const Source& at = where(d.service_endpoint, enabled);
    auto path = go::parse_request_uri(endpoint);
    if (!path.ok())
        out.error(at.mark, at.path, "cluster discovery service registry endpoint is invalid: " + path.error());
    else if (!path.value().empty() && path.value() != "/")
        out.error(at.mark, at.path, "cluster discovery service path should be empty");
    if (m.cluster_id->empty())
        out.error(where(m.cluster_id, enabled).mark, "cluster.id", "cluster discovery service requires .cluster.id");
    if (m.cluster_secret->empty())
        out.error(where(m.cluster_secret, enabled).mark, "cluster.secret",
                  "cluster discovery service requires .cluster.secret");
}

}  // namespace nodenet::config
