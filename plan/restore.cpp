#include "plan/restore.h"

namespace nodenet::plan {

state::DesiredState restore_point(const state::KernelState& before, const state::DesiredState& scope,
                                  const Ownership& owned_before) {
    state::DesiredState d;
    const state::Origin origin{state::Layer::Configuration, "the state before this apply"};
    auto keep_link = [&](const std::string& name, state::Link l) {
        const state::ObservedLink* have = before.link(name);
        if (!have) return;
        l.name = name;
        l.up = have->up;
        l.mtu = have->mtu;
        const state::ObservedLink* master = have->master_index ? before.link(have->master_index) : nullptr;
        l.master = master ? master->name : "";
        if (l.bridge && have->bridge) l.bridge = have->bridge;
        if (have->wireguard) l.wireguard = have->wireguard;
        l.origin = origin;
        d.links[name] = std::move(l);
    };
    for (const state::Link& l : owned_before.created_links) keep_link(l.name, l);
    for (const auto& [name, l] : scope.links)
        if (!d.links.count(name)) keep_link(name, state::Link{});
    for (const state::ObservedAddress& a : before.addresses) {
        const state::ObservedLink* link = before.link(a.link_index);
        if (!owns(owned_before, before, a) || !link) continue;
        state::Address addr{link->name, a.prefix, a.priority, origin};
        if (a.valid_lifetime != state::kForeverLifetime) addr.valid_lifetime = a.valid_lifetime;
        if (a.preferred_lifetime != state::kForeverLifetime) addr.preferred_lifetime = a.preferred_lifetime;
        d.addresses[addr.key()] = addr;
    }
    for (const state::ObservedRoute& r : before.routes) {
        const state::ObservedLink* link = before.link(r.link_index);
        if (r.protocol != kNodenetProtocol || !link) continue;
        state::Route route = route_from_observed(before, r);
        route.origin = origin;
        d.routes[route.key()] = route;
    }
    for (const state::ObservedRule& r : before.rules) {
        if (r.protocol != kNodenetProtocol) continue;
        state::RoutingRule rule = rule_from_observed(r);
        rule.origin = origin;
        d.rules[rule.key()] = rule;
    }
    return d;
}

}  // namespace nodenet::plan
