#include "kubespan/kubespan_settings.h"

#include "config/go_syntax.h"
#include "discovery/discovery_settings.h"

namespace nodenet::kubespan {

namespace {

// The KubeSpan section in use: v1alpha1's, else the first KubeSpanConfig document.
const config::KubeSpan* kubespan_section(const config::Config& config) {
    if (config.machine && config.machine->network && config.machine->network->kubespan)
        return &*config.machine->network->kubespan;
    if (!config.kubespan.empty()) return &config.kubespan.front().spec.spec;
    return nullptr;
}

// netip.ParseAddrPort, as Talos decodes extraAnnouncedEndpoints; what nodenet cannot publish (a
// zone, port 0) is left out with a warning.
void add_extra_endpoint(const config::Text& text, KubeSpanSettings& s) {
    const std::string& v = text.value;
    auto skip = [&](const std::string& why) {
        s.warnings.push_back(text.src.path + ": extra announced endpoint " + config::go::quote(v) + " is not used: " + why);
    };
    if (v.empty()) return skip("empty");
    auto hp = config::go::split_host_port(v);
    if (!hp.ok()) return skip(hp.error());
    auto addr = config::go::parse_addr(hp->first);
    if (!addr.ok()) return skip(addr.error());
    if (!addr->zone.empty()) return skip("an address with a zone cannot be announced");
    if (hp->second.empty() || hp->second.size() > 5 || hp->second.find_first_not_of("0123456789") != std::string::npos)
        return skip("invalid port");
    unsigned long port = std::stoul(hp->second);
    if (port == 0 || port > 65535) return skip("port out of range 1-65535");
    discovery::Endpoint e;
    e.ip.family = addr->v6 ? state::Family::V6 : state::Family::V4;
    e.ip.bytes = addr->bytes;
    e.port = static_cast<uint16_t>(port);
    s.extra_endpoints.push_back(e);
}

void read_section(const config::KubeSpan& k, KubeSpanSettings& s) {
    s.force_routing = !config::is_true(k.allow_down_peer_bypass);
    s.advertise_kubernetes_networks = config::is_true(k.advertise_kubernetes_networks);
    s.harvest_extra_endpoints = config::is_true(k.harvest_extra_endpoints);
    s.mtu = k.mtu.value == 0 ? kDefaultMtu : k.mtu.value;
    if (k.filters.endpoints.present) {
        s.endpoint_filters.emplace();
        for (const config::Text& f : k.filters.endpoints.items) s.endpoint_filters->push_back(f.value);
    }
    for (const config::Text& n : k.filters.exclude_advertised_networks.items) {
        auto p = config::go::parse_prefix(n.value);
        if (!p.ok()) {
            s.warnings.push_back(n.src.path + ": excluded network is not used: " + p.error());
            continue;
        }
        state::IpPrefix prefix;
        prefix.addr.family = p->addr.v6 ? state::Family::V6 : state::Family::V4;
        prefix.addr.bytes = p->addr.bytes;
        prefix.len = static_cast<uint8_t>(p->bits);
        s.exclude_advertised_networks.push_back(prefix);
    }
}

}  // namespace

KubeSpanSettings kubespan_settings(const config::Config& config) {
    KubeSpanSettings s;
    const config::KubeSpan* k = kubespan_section(config);
    if (!k || !config::is_true(k->enabled)) return s;
    read_section(*k, s);
    for (const auto& d : config.kubespan_endpoints)
        for (const config::Text& e : d.spec.extra_announced_endpoints.items) add_extra_endpoint(e, s);

    discovery::DiscoverySettings discovery = discovery::discovery_settings(config);
    s.cluster_id = discovery.cluster_id;
    s.cluster_secret = discovery.cluster_secret;
    if (s.cluster_id.empty() || s.cluster_secret.empty()) {
        s.warnings.push_back(std::string("KubeSpan is enabled but stays off: it needs the cluster's ") +
                             (s.cluster_id.empty() && s.cluster_secret.empty() ? "ID and secret"
                              : s.cluster_id.empty()                           ? "ID"
                                                                               : "secret") +
                             " (.cluster.id/.cluster.secret or a DiscoveryIdentityConfig document)");
        return s;
    }
    auto psk = wireguard::parse_key_base64(s.cluster_secret);
    if (!psk.ok()) {
        s.warnings.push_back("KubeSpan is enabled but stays off: the cluster secret is its WireGuard preshared key "
                             "and must be the base64 of 32 bytes (" + psk.error() + ")");
        return s;
    }
    s.preshared_key = *psk;
    s.enabled = true;
    return s;
}

}  // namespace nodenet::kubespan
