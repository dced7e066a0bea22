// Problems Talos accepts silently although the config cannot work as written. Warnings, so that
// a config Talos accepts is still accepted; `--strict` turns them into errors.
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "config/go_syntax.h"
#include "config/rules.h"

namespace nodenet::config {

namespace {

constexpr uint32_t kDefaultRouteMetric = 1024;

const char* family(const go::Ip& ip) { return ip.v6 ? "IPv6" : "IPv4"; }

std::string masked(go::Prefix p) {
    size_t len = p.addr.v6 ? 16 : 4;
    for (size_t i = 0; i < len; ++i) {
        int keep = std::clamp(p.bits - static_cast<int>(i) * 8, 0, 8);
        p.addr.bytes[i] &= static_cast<uint8_t>(0xFF00 >> keep);
    }
    return go::format_ip(p.addr) + "/" + std::to_string(p.bits);
}

// A value that failed to decode already has its error; a warning about the zero left in its place
// would name a value the user never wrote.
bool undecoded(const Source& at, const Diagnostics& out) {
    for (const Diagnostic& d : out.items())
        if (d.severity == Severity::Error && d.path == at.path && d.mark.line == at.mark.line &&
            d.mark.column == at.mark.column)
            return true;
    return false;
}

void check_nameservers(const Network& n, Diagnostics& out) {
    for (const Text& ns : n.nameservers.items)
        if (!go::parse_addr(ns.value).ok())
            out.warning(ns.src.mark, ns.src.path,
                        "nameserver " + go::quote(ns.value) + " is not an IP address; Talos drops it silently");
}

void check_vlan_ids(const Device& d, Diagnostics& out) {
    for (const Vlan& v : d.vlans.items) {
        uint16_t id = v.vlan_id.value;
        if ((id >= 1 && id <= 4094) || (v.vlan_id.present && undecoded(v.vlan_id.src, out))) continue;
        if (!v.vlan_id.present) {
            out.warning(v.src.mark, v.src.path, "vlanId is not set; a VLAN needs an ID in 1-4094");
            continue;
        }
        // The kernel takes ID 0 (only 4095 and up fail), but 802.1Q reserves it for untagged
        // priority frames: no VLAN traffic would use the link.
        out.warning(v.vlan_id.src.mark, v.vlan_id.src.path,
                    id == 0 ? "VLAN ID 0 is reserved by 802.1Q for priority tagging; a VLAN needs an ID in 1-4094"
                            : "VLAN ID " + std::to_string(id) + " is outside 1-4094; the kernel refuses such a VLAN");
    }
}

bool is_unspecified(const go::Ip& ip) {
    return std::all_of(ip.bytes.begin(), ip.bytes.begin() + (ip.v6 ? 16 : 4), [](uint8_t b) { return b == 0; });
}

void check_route_families(const List<Route>& routes, Diagnostics& out) {
    for (const Route& r : routes.items) {
        auto net = go::parse_cidr(r.network.value);
        auto gw = go::parse_ip(r.gateway.value);
        // Talos drops a /0 network and a 0.0.0.0 or :: gateway before it picks the route's family
        // (reference §3.5), so those cannot clash: 0.0.0.0/0 via fe80::1 is an IPv6 default route.
        if (!net || !gw || net->bits == 0 || is_unspecified(*gw) || net->addr.v6 == gw->v6) continue;
        out.warning(r.gateway.src.mark, r.gateway.src.path,
                    "gateway " + r.gateway.value + " is " + family(*gw) + " but network " + r.network.value + " is " +
                        family(net->addr) + "; the kernel refuses such a route");
    }
}

// Routes the kernel would see as one: same destination (host bits cleared), gateway and metric.
void check_duplicate_routes(const List<Route>& routes, Diagnostics& out) {
    using Key = std::tuple<bool, std::string, std::string, uint32_t>;
    std::map<Key, const Route*> seen;
    for (const Route& r : routes.items) {
        auto gw = go::parse_ip(r.gateway.value);
        std::optional<go::Prefix> net;
        if (!r.network->empty() && !(net = go::parse_cidr(r.network.value))) continue;
        if (!r.gateway->empty() && !gw) continue;
        if (r.metric.present && undecoded(r.metric.src, out)) continue;
        bool v6 = (net && net->addr.v6) || (gw && gw->v6);
        std::string dst = net && net->bits > 0 ? masked(*net) : "default";
        std::string via = gw ? go::format_ip(*gw) : "";
        uint32_t metric = r.metric.value == 0 ? kDefaultRouteMetric : r.metric.value;
        auto [it, fresh] = seen.emplace(Key{v6, dst, via, metric}, &r);
        if (fresh) continue;
        out.warning(r.src.mark, r.src.path,
                    "route duplicates " + it->second->src.path.substr(it->second->src.path.rfind('.') + 1) +
                        " at line " + std::to_string(it->second->src.mark.line) +
                        " (same network, gateway and metric); the kernel keeps only one");
    }
}

void check_duplicate_devices(const Network& n, Diagnostics& out) {
    std::map<std::string, const Device*> seen;
    for (const Device& d : n.interfaces.items) {
        if (d.interface->empty()) continue;
        auto [it, fresh] = seen.emplace(d.interface.value, &d);
        if (fresh) continue;
        out.warning(d.interface.src.mark, d.interface.src.path,
                    "interface " + go::quote(d.interface.value) + " is already configured at line " +
                        std::to_string(it->second->interface.src.mark.line) +
                        "; Talos merges the two entries, so one may silently override the other");
    }
}

}  // namespace

void check_beyond_talos(const MachineConfig& m, Diagnostics& out) {
    if (!m.network) return;
    const Network& n = *m.network;
    check_nameservers(n, out);
    check_duplicate_devices(n, out);
    for (const Device& d : n.interfaces.items) {
        if (is_true(d.ignore)) continue;
        check_vlan_ids(d, out);
        check_route_families(d.routes, out);
        check_duplicate_routes(d.routes, out);
        for (const Vlan& v : d.vlans.items) {
            check_route_families(v.routes, out);
            check_duplicate_routes(v.routes, out);
        }
    }
}

}  // namespace nodenet::config
