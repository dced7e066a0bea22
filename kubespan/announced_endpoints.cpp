#include "kubespan/announced_endpoints.h"

#include <algorithm>

#include "kubespan/constants.h"
#include "kubespan/endpoint_filter.h"
#include "kubespan/kubespan_address.h"

namespace nodenet::kubespan {

namespace {

template <class T>
void append_unique(std::vector<T>& list, const T& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

Result<std::vector<discovery::Endpoint>> announced_endpoints(const std::vector<state::IpPrefix>& current_node_addresses,
                                                              const std::optional<state::IpAddress>& kubespan_ip,
                                                              const std::optional<state::IpAddress>& public_ip_from_service,
                                                              const KubeSpanSettings& settings) {
    std::vector<state::IpAddress> ips;
    for (const state::IpPrefix& p : current_node_addresses) {
        if (kubespan_ip && p.addr == *kubespan_ip) continue;
        if (is_ula(p.addr, kUlaSideroLink)) continue;
        append_unique(ips, p.addr);
    }
    if (public_ip_from_service) append_unique(ips, *public_ip_from_service);
    if (settings.endpoint_filters) {
        auto filtered = filter_ips(ips, *settings.endpoint_filters);
        if (!filtered.ok()) return Error{"KubeSpan " + filtered.error()};
        ips = std::move(*filtered);
    }
    std::vector<discovery::Endpoint> endpoints;
    for (const state::IpAddress& ip : ips) endpoints.push_back({ip, kPort});
    for (const discovery::Endpoint& e : settings.extra_endpoints) append_unique(endpoints, e);
    return endpoints;
}

discovery::KubeSpanPart local_kubespan_part(const Identity& identity, const KubeSpanSettings& settings,
                                            const std::vector<state::IpPrefix>& pod_cidrs,
                                            std::vector<discovery::Endpoint> endpoints) {
    discovery::KubeSpanPart part;
    part.public_key = wireguard::to_base64(identity.public_key);
    if (identity.address) part.address = identity.address->addr;
    if (settings.advertise_kubernetes_networks) part.additional_addresses = pod_cidrs;
    part.exclude_advertised_networks = settings.exclude_advertised_networks;
    part.endpoints = std::move(endpoints);
    return part;
}

}  // namespace nodenet::kubespan
