#include "state/from_dhcp4.h"

#include <algorithm>
#include <set>

#include "state/from_lease_names.h"

namespace nodenet::state {

namespace {

bool unspecified(const IpAddress& ip) {
    return std::all_of(ip.bytes.begin(), ip.bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

uint32_t lifetime_until(dhcp::TimePoint at, dhcp::TimePoint now) {
    if (at <= now) return 0;
    auto left = std::chrono::duration_cast<std::chrono::seconds>(at - now).count();
    return static_cast<uint32_t>(std::min<int64_t>(left, kForeverLifetime - 1));
}

LayeredSpecs specs_from_dhcp4(const std::string& link, const dhcp::Lease& lease, const Dhcp4LayerOptions& options,
                              dhcp::TimePoint now) {
    LayeredSpecs out;
    const Origin origin{Layer::Operator, "dhcp4/" + link};

    Link l;
    l.name = link;
    l.up = true;
    if (lease.mtu) l.mtu = *lease.mtu;
    l.origin = origin;
    out.links.push_back(l);

    Address a{link, lease.address, options.route_metric, origin};
    if (!lease.infinite()) {
        a.valid_lifetime = lifetime_until(lease.expires_at(), now);
        a.preferred_lifetime = a.valid_lifetime;
    }
    out.addresses.push_back(a);
    LeaseNames names{lease.dns, lease.search_domains, std::nullopt, lease.domain};
    if (names.domains.empty() && lease.domain) names.domains.push_back(*lease.domain);
    if (!options.ignore_hostname) names.hostname = lease.hostname;
    add_lease_names(out, origin, link, names);
    if (options.ignore_routes) return out;

    IpPrefix subnet = lease.address.masked();
    std::set<IpAddress> helpers;
    std::set<RouteKey> taken;
    auto add = [&](Route r) {
        r.link = link;
        r.family = Family::V4;
        r.source = lease.address.addr;
        r.metric = options.route_metric;
        r.origin = origin;
        // Several routers give several default routes of one key; the kernel keeps one, so does this.
        if (taken.insert(r.key()).second) out.routes.push_back(std::move(r));
    };
    for (const dhcp::ClasslessRoute& cr : lease.routes()) {
        Route r;
        r.destination = cr.destination;
        if (unspecified(cr.gateway)) {
            r.scope = RouteScope::Link;
        } else {
            r.gateway = cr.gateway;
            if (!subnet.contains(cr.gateway) && helpers.insert(cr.gateway).second) {
                Route helper;
                helper.destination = IpPrefix{cr.gateway, 32};
                helper.scope = RouteScope::Link;
                add(helper);
            }
        }
        add(std::move(r));
    }
    return out;
}

}  // namespace nodenet::state
