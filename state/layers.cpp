#include "state/layers.h"

#include <algorithm>
#include <array>
#include <map>

#include "state/host_merge.h"

namespace nodenet::state {

namespace {

// ---- links ----

enum LinkField : size_t { kKind, kUp, kMtu, kMaster, kBridge, kBond, kVlan, kWireguard, kFieldCount };

const char* field_name(LinkField f) {
    static constexpr std::array<const char*, kFieldCount> names = {"kind",   "up",   "mtu",  "master",
                                                                   "bridge", "bond", "vlan", "wireguard"};
    return names[f];
}

std::string field_value(const Link& l, LinkField f) {
    switch (f) {
        case kKind: return link_kind_name(l.kind);
        case kUp: return *l.up ? "true" : "false";
        case kMtu: return std::to_string(*l.mtu);
        case kMaster: return l.master->empty() ? "no master" : *l.master;
        default: return "other settings";
    }
}

struct LinkFold {
    Link link;
    std::array<std::optional<Origin>, kFieldCount> set_by;  // who set each field, to report clashes
    std::vector<std::string> sources;
};

// Talos's LinkSpec merge overrides a field only when the higher layer's value is non-zero, because
// Go's zero value is its only "unset": a higher layer can therefore never bring a link down
// (Up=false), release it from a master or clear an MTU (reference §1.3). Here every managed field
// is an optional, so "unset" and "false/0/empty" differ, and the configuration layer's `up: false`
// wins over DHCP's or the defaults' `up: true` — deliberately better than Talos.
template <class T>
void fold_field(LinkFold& fold, LinkField f, std::optional<T> Link::*member, const Link& spec,
                std::vector<std::string>& warnings) {
    if (!(spec.*member)) return;
    const std::optional<Origin>& prev = fold.set_by[f];
    if (prev && prev->layer == spec.origin.layer && fold.link.*member != spec.*member)
        warnings.push_back("link " + spec.name + ": " + field_name(f) + " " + field_value(fold.link, f) + " (" +
                           origin_text(*prev) + ") is overridden by " + field_value(spec, f) + " (" +
                           origin_text(spec.origin) + ")");
    fold.link.*member = spec.*member;
    fold.set_by[f] = spec.origin;
}

void fold_link(LinkFold& fold, const Link& spec, std::vector<std::string>& warnings) {
    if (spec.kind != LinkKind::Existing) {
        const std::optional<Origin>& prev = fold.set_by[kKind];
        if (prev && prev->layer == spec.origin.layer && fold.link.kind != spec.kind)
            warnings.push_back("link " + spec.name + ": kind " + link_kind_name(fold.link.kind) + " (" + origin_text(*prev) +
                               ") is overridden by " + link_kind_name(spec.kind) + " (" + origin_text(spec.origin) + ")");
        fold.link.kind = spec.kind;
        fold.set_by[kKind] = spec.origin;
    }
    fold_field(fold, kUp, &Link::up, spec, warnings);
    fold_field(fold, kMtu, &Link::mtu, spec, warnings);
    fold_field(fold, kMaster, &Link::master, spec, warnings);
    fold_field(fold, kBridge, &Link::bridge, spec, warnings);
    fold_field(fold, kBond, &Link::bond, spec, warnings);
    fold_field(fold, kVlan, &Link::vlan, spec, warnings);
    fold_field(fold, kWireguard, &Link::wireguard, spec, warnings);
    fold.link.origin.layer = spec.origin.layer;  // as Talos: the last layer folded in
    if (std::find(fold.sources.begin(), fold.sources.end(), spec.origin.source) == fold.sources.end())
        fold.sources.push_back(spec.origin.source);
}

void merge_links(const std::vector<LayeredSpecs>& layers, DesiredState& out, std::vector<std::string>& warnings) {
    std::map<std::string, LinkFold> folds;
    for (const Link* spec : by_layer(layers, &LayeredSpecs::links)) {
        auto [it, fresh] = folds.try_emplace(spec->name);
        if (fresh) it->second.link.name = spec->name;
        fold_link(it->second, *spec, warnings);
    }
    for (auto& [name, fold] : folds) {
        // Every spec that contributed, so that the plan can name all of them as the reason.
        std::string sources;
        for (const std::string& s : fold.sources) {
            if (s.empty()) continue;
            sources += (sources.empty() ? "" : ", ") + s;
        }
        fold.link.origin.source = std::move(sources);
        out.links.emplace(name, std::move(fold.link));
    }
}

// ---- addresses and routes ----

void merge_addresses(const std::vector<LayeredSpecs>& layers, DesiredState& out, std::vector<std::string>& warnings) {
    for (const Address* spec : by_layer(layers, &LayeredSpecs::addresses)) {
        auto [it, fresh] = out.addresses.try_emplace(spec->key(), *spec);
        if (fresh) continue;
        const Address& prev = it->second;
        if (prev.origin.layer == spec->origin.layer && prev.priority != spec->priority)
            warnings.push_back("address " + spec->prefix.str() + " on " + spec->link + ": route priority " +
                               std::to_string(prev.priority) + " (" + origin_text(prev.origin) + ") is overridden by " +
                               std::to_string(spec->priority) + " (" + origin_text(spec->origin) + ")");
        it->second = *spec;  // ascending layers: a higher layer wins whole
    }
}

std::string route_target(const Route& r) {
    std::string s = r.gateway ? "via " + r.gateway->str() + " " : "";
    s += "dev " + r.link;
    if (r.source) s += " src " + r.source->str();
    if (r.mtu) s += " mtu " + std::to_string(r.mtu);
    return s;
}

void merge_routes(const std::vector<LayeredSpecs>& layers, DesiredState& out, std::vector<std::string>& warnings) {
    for (const Route* spec : by_layer(layers, &LayeredSpecs::routes)) {
        auto [it, fresh] = out.routes.try_emplace(spec->key(), *spec);
        if (fresh) continue;
        const Route& prev = it->second;
        bool same = prev.link == spec->link && prev.gateway == spec->gateway && prev.source == spec->source &&
                    prev.mtu == spec->mtu && prev.scope == spec->scope;
        // The kernel keys a route by table, destination and metric (and merges IPv6 duplicates into
        // one multipath route), so two routes differing only in next hop cannot both be installed.
        if (prev.origin.layer == spec->origin.layer && !same)
            warnings.push_back("route " + spec->destination.str() + " metric " + std::to_string(spec->metric) +
                               " table " + std::to_string(spec->table) + ": " + route_target(prev) + " (" +
                               origin_text(prev.origin) + ") is replaced by " + route_target(*spec) + " (" +
                               origin_text(spec->origin) + "); the kernel holds one route per table, destination and metric");
        it->second = *spec;
    }
}

void merge_rules(const std::vector<LayeredSpecs>& layers, DesiredState& out, std::vector<std::string>& warnings) {
    for (const RoutingRule* spec : by_layer(layers, &LayeredSpecs::rules)) {
        auto [it, fresh] = out.rules.try_emplace(spec->key(), *spec);
        if (!fresh && it->second.origin.layer == spec->origin.layer)
            warnings.push_back("rule priority " + std::to_string(spec->priority) + ": " + origin_text(it->second.origin) +
                               " is replaced by " + origin_text(spec->origin) + "; one rule per family and priority");
        it->second = *spec;
    }
}

}  // namespace

std::string origin_text(const Origin& o) { return o.source.empty() ? std::string(layer_name(o.layer)) : o.source; }

Result<LayeredSpecs> specs_or_errors(LayeredSpecs specs, const std::vector<std::string>& errors) {
    if (errors.empty()) return specs;
    std::string message;
    for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Error{message};
}

DesiredState merge(const std::vector<LayeredSpecs>& layers, std::vector<std::string>& warnings) {
    DesiredState out;
    merge_links(layers, out, warnings);
    merge_addresses(layers, out, warnings);
    merge_routes(layers, out, warnings);
    merge_rules(layers, out, warnings);
    out.host = merge_host(layers, out, warnings);
    return out;
}

}  // namespace nodenet::state
