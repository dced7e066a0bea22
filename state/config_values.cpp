#include "state/config_values.h"

#include <charconv>
#include <limits>

namespace nodenet::state {

namespace {

Error at(const std::string& path, const std::string& message) {
    return Error{path.empty() ? message : path + ": " + message};
}

const char* family_name(Family f) { return f == Family::V4 ? "IPv4" : "IPv6"; }

IpPrefix default_destination(Family f) {
    IpPrefix p;
    p.addr.family = f;
    return p;
}

bool is_loopback(const IpPrefix& p) {
    if (p.family() == Family::V4) return p.addr.bytes[0] == 127;
    IpAddress one;
    one.family = Family::V6;
    one.bytes[15] = 1;
    return p.len == 128 && p.addr == one;
}

struct ParsedRoute {
    std::optional<IpPrefix> destination;
    std::optional<IpAddress> gateway, source;
};

Result<ParsedRoute> parse_route(const RouteText& text, const std::string& path) {
    ParsedRoute r;
    if (!text.destination.empty()) {
        r.destination = parse_ip_prefix(text.destination);
        if (!r.destination) return at(path, "invalid destination \"" + std::string(text.destination) + "\"");
    }
    if (!text.gateway.empty()) {
        r.gateway = parse_ip_address(text.gateway);
        if (!r.gateway) return at(path, "invalid gateway \"" + std::string(text.gateway) + "\"");
    }
    if (!text.source.empty()) {
        r.source = parse_ip_address(text.source);
        if (!r.source) return at(path, "invalid source \"" + std::string(text.source) + "\"");
    }
    return r;
}

// The family every written part agrees on, decided by the gateway first as in Talos; an
// unspecified gateway (0.0.0.0, ::) still tells it.
Result<Family> route_family(const ParsedRoute& r, const RouteText& text, const std::string& path) {
    struct Part {
        std::optional<Family> family;
        std::string what;
    };
    const Part parts[] = {
        {r.gateway ? std::optional(r.gateway->family) : std::nullopt, "gateway " + std::string(text.gateway)},
        {r.destination ? std::optional(r.destination->family()) : std::nullopt,
         "destination " + std::string(text.destination)},
        {r.source ? std::optional(r.source->family) : std::nullopt, "source " + std::string(text.source)},
    };
    const Part* first = nullptr;
    for (const Part& p : parts) {
        if (!p.family) continue;
        if (!first) first = &p;
        if (*p.family != *first->family)
            return at(path, p.what + " is " + family_name(*p.family) + " but " + first->what + " is " +
                                family_name(*first->family));
    }
    if (!first) return at(path, "a route needs a destination or a gateway");
    return *first->family;
}

}  // namespace

Result<IpPrefix> address_prefix(const config::Text& text) {
    auto p = parse_ip_prefix(text.value);
    if (!p) return at(text.src.path, "invalid address \"" + text.value + "\"");
    return *p;
}

Result<Route> make_route(const RouteText& text, const std::string& link, const Origin& origin,
                         std::vector<std::string>& warnings) {
    auto parsed = parse_route(text, origin.source);
    if (!parsed) return Error{parsed.error()};
    auto family = route_family(*parsed, text, origin.source);
    if (!family) return Error{family.error()};
    const ParsedRoute& p = *parsed;

    Route r;
    r.link = link;
    r.family = *family;
    r.origin = origin;
    if (!p.destination || p.destination->len == 0) {
        r.destination = default_destination(*family);  // Talos turns 0.0.0.0/0 and ::/0 into "default"
    } else {
        r.destination = p.destination->masked();
        // The kernel refuses a destination with host bits set; the network is clearly meant.
        if (r.destination != *p.destination)
            warnings.push_back(origin.source + ": destination " + p.destination->str() +
                               " has host bits set; routing " + r.destination.str());
    }
    bool is_default = r.destination.len == 0;
    if (p.gateway && !p.gateway->is_unspecified()) r.gateway = p.gateway;
    if (p.source && !p.source->is_unspecified()) r.source = p.source;
    r.table = text.table;
    r.metric = text.metric == 0 ? kDefaultRouteMetric : text.metric;
    r.mtu = text.mtu;
    // As Talos: a default route without a gateway (a point-to-point uplink) keeps scope universe.
    if (!r.gateway && !is_default)
        r.scope = RouteScope::Link;
    else if (!is_default && is_loopback(r.destination))
        r.scope = RouteScope::Host;
    return r;
}

Result<uint32_t> route_table(const config::Text& table) {
    const std::string& t = table.value;
    // The kernel files a route for table 0 ("unspec") into main, so both are main here.
    if (t.empty() || t == "main" || t == "unspec") return kMainTable;
    if (t == "local") return 255u;
    if (t == "default") return 253u;
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || end != t.data() + t.size())
        return at(table.src.path, "unknown routing table \"" + t + "\" (use main, local, default or a number)");
    return n == 0 ? kMainTable : n;
}

Result<std::optional<uint32_t>> device_mtu(const config::Field<int64_t>& mtu) {
    if (mtu.value == 0) return std::optional<uint32_t>();
    // Talos would cast a negative MTU to a huge uint32 and fail at every reconcile; nodenet says
    // so before touching anything.
    if (mtu.value < 0 || mtu.value > std::numeric_limits<uint32_t>::max())
        return at(mtu.src.path, "MTU " + std::to_string(mtu.value) + " is out of range");
    return std::optional<uint32_t>(static_cast<uint32_t>(mtu.value));
}

BondSettings bond_settings(const config::Bond& b) {
    // Zero and "" stay: they mean "the kernel's default", which is also what Talos's FillDefaults
    // writes (resend_igmp 1, lp_interval 1, packets_per_slave 1, num_peer_notif 1, ...).
    BondSettings s;
    s.mode = b.mode.value;
    s.xmit_hash_policy = b.xmit_hash_policy.value;
    s.lacp_rate = b.lacp_rate.value;
    s.arp_validate = b.arp_validate.value;
    s.arp_all_targets = b.arp_all_targets.value;
    s.primary = b.primary.value;
    s.primary_reselect = b.primary_reselect.value;
    s.fail_over_mac = b.fail_over_mac.value;
    s.ad_select = b.ad_select.value;
    s.miimon = b.miimon.value;
    s.updelay = b.updelay.value;
    s.downdelay = b.downdelay.value;
    s.arp_interval = b.arp_interval.value;
    s.resend_igmp = b.resend_igmp.value;
    s.min_links = b.min_links.value;
    s.lp_interval = b.lp_interval.value;
    s.packets_per_slave = b.packets_per_slave.value;
    s.peer_notify_delay = b.peer_notify_delay.value;
    s.num_peer_notif = b.num_peer_notif.value;
    s.tlb_dynamic_lb = b.tlb_dynamic_lb.value;
    s.all_slaves_active = b.all_slaves_active.value;
    s.use_carrier = b.use_carrier.value.value_or(true);
    s.ad_actor_sys_prio = b.ad_actor_sys_prio.value;
    s.ad_user_port_key = b.ad_user_port_key.value;
    return s;
}

BridgeSettings bridge_settings(const config::Bridge& b) {
    BridgeSettings s;
    // Talos's accessor: STP is on when the `stp` section is written and `enabled` is not.
    s.stp = b.stp_present && b.stp_enabled.value.value_or(true);
    s.vlan_filtering = b.vlan_filtering.value.value_or(false);
    return s;
}

namespace {

Result<WireguardPeer> wireguard_peer(const config::WireguardPeer& p) {
    WireguardPeer peer;
    peer.public_key = p.public_key.value;
    peer.endpoint = p.endpoint.value;
    constexpr int64_t kSecond = 1'000'000'000;
    int64_t ns = p.persistent_keepalive_ns.value;
    // The kernel takes whole seconds in a u16; wgctrl truncates the Go duration the same way.
    if (ns < 0 || ns / kSecond > std::numeric_limits<uint16_t>::max())
        return at(p.persistent_keepalive_ns.src.path, "persistent keepalive interval out of range (0 to 65535 s)");
    peer.persistent_keepalive_seconds = ns / kSecond;
    for (const config::Text& ip : p.allowed_ips.items) {
        auto prefix = parse_ip_prefix(ip.value);
        if (!prefix) return at(ip.src.path, "invalid allowed IP \"" + ip.value + "\"");
        peer.allowed_ips.push_back(*prefix);
    }
    return peer;
}

}  // namespace

Result<WireguardSettings> wireguard_settings(const config::Wireguard& w) {
    WireguardSettings s;
    s.private_key = w.private_key.value;
    if (w.listen_port.value < 0 || w.listen_port.value > std::numeric_limits<uint16_t>::max())
        return at(w.listen_port.src.path, "listen port " + std::to_string(w.listen_port.value) + " is out of range");
    s.listen_port = static_cast<uint16_t>(w.listen_port.value);
    if (w.firewall_mark.value < 0 || w.firewall_mark.value > std::numeric_limits<uint32_t>::max())
        return at(w.firewall_mark.src.path,
                  "firewall mark " + std::to_string(w.firewall_mark.value) + " is out of range");
    s.firewall_mark = static_cast<uint32_t>(w.firewall_mark.value);
    for (const config::WireguardPeer& p : w.peers.items) {
        auto peer = wireguard_peer(p);
        if (!peer) return Error{peer.error()};
        s.peers.push_back(std::move(*peer));
    }
    return s;
}

}  // namespace nodenet::state
