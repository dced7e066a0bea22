#include "plan/diff.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

namespace nodenet::plan {

namespace {

using state::DesiredState;
using state::KernelState;

std::string protocol_holder(uint8_t protocol) {
    switch (protocol) {
        case 0: return "added with no protocol";
        case 2: return "added by the kernel";
        case 3: return "added at boot";
        case 4: return "added by an administrator (proto static)";
        case 9: return "added by router advertisement";
        case 16: return "added by a DHCP client";
        default: return "added by protocol " + std::to_string(protocol);
    }
}

std::string master_name(const KernelState& k, const state::ObservedLink& link) {
    const state::ObservedLink* m = link.master_index ? k.link(link.master_index) : nullptr;
    return m ? m->name : "";
}

state::Address observed_address(const KernelState& k, const state::ObservedAddress& a) {
    const state::ObservedLink* link = k.link(a.link_index);
    return state::Address{link ? link->name : std::to_string(a.link_index), a.prefix, a.priority, {}};
}

// Observed lifetimes count down between the reads; only a real change (a renewed lease, an address
// that must become permanent) differs by more than this.
constexpr uint32_t kLifetimeSlack = 10;

bool lifetime_differs(const state::Address& want, const state::ObservedAddress& have) {
    auto differs = [](uint32_t a, uint32_t b) {
        if (a == state::kForeverLifetime || b == state::kForeverLifetime) return a != b;
        return (a > b ? a - b : b - a) > kLifetimeSlack;
    };
    return differs(want.valid_lifetime.value_or(state::kForeverLifetime), have.valid_lifetime) ||
           differs(want.preferred_lifetime.value_or(state::kForeverLifetime), have.preferred_lifetime);
}

bool same_route(const state::Route& a, const state::Route& b) {
    return a.link == b.link && a.gateway == b.gateway && a.source == b.source && a.mtu == b.mtu && a.scope == b.scope;
}

// The mask the kernel applies: a mark without a mask matches all of its bits.
uint32_t effective_mask(uint32_t mark, uint32_t mask) { return mark && !mask ? 0xFFFFFFFF : mask; }

// `from` / `to`: a prefix of length 0 is "all", as the kernel keeps it; host bits do not count.
std::optional<state::IpPrefix> selector(const std::optional<state::IpPrefix>& p) {
    if (!p || p->len == 0) return std::nullopt;
    return p->masked();
}

bool same_rule(const state::RoutingRule& want, const state::ObservedRule& have) {
    return !have.other_selectors && want.action == have.action &&
           (want.action != state::RuleAction::Lookup || want.table == have.table) &&
           selector(want.source) == selector(have.source) && selector(want.destination) == selector(have.destination) &&
           want.iif == have.iif && want.oif == have.oif && want.fwmark == have.fwmark &&
           effective_mask(want.fwmark, want.fwmask) == effective_mask(have.fwmark, have.fwmask);
}

// Whether the kernel would take `added` for `old` when asked to add it exclusively: its duplicate
// check ignores a `from` / `to` the new rule leaves at "all". Then `old` must go first.
bool kernel_confuses(const state::RoutingRule& added, const state::RoutingRule& old) {
    auto covered = [](const std::optional<state::IpPrefix>& a, const std::optional<state::IpPrefix>& b) {
        return !selector(a) || selector(a) == selector(b);
    };
    return added.action == old.action && (added.action != state::RuleAction::Lookup || added.table == old.table) &&
           added.iif == old.iif && added.oif == old.oif &&
           added.fwmark == old.fwmark &&
           effective_mask(added.fwmark, added.fwmask) == effective_mask(old.fwmark, old.fwmask) &&
           covered(added.source, old.source) && covered(added.destination, old.destination);
}

std::string rule_name(const state::RoutingRule& r) {
    return std::string(r.family == state::Family::V4 ? "IPv4" : "IPv6") + " rule " + std::to_string(r.priority);
}

// Logical links a VLAN may sit on come first; VLANs last.
int create_rank(const state::Link& l) { return l.kind == state::LinkKind::Vlan ? 1 : 0; }

class Planner {
public:
    Planner(const DesiredState& d, const KernelState& k, const Ownership& o) : desired_(d), kernel_(k), owned_(o) {}

    Plan run() {
        route_ops_.reserve(desired_.routes.size());
        adds_.reserve(desired_.addresses.size());
        removals();
        links();
        addresses();
        routes();
        rules();
        plan_.operations.reserve(removed_rules_.size() + removed_routes_.size() + removed_addresses_.size() +
                                 removed_links_.size() + creates_.size() + wireguard_.size() + sets_.size() +
                                 adds_.size() + route_ops_.size() + rule_ops_.size());
        // On-link routes first: a gateway outside the link's subnets is reachable only through one
        // (the /32 helper route of a DHCP lease on a /32 address).
        std::stable_partition(route_ops_.begin(), route_ops_.end(), [](const Operation& op) {
            const auto* add = std::get_if<AddRoute>(&op.change);
            return add && !add->route.gateway;
        });
        // A WireGuard device gets its keys and peers before it comes up. Rules are removed before the
        // routes of their table and added after them: no traffic is sent to a half-filled table.
        for (auto* group : {&removed_rules_, &removed_routes_, &removed_addresses_, &removed_links_, &creates_,
                            &wireguard_, &sets_, &adds_, &route_ops_, &rule_ops_})
            std::move(group->begin(), group->end(), std::back_inserter(plan_.operations));
        return std::move(plan_);
    }

private:
    // A link exists now or will once the plan's creations have run.
    bool will_exist(const std::string& name) const { return kernel_.link(name) || created_.count(name); }

    void removals();
    void links();
    void set_link(const state::Link& want, const state::ObservedLink& have);
    void addresses();
    void routes();
    void rules();

    const DesiredState& desired_;
    const KernelState& kernel_;
    const Ownership& owned_;
    Plan plan_;
    std::set<std::string> created_;
    void wireguard(const state::Link& want, const state::ObservedLink* have);

    std::vector<Operation> removed_rules_, removed_routes_, removed_addresses_, removed_links_, creates_, wireguard_,
        sets_, adds_, route_ops_, rule_ops_;
};

void Planner::removals() {
    constexpr const char* kGone = "no longer in the config; nodenet added it";
    for (const state::ObservedRule& r : kernel_.rules) {
        if (r.protocol != kNodenetProtocol || desired_.rules.count(r.key())) continue;
        removed_rules_.push_back({DeleteRule{rule_from_observed(r)}, kGone});
    }
    for (const state::ObservedRoute& r : kernel_.routes) {
        if (r.protocol != kNodenetProtocol || desired_.routes.count(r.key())) continue;
        removed_routes_.push_back({DeleteRoute{route_from_observed(kernel_, r)}, kGone});
    }
    for (const state::ObservedAddress& a : kernel_.addresses) {
        if (!owns(owned_, kernel_, a)) continue;
        state::Address addr = observed_address(kernel_, a);
        if (desired_.addresses.count(addr.key())) continue;
        removed_addresses_.push_back({DeleteAddress{addr}, kGone});
    }
    std::vector<state::Link> stale;
    for (const state::Link& l : owned_.created_links)
        if (!desired_.links.count(l.name) && kernel_.link(l.name)) stale.push_back(l);
    // VLANs go before the links they sit on.
    std::stable_sort(stale.begin(), stale.end(),
                     [](const state::Link& a, const state::Link& b) { return create_rank(a) > create_rank(b); });
    for (const state::Link& l : stale) removed_links_.push_back({DeleteLink{l}, kGone});
}

void Planner::links() {
    std::vector<const state::Link*> order;
    for (const auto& [name, l] : desired_.links) order.push_back(&l);
    std::stable_sort(order.begin(), order.end(),
                     [](const state::Link* a, const state::Link* b) { return create_rank(*a) < create_rank(*b); });
    for (const state::Link* want : order) {
        const state::ObservedLink* have = kernel_.link(want->name);
        if (!have) {
            if (!want->logical()) {
                plan_.warnings.push_back(want->name + ": link not found; its addresses and routes wait for it (" +
                                         want->origin.source + ")");
                continue;
            }
            created_.insert(want->name);
            creates_.push_back({CreateLink{*want}, want->origin.source});
            wireguard(*want, nullptr);
            continue;
        }
        if (want->logical() && have->kind != kernel_kind(want->kind)) {
            plan_.conflicts.push_back({want->name, std::string("link ") + kernel_kind(want->kind),
                                       "a " + (have->kind.empty() ? std::string("device") : have->kind + " link") +
                                           " of that name that nodenet did not create",
                                       want->origin.source});
            continue;
        }
        wireguard(*want, have);
        set_link(*want, *have);
    }
}

// The device decides some things itself (the port when none is asked for, a peer's endpoint when
// none is given): device_matches() allows for them, so a re-apply does not fight the device.
void Planner::wireguard(const state::Link& want, const state::ObservedLink* have) {
    if (!want.wireguard) return;
    if (have && have->wireguard && wireguard::device_matches(*want.wireguard, *have->wireguard)) return;
    ConfigureWireguard c{want.name, std::make_shared<const wireguard::DeviceConfig>(*want.wireguard), nullptr};
    if (have && have->wireguard) c.from = std::make_shared<const wireguard::DeviceConfig>(*have->wireguard);
    wireguard_.push_back({std::move(c), want.origin.source});
}

void Planner::set_link(const state::Link& want, const state::ObservedLink& have) {
    SetLink set{want.name, {}, {}};
    if (want.up && *want.up != have.up) {
        set.to.up = *want.up;
        set.from.up = have.up;
    }
    if (want.mtu && *want.mtu != have.mtu) {
        set.to.mtu = *want.mtu;
        set.from.mtu = have.mtu;
    }
    if (want.master && *want.master != master_name(kernel_, have)) {
        set.to.master = *want.master;
        set.from.master = master_name(kernel_, have);
    }
    if (want.bridge && have.bridge && *want.bridge != *have.bridge) {
        set.to.bridge = *want.bridge;
        set.from.bridge = *have.bridge;
    }
    if (set.to != LinkAttributes{}) sets_.push_back({std::move(set), want.origin.source});
}

void Planner::addresses() {
    for (const auto& [key, want] : desired_.addresses) {
        if (!will_exist(want.link)) continue;  // warned about with its link
        const state::ObservedLink* link = kernel_.link(want.link);
        const state::ObservedAddress* have = nullptr;
        if (link)
            for (const state::ObservedAddress& a : kernel_.addresses)
                if (a.link_index == link->index && a.prefix == want.prefix) have = &a;
        if (!have) {
            adds_.push_back({AddAddress{want}, want.origin.source});
        } else if (!owns(owned_, kernel_, *have)) {
            plan_.warnings.push_back(want.link + ": address " + want.prefix.str() + " is already there (" +
                                     protocol_holder(have->protocol) + "); nodenet leaves it as it is");
        } else if (have->priority != want.priority) {
            removed_addresses_.push_back({DeleteAddress{observed_address(kernel_, *have)},
                                          "prefix route metric changes to " + std::to_string(want.priority)});
            adds_.push_back({AddAddress{want}, want.origin.source});
        } else if (lifetime_differs(want, *have)) {
            adds_.push_back({UpdateAddress{want, have->valid_lifetime}, want.origin.source});
        }
    }
}

void Planner::routes() {
    std::multimap<state::RouteKey, const state::ObservedRoute*> by_key;
    for (const state::ObservedRoute& r : kernel_.routes) by_key.emplace(r.key(), &r);
    for (const auto& [key, want] : desired_.routes) {
        if (!will_exist(want.link)) continue;
        auto [first, last] = by_key.equal_range(key);
        const state::ObservedRoute* ours = nullptr;
        const state::ObservedRoute* foreign = nullptr;
        for (auto it = first; it != last; ++it) (it->second->protocol == kNodenetProtocol ? ours : foreign) = it->second;
        if (ours) {
            state::Route have = route_from_observed(kernel_, *ours);
            if (!same_route(have, want)) route_ops_.push_back({ReplaceRoute{want, have}, want.origin.source});
        } else if (foreign) {
            state::Route have = route_from_observed(kernel_, *foreign);
            if (same_route(have, want))
                plan_.warnings.push_back(want.link + ": route " + want.destination.str() + " is already there (" +
                                         protocol_holder(foreign->protocol) + "); nodenet leaves it as it is");
            else
                plan_.conflicts.push_back({want.link,
                                           "route " + want.destination.str() + " metric " + std::to_string(want.metric),
                                           "a route to it with that metric exists, " + protocol_holder(foreign->protocol),
                                           want.origin.source});
        } else {
            route_ops_.emplace_back(Operation{AddRoute{want}, want.origin.source});
        }
    }
}

// Several rules may share a priority, and the kernel keeps them in the order they were added. So
// nodenet's rule at a priority is added beside foreign ones, and a changed rule is added before
// the one it replaces is deleted: the priority is never without it.
void Planner::rules() {
    std::multimap<state::RuleKey, const state::ObservedRule*> by_key;
    for (const state::ObservedRule& r : kernel_.rules) by_key.emplace(r.key(), &r);
    for (const auto& [key, want] : desired_.rules) {
        auto [first, last] = by_key.equal_range(key);
        const state::ObservedRule* kept = nullptr;
        const state::ObservedRule* foreign_same = nullptr;
        std::vector<state::RoutingRule> stale;  // nodenet's, other than the one wanted
        for (auto it = first; it != last; ++it) {
            const state::ObservedRule& have = *it->second;
            if (have.protocol != kNodenetProtocol) {
                if (same_rule(want, have)) foreign_same = &have;
                else plan_.warnings.push_back(rule_name(want) + ": another rule has this priority (" +
                                              protocol_holder(have.protocol) +
                                              "); the kernel tries the two in the order they were added");
            } else if (!kept && same_rule(want, have)) {
                kept = &have;
            } else {
                stale.push_back(rule_from_observed(have));
            }
        }
        if (kept || foreign_same) {
            if (!kept)
                plan_.warnings.push_back(rule_name(want) + " is already there (" +
                                         protocol_holder(foreign_same->protocol) + "); nodenet leaves it as it is");
            for (state::RoutingRule& old : stale)
                removed_rules_.push_back({DeleteRule{std::move(old)}, "one rule per family and priority"});
            continue;
        }
        const std::string changed = "replaced by " + want.origin.source;
        const state::RoutingRule& wanted = want;  // clang 14 cannot capture a structured binding
        bool old_first = std::any_of(stale.begin(), stale.end(),
                                     [&](const state::RoutingRule& old) { return kernel_confuses(wanted, old); });
        if (old_first)
            for (state::RoutingRule& old : stale) rule_ops_.push_back({DeleteRule{std::move(old)}, changed});
        rule_ops_.push_back({AddRule{want}, want.origin.source});
        if (!old_first)
            for (state::RoutingRule& old : stale) rule_ops_.push_back({DeleteRule{std::move(old)}, changed});
    }
}

}  // namespace

bool owns(const Ownership& owned, const state::KernelState& kernel, const state::ObservedAddress& a) {
    if (a.protocol == kNodenetProtocol) return true;
    if (a.protocol != 0 || owned.recorded_addresses.empty()) return false;
    const state::ObservedLink* link = kernel.link(a.link_index);
    return link && owned.recorded_addresses.count(state::AddressKey{link->name, a.prefix});
}

std::set<state::AddressKey> recorded_addresses_after(const Ownership& before, const std::vector<Operation>& executed,
                                                     const state::KernelState& after) {
    std::set<state::AddressKey> present;  // without a protocol: the only ones a record can vouch for
    for (const state::ObservedAddress& a : after.addresses)
        if (const state::ObservedLink* link = after.link(a.link_index); link && a.protocol == 0)
            present.insert(state::AddressKey{link->name, a.prefix});
    std::set<state::AddressKey> recorded;
    for (const state::AddressKey& key : before.recorded_addresses)
        if (present.count(key)) recorded.insert(key);
    for (const Operation& op : executed) {
        if (const auto* d = std::get_if<DeleteAddress>(&op.change)) recorded.erase(d->address.key());
        if (const auto* a = std::get_if<AddAddress>(&op.change); a && present.count(a->address.key()))
            recorded.insert(a->address.key());
    }
    return recorded;
}

state::Route route_from_observed(const state::KernelState& k, const state::ObservedRoute& r) {
    state::Route route;
    const state::ObservedLink* link = k.link(r.link_index);
    route.link = link ? link->name : "";
    route.family = r.family;
    route.destination = r.destination;
    route.gateway = r.gateway;
    route.source = r.source;
    route.table = r.table;
    route.metric = r.metric;
    route.mtu = r.mtu;
    route.scope = static_cast<state::RouteScope>(r.scope);
    return route;
}

state::RoutingRule rule_from_observed(const state::ObservedRule& r) {
    state::RoutingRule rule;
    rule.family = r.family;
    rule.priority = r.priority;
    rule.action = r.action;
    rule.table = r.table;
    rule.source = r.source;
    rule.destination = r.destination;
    rule.iif = r.iif;
    rule.oif = r.oif;
    rule.fwmark = r.fwmark;
    rule.fwmask = r.fwmask;
    return rule;
}

const char* kernel_kind(state::LinkKind kind) {
    switch (kind) {
        case state::LinkKind::Bridge: return "bridge";
        case state::LinkKind::Bond: return "bond";
        case state::LinkKind::Vlan: return "vlan";
        case state::LinkKind::Dummy: return "dummy";
        case state::LinkKind::Wireguard: return "wireguard";
        case state::LinkKind::Existing: return "";
    }
    return "";
}

Plan make_plan(const state::DesiredState& desired, const state::KernelState& observed, const Ownership& owned) {
    return Planner(desired, observed, owned).run();
}

}  // namespace nodenet::plan
