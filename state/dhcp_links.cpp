#include "state/dhcp_links.h"

#include <map>

#include "dhcp/dhcp4_options.h"
#include "state/selector.h"

namespace nodenet::state {

namespace {

uint32_t metric_of(uint32_t configured) { return configured == 0 ? kDefaultRouteMetric : configured; }

// Talos's DHCPOptions.IPv4(): on unless set to false.
bool wants_ipv4(const std::optional<config::DhcpOptions>& o) { return !o || o->ipv4.value.value_or(true); }

// Talos's DHCPOptions.IPv6(): off unless set to true.
bool wants_ipv6(const std::optional<config::DhcpOptions>& o) { return o && o->ipv6.value.value_or(false); }

// The configured host name's first label (a HostnameConfig document outranks machine.network),
// when it is a valid name.
std::optional<std::string> configured_hostname(const config::Config& config) {
    std::string name;
    if (config.machine && config.machine->network) name = config.machine->network->hostname.value;
    for (const auto& doc : config.hostnames)
        if (!doc.spec.hostname->empty()) name = doc.spec.hostname.value;
    name = name.substr(0, name.find('.'));
    if (name.empty() || !dhcp::valid_dns_name(name)) return std::nullopt;
    return name;
}

std::vector<std::string> names_of(const config::Device& d, const KernelState& kernel) {
    if (!d.interface->empty()) return {d.interface.value};
    if (d.device_selector) return select_links(*d.device_selector, kernel);
    return {};
}

}  // namespace

std::vector<Dhcp4Link> dhcp4_links(const config::Config& config, const KernelState& kernel) {
    std::map<std::string, Dhcp4Link> by_link;
    if (config.machine && config.machine->network) {
        for (const config::Device& d : config.machine->network->interfaces.items) {
            if (config::is_true(d.ignore)) continue;
            for (const std::string& name : names_of(d, kernel)) {
                if (config::is_true(d.dhcp) && wants_ipv4(d.dhcp_options)) {
                    uint32_t metric = d.dhcp_options ? d.dhcp_options->route_metric.value : 0;
                    by_link[name] = Dhcp4Link{name, metric_of(metric), DhcpClientId::None, "", false, d.src.path};
                }
                for (const config::Vlan& v : d.vlans.items) {
                    if (!config::is_true(v.dhcp) || !wants_ipv4(v.dhcp_options)) continue;
                    std::string vlan = name + "." + std::to_string(v.vlan_id.value);
                    uint32_t metric = v.dhcp_options ? v.dhcp_options->route_metric.value : 0;
                    by_link[vlan] = Dhcp4Link{vlan, metric_of(metric), DhcpClientId::None, "", false, v.src.path};
                }
            }
        }
    }
    for (const auto& doc : config.dhcp) {
        const config::DhcpDoc& d = doc.spec;
        if (d.v6 || d.name->empty()) continue;
        Dhcp4Link l{d.name.value, metric_of(d.route_metric.value), DhcpClientId::Mac, "", config::is_true(d.ignore_hostname),
                    doc.src.path};
        if (d.client_identifier.value == "none") l.client_id = DhcpClientId::None;
        if (d.client_identifier.value == "duid") {
            l.client_id = DhcpClientId::Duid;
            l.duid_hex = d.duid_raw.value;
        }
        by_link[l.link] = l;
    }
    std::vector<Dhcp4Link> out;
    auto hostname = configured_hostname(config);
    for (auto& [name, l] : by_link) {
        l.hostname = hostname;
        out.push_back(std::move(l));
    }
    return out;
}

std::vector<Dhcp6Link> dhcp6_links(const config::Config& config, const KernelState& kernel) {
    std::map<std::string, Dhcp6Link> by_link;
    auto legacy = [&](const std::string& link, const std::optional<config::DhcpOptions>& o, const std::string& path) {
        by_link[link] = Dhcp6Link{link, metric_of(o->route_metric.value), o->duid_v6.value, path};
    };
    if (config.machine && config.machine->network) {
        for (const config::Device& d : config.machine->network->interfaces.items) {
            if (config::is_true(d.ignore)) continue;
            for (const std::string& name : names_of(d, kernel)) {
                if (config::is_true(d.dhcp) && wants_ipv6(d.dhcp_options)) legacy(name, d.dhcp_options, d.src.path);
                for (const config::Vlan& v : d.vlans.items)
                    if (config::is_true(v.dhcp) && wants_ipv6(v.dhcp_options))
                        legacy(name + "." + std::to_string(v.vlan_id.value), v.dhcp_options, v.src.path);
            }
        }
    }
    for (const auto& doc : config.dhcp) {
        const config::DhcpDoc& d = doc.spec;
        if (!d.v6 || d.name->empty()) continue;
        std::string duid = d.client_identifier.value == "duid" ? d.duid_raw.value : "";
        by_link[d.name.value] = Dhcp6Link{d.name.value, metric_of(d.route_metric.value), duid, doc.src.path};
    }
    std::vector<Dhcp6Link> out;
    for (auto& [name, l] : by_link) out.push_back(std::move(l));
    return out;
}

DhcpLinks dhcp_links(const config::Config& config, const KernelState& kernel) {
    return {dhcp4_links(config, kernel), dhcp6_links(config, kernel)};
}

}  // namespace nodenet::state
