#include "state/from_config.h"

#include <charconv>
#include <map>

#include "state/config_values.h"
#include "state/selector.h"
#include "wireguard/settings.h"

namespace nodenet::state {

namespace {

Origin config_origin(const std::string& path) { return Origin{Layer::Configuration, path}; }

class Builder {
public:
    explicit Builder(const KernelState& kernel) : kernel_(kernel) {}

    void network(const config::Network& network);
    void link_document(const config::Doc<config::LinkDoc>& doc);
    void routing_rule_document(const config::Doc<config::RoutingRuleDoc>& doc);
    Result<LayeredSpecs> finish();

private:
    std::vector<std::string> resolve(const config::Device& d);
    std::vector<std::string> select(const config::DeviceSelector& s, const char* consequence);
    bool skip_ignored(const std::string& link, const std::string& path);

    void device(const config::Device& d, const std::string& name);
    void device_kind(const config::Device& d, Link& link);
    void member(const std::string& name, const std::string& master, const std::string& path);
    void bond_members(const config::Bond& bond, const std::string& master);
    void vlan(const config::Vlan& v, const std::string& parent);
    void addresses(const config::List<config::Text>& list, const config::Text& cidr, const std::string& link);
    void route(const RouteText& text, const std::string& link, const std::string& path);
    void routes(const config::List<config::Route>& list, const std::string& link);

    template <class T>
    std::optional<T> take(Result<T> r) {
        if (r.ok()) return std::move(*r);
        errors_.push_back(r.error());
        return std::nullopt;
    }

    const KernelState& kernel_;
    LayeredSpecs out_;
    std::vector<std::string> errors_;
    std::map<std::string, std::string> ignored_;  // link name -> path of the entry ignoring it
};

// ---- which links an entry is about ----

std::vector<std::string> Builder::select(const config::DeviceSelector& s, const char* consequence) {
    std::vector<std::string> names = select_links(s, kernel_);
    if (!names.empty()) return names;
    std::string w = s.src.path + ": no link matches " + describe_selector(s);
    std::vector<std::string> near = links_matching_ignoring_case(s, kernel_);
    if (!near.empty()) w += " (selectors are case-sensitive; ignoring case it would match " + near.front() + ")";
    out_.warnings.push_back(w + "; " + consequence);
    return names;
}

std::vector<std::string> Builder::resolve(const config::Device& d) {
    if (!d.interface->empty()) return {d.interface.value};
    if (d.device_selector)
        return select(*d.device_selector, config::is_true(d.ignore) ? "nothing is ignored" : "nothing is configured");
    errors_.push_back(d.src.path + ": neither interface nor deviceSelector is set");
    return {};
}

// `ignore: true` means never touched (reference §1.5): nothing nodenet derives from any part of
// the config may reach that link, not even from another entry naming it.
bool Builder::skip_ignored(const std::string& link, const std::string& path) {
    auto it = ignored_.find(link);
    if (it == ignored_.end()) return false;
    out_.warnings.push_back(path + ": " + link + " is ignored (" + it->second + "); not applied");
    return true;
}

// ---- v1alpha1 machine.network.interfaces ----

void Builder::network(const config::Network& network) {
    // Ignored links first, so that an entry listed before the one ignoring its link is dropped too.
    for (const config::Device& d : network.interfaces.items)
        if (config::is_true(d.ignore))
            for (const std::string& name : resolve(d)) ignored_.emplace(name, d.src.path);
    for (const config::Device& d : network.interfaces.items) {
        if (config::is_true(d.ignore)) continue;
        for (const std::string& name : resolve(d))
            if (!skip_ignored(name, d.src.path)) device(d, name);
    }
}

void Builder::device(const config::Device& d, const std::string& name) {
    Link link;
    link.name = name;
    link.up = true;  // Talos brings every configured device up, DHCP or not
    link.origin = config_origin(d.src.path);
    if (auto mtu = take(device_mtu(d.mtu))) link.mtu = *mtu;
    device_kind(d, link);
    // An empty bridgePort.master is a no-op in Talos (zero value), not "release from the bridge".
    if (d.bridge_port_master && !d.bridge_port_master->value.empty()) link.master = d.bridge_port_master->value;
    LinkKind kind = link.kind;
    out_.links.push_back(std::move(link));

    if (kind == LinkKind::Bond) bond_members(*d.bond, name);
    if (kind == LinkKind::Bridge)
        for (const config::Text& m : d.bridge->interfaces.items) member(m.value, name, m.src.path);

    addresses(d.addresses, d.cidr, name);
    routes(d.routes, name);
    for (const config::Vlan& v : d.vlans.items) vlan(v, name);
}

// A device is one kind of link. Validation refuses bond with bridge; wireguard or dummy next to
// another kind passes it, and then the first of bond, bridge, wireguard, dummy is created.
void Builder::device_kind(const config::Device& d, Link& link) {
    std::vector<const char*> kinds;
    if (d.bond) kinds.push_back("bond");
    if (d.bridge) kinds.push_back("bridge");
    if (d.wireguard) kinds.push_back("wireguard");
    if (config::is_true(d.dummy)) kinds.push_back("dummy");
    if (kinds.size() > 1)
        out_.warnings.push_back(d.src.path + ": " + link.name + " declares both " + kinds[0] + " and " + kinds[1] +
                                "; it is created as a " + kinds[0]);
    if (d.bond) {
        link.kind = LinkKind::Bond;
        link.bond = bond_settings(*d.bond);
    } else if (d.bridge) {
        link.kind = LinkKind::Bridge;
        link.bridge = bridge_settings(*d.bridge);
    } else if (d.wireguard) {
        link.kind = LinkKind::Wireguard;
        if (auto settings = take(wireguard_settings(*d.wireguard))) {
            auto device = wireguard::device_config(*settings);
            if (device.ok()) link.wireguard = std::move(*device);
            else errors_.push_back(d.wireguard->src.path + ": " + device.error());
        }
    } else if (config::is_true(d.dummy)) {
        link.kind = LinkKind::Dummy;
    }
}

// Talos gives each bond or bridge member a spec of its own: up, enslaved to the master.
void Builder::member(const std::string& name, const std::string& master, const std::string& path) {
    if (name.empty() || skip_ignored(name, path)) return;
    Link link;
    link.name = name;
    link.up = true;
    link.master = master;
    link.origin = config_origin(path);
    out_.links.push_back(std::move(link));
}

void Builder::bond_members(const config::Bond& bond, const std::string& master) {
    for (const config::Text& m : bond.interfaces.items) member(m.value, master, m.src.path);
    for (const config::DeviceSelector& s : bond.device_selectors.items)
        for (const std::string& name : select(s, "no member is added")) member(name, master, s.src.path);
}

void Builder::vlan(const config::Vlan& v, const std::string& parent) {
    std::string name = parent + "." + std::to_string(v.vlan_id.value);
    if (skip_ignored(name, v.src.path)) return;
    Link link;
    link.name = name;
    link.kind = LinkKind::Vlan;
    link.vlan = VlanSettings{parent, v.vlan_id.value, false};
    link.up = true;
    if (v.mtu.value != 0) link.mtu = v.mtu.value;
    link.origin = config_origin(v.src.path);
    out_.links.push_back(std::move(link));
    // Talos applies only VLAN addresses written as a prefix and silently skips a bare IP, although
    // validation accepts it; nodenet applies a bare IP as a full-length prefix, as on devices.
    addresses(v.addresses, v.cidr, name);
    routes(v.routes, name);
}

void Builder::addresses(const config::List<config::Text>& list, const config::Text& cidr, const std::string& link) {
    auto add = [&](const config::Text& text) {
        if (auto prefix = take(address_prefix(text)))
            out_.addresses.push_back(Address{link, *prefix, 0, config_origin(text.src.path)});
    };
    for (const config::Text& a : list.items) add(a);
    if (!cidr->empty()) add(cidr);  // deprecated, still applied by Talos
}

void Builder::route(const RouteText& text, const std::string& link, const std::string& path) {
    if (auto r = take(make_route(text, link, config_origin(path), out_.warnings))) out_.routes.push_back(std::move(*r));
}

void Builder::routes(const config::List<config::Route>& list, const std::string& link) {
    for (const config::Route& r : list.items) {
        RouteText text{r.network.value, r.gateway.value, r.source.value, r.metric.value, r.mtu.value, kMainTable};
        route(text, link, r.src.path);
    }
}

// ---- LinkConfig documents ----

void Builder::link_document(const config::Doc<config::LinkDoc>& doc) {
    const config::LinkDoc& l = doc.spec;
    const std::string& label = doc.src.path;
    if (l.name->empty()) {
        errors_.push_back(label + ": name must be specified");
        return;
    }
    const std::string& name = l.name.value;
    if (skip_ignored(name, label)) return;
    Link link;
    link.name = name;
    link.up = l.up.value.value_or(true);  // a LinkConfig brings its link up unless `up: false`
    if (l.mtu.value != 0) link.mtu = l.mtu.value;
    link.origin = config_origin(label);
    out_.links.push_back(std::move(link));
    if (l.multicast.value)
        out_.warnings.push_back(l.multicast.src.path + ": nodenet does not apply the multicast flag yet");

    for (const config::LinkAddress& a : l.addresses.items)
        if (auto prefix = take(address_prefix(a.address)))
            out_.addresses.push_back(Address{name, *prefix, a.route_priority.value, config_origin(a.src.path)});
    for (const config::LinkRoute& r : l.routes.items) {
        auto table = take(route_table(r.table));
        if (!table) continue;
        route(RouteText{r.destination.value, r.gateway.value, r.source.value, r.metric.value, r.mtu.value, *table},
              name, r.src.path);
    }
}

// ---- RoutingRuleConfig documents ----

std::optional<RuleAction> rule_action(const std::string& action) {
    if (action.empty() || action == "unicast") return RuleAction::Lookup;
    if (action == "blackhole") return RuleAction::Blackhole;
    if (action == "unreachable") return RuleAction::Unreachable;
    if (action == "prohibit") return RuleAction::Prohibit;
    return std::nullopt;
}

// Talos's RoutingRuleConfigController: the family comes from `src`, else `dst`; with neither, the
// rule is made for both families.
void Builder::routing_rule_document(const config::Doc<config::RoutingRuleDoc>& doc) {
    const config::RoutingRuleDoc& d = doc.spec;
    const std::string& label = doc.src.path;
    RoutingRule rule;
    auto [end, ec] = std::from_chars(d.name->data(), d.name->data() + d.name->size(), rule.priority);
    if (d.name->empty() || ec != std::errc() || end != d.name->data() + d.name->size())
        return errors_.push_back(label + ": name must be the rule's priority, an unsigned number");
    auto action = rule_action(d.action.value);
    if (!action) return errors_.push_back(d.action.src.path + ": unknown action \"" + d.action.value + "\"");
    rule.action = *action;
    if (rule.action == RuleAction::Lookup) {
        auto table = take(route_table(d.table));
        if (!table) return;
        rule.table = *table;
    }
    for (auto [text, field] : {std::pair{&d.src, &rule.source}, std::pair{&d.dst, &rule.destination}}) {
        if (text->value.empty()) continue;
        auto prefix = parse_ip_prefix(text->value);
        if (!prefix) return errors_.push_back(text->src.path + ": invalid prefix \"" + text->value + "\"");
        *field = prefix->masked();
    }
    if (rule.source && rule.destination && rule.source->family() != rule.destination->family())
        return errors_.push_back(label + ": src and dst are of different families");
    rule.iif = d.iif_name.value;
    rule.oif = d.oif_name.value;
    rule.fwmark = d.fw_mark.value;
    rule.fwmask = d.fw_mask.value;
    rule.origin = config_origin(label);
    std::optional<IpPrefix> named = rule.source ? rule.source : rule.destination;
    for (Family family : {Family::V4, Family::V6}) {
        if (named && named->family() != family) continue;
        rule.family = family;
        out_.rules.push_back(rule);
    }
}

Result<LayeredSpecs> Builder::finish() { return specs_or_errors(std::move(out_), errors_); }

}  // namespace

Result<LayeredSpecs> specs_from_config(const config::Config& config, const KernelState& kernel) {
    Builder b(kernel);
    // Links named by both the v1alpha1 document and a LinkConfig get two specs of this layer;
    // the merge folds them in this order, the LinkConfig last.
    if (config.machine && config.machine->network) b.network(*config.machine->network);
    for (const auto& doc : config.links) b.link_document(doc);
    for (const auto& doc : config.routing_rules) b.routing_rule_document(doc);
    return b.finish();
}

}  // namespace nodenet::state
