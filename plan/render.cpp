#include "plan/render.h"

#include <cstdio>
#include <map>

#include "common/overloaded.h"
#include "plan/diff.h"

namespace nodenet::plan {

namespace {

std::string route_text(const state::Route& r) {
    std::string s = "route " + (r.destination.len == 0 ? std::string("default") : r.destination.masked().str());
    if (r.gateway) s += " via " + r.gateway->str();
    if (r.source) s += " src " + r.source->str();
    if (r.table != state::kMainTable) s += " table " + std::to_string(r.table);
    s += " metric " + std::to_string(r.metric);
    if (r.scope == state::RouteScope::Link) s += " scope link";
    if (r.mtu) s += " mtu " + std::to_string(r.mtu);
    return s;
}

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

std::string table_text(uint32_t table) {
    switch (table) {
        case 253: return "default";
        case 254: return "main";
        case 255: return "local";
        default: return std::to_string(table);
    }
}

// As `ip rule` prints it: "rule 32500: from all fwmark 0x40/0x60 lookup 180".
std::string rule_text(const state::RoutingRule& r) {
    std::string s = "rule " + std::to_string(r.priority) + ": from ";
    s += r.source && r.source->len ? r.source->masked().str() : "all";
    if (r.destination && r.destination->len) s += " to " + r.destination->masked().str();
    if (r.fwmark || r.fwmask) {
        s += " fwmark " + hex(r.fwmark);
        if (r.fwmask && r.fwmask != 0xFFFFFFFF) s += "/" + hex(r.fwmask);
    }
    if (!r.iif.empty()) s += " iif " + r.iif;
    if (!r.oif.empty()) s += " oif " + r.oif;
    switch (r.action) {
        case state::RuleAction::Lookup: s += " lookup " + table_text(r.table); break;
        case state::RuleAction::Blackhole: s += " blackhole"; break;
        case state::RuleAction::Unreachable: s += " unreachable"; break;
        case state::RuleAction::Prohibit: s += " prohibit"; break;
        default: s += " action " + std::to_string(static_cast<int>(r.action)); break;
    }
    return s;
}

std::string address_text(const state::Address& a) {
    std::string s = "address " + a.prefix.str();
    if (a.priority) s += " metric " + std::to_string(a.priority);
    if (a.valid_lifetime) s += " valid " + std::to_string(*a.valid_lifetime) + " s";
    if (a.preferred_lifetime && a.preferred_lifetime != a.valid_lifetime)
        s += " preferred " + std::to_string(*a.preferred_lifetime) + " s";
    return s;
}

std::string bridge_text(const state::BridgeSettings& b) {
    return std::string("stp ") + (b.stp ? "on" : "off") + ", vlan filtering " + (b.vlan_filtering ? "on" : "off");
}

std::string attributes_text(const LinkAttributes& to, const LinkAttributes& from) {
    std::string s;
    auto add = [&s](const std::string& part) { s += (s.empty() ? "" : ", ") + part; };
    if (to.up) add(std::string(*from.up ? "up" : "down") + " -> " + (*to.up ? "up" : "down"));
    if (to.mtu) add("mtu " + (from.mtu ? std::to_string(*from.mtu) : "?") + " -> " + std::to_string(*to.mtu));
    if (to.master) {
        std::string before = from.master && !from.master->empty() ? *from.master : "none";
        add("master " + before + " -> " + (to.master->empty() ? "none" : *to.master));
    }
    if (to.bridge) add(from.bridge ? bridge_text(*from.bridge) + " -> " + bridge_text(*to.bridge) : bridge_text(*to.bridge));
    return s;
}

// Never a private or preshared key: only whether it is set or changes. Peers by public key.
std::string wireguard_text(const ConfigureWireguard& c) {
    const wireguard::DeviceConfig to = wireguard::normalized(*c.to);
    std::string s = "wireguard";
    auto add = [&s](const std::string& part) { s += (s == "wireguard" ? " " : ", ") + part; };
    if (!c.from) {
        if (to.private_key) add("private key set");
        add("listen port " + (to.listen_port ? std::to_string(to.listen_port) : std::string("any")));
        if (to.firewall_mark) add("fwmark " + std::to_string(to.firewall_mark));
        add(std::to_string(to.peers.size()) + (to.peers.size() == 1 ? " peer" : " peers"));
        return s;
    }
    const wireguard::DeviceConfig from = wireguard::normalized(*c.from);
    if (to.private_key != from.private_key) add(to.private_key ? "private key changes" : "private key removed");
    if (to.listen_port && to.listen_port != from.listen_port)
        add("listen port " + std::to_string(from.listen_port) + " -> " + std::to_string(to.listen_port));
    if (to.firewall_mark != from.firewall_mark)
        add("fwmark " + std::to_string(from.firewall_mark) + " -> " + std::to_string(to.firewall_mark));
    std::map<wireguard::Key, const wireguard::PeerConfig*> before;
    for (const wireguard::PeerConfig& p : from.peers) before[p.public_key] = &p;
    for (const wireguard::PeerConfig& p : to.peers) {
        auto it = before.find(p.public_key);
        if (it == before.end()) add("+peer " + wireguard::to_base64(p.public_key));
        else if (!wireguard::device_matches(wireguard::DeviceConfig{{}, 0, 0, {p}},
                                            wireguard::DeviceConfig{{}, 0, 0, {*it->second}}))
            add("~peer " + wireguard::to_base64(p.public_key));
        if (it != before.end()) before.erase(it);
    }
    for (const auto& [key, p] : before) add("-peer " + wireguard::to_base64(key));
    return s;
}

std::string link_text(const state::Link& l) {
    std::string s = std::string("link ") + kernel_kind(l.kind);
    if (l.vlan) s += " on " + l.vlan->parent + " id " + std::to_string(l.vlan->id);
    if (l.bridge) s += " (" + bridge_text(*l.bridge) + ")";
    if (l.bond && !l.bond->mode.empty()) s += " mode " + l.bond->mode;
    if (l.mtu) s += ", mtu " + std::to_string(*l.mtu);
    if (l.master) s += ", master " + *l.master;
    if (l.up) s += *l.up ? ", up" : ", down";
    return s;
}

char sign(const Operation& op) {
    return std::visit(Overloaded{[](const CreateLink&) { return '+'; }, [](const AddAddress&) { return '+'; },
                                 [](const AddRoute&) { return '+'; }, [](const AddRule&) { return '+'; },
                                 [](const SetLink&) { return '~'; },
                                 [](const ReplaceRoute&) { return '~'; }, [](const ConfigureWireguard&) { return '~'; },
                                 [](const UpdateAddress&) { return '~'; },
                                 [](const auto&) { return '-'; }},
                      op.change);
}

const char* action_name(const Operation& op) {
    return std::visit(Overloaded{[](const CreateLink&) { return "create_link"; },
                                 [](const DeleteLink&) { return "delete_link"; },
                                 [](const SetLink&) { return "set_link"; },
                                 [](const AddAddress&) { return "add_address"; },
                                 [](const DeleteAddress&) { return "delete_address"; },
                                 [](const AddRoute&) { return "add_route"; },
                                 [](const DeleteRoute&) { return "delete_route"; },
                                 [](const ReplaceRoute&) { return "replace_route"; },
                                 [](const ConfigureWireguard&) { return "configure_wireguard"; },
                                 [](const UpdateAddress&) { return "update_address"; },
                                 [](const AddRule&) { return "add_rule"; },
                                 [](const DeleteRule&) { return "delete_rule"; }},
                      op.change);
}

// The heading a host operation is shown under: the file, "host name", or the resolved link.
std::string host_group(const HostOperation& op) {
    return std::visit(Overloaded{[](const WriteFile& w) { return w.path; },
                                 [](const SetHostname&) { return std::string("host name"); },
                                 [](const SetLinkDns& s) { return "systemd-resolved " + s.link; },
                                 [](const RevertLinkDns& r) { return "systemd-resolved " + r.link; }},
                      op.change);
}

}  // namespace

std::string describe(const Operation& op) {
    std::string body = std::visit(
        Overloaded{[](const CreateLink& c) { return link_text(*c.link); },
                   [](const DeleteLink& c) { return link_text(*c.link); },
                   [](const SetLink& c) { return attributes_text(c.to, c.from); },
                   [](const AddAddress& c) { return address_text(c.address); },
                   [](const DeleteAddress& c) { return address_text(c.address); },
                   [](const AddRoute& c) { return route_text(c.route); },
                   [](const DeleteRoute& c) { return route_text(c.route); },
                   [](const ReplaceRoute& c) { return route_text(c.from) + " -> " + route_text(c.to).substr(6); },
                   [](const ConfigureWireguard& c) { return wireguard_text(c); },
                   [](const UpdateAddress& c) { return address_text(c.address); },
                   [](const AddRule& c) { return rule_text(c.rule); },
                   [](const DeleteRule& c) { return rule_text(c.rule); }},
        op.change);
    return std::string(1, sign(op)) + " " + body;
}

std::string render_text(const Plan& plan, bool color) {
    const char* green = color ? "\033[32m" : "";
    const char* yellow = color ? "\033[33m" : "";
    const char* red = color ? "\033[31m" : "";
    const char* dim = color ? "\033[2m" : "";
    const char* bold = color ? "\033[1m" : "";
    const char* reset = color ? "\033[0m" : "";
    // Grouped by link in the order links first appear; within a link, execution order.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Operation*>> groups;
    for (const Operation& op : plan.operations) {
        if (!groups.count(op.link())) order.push_back(op.link());
        groups[op.link()].push_back(&op);
    }
    std::string out;
    size_t adds = 0, changes = 0, removes = 0;
    for (const std::string& link : order) {
        out += std::string(bold) + link + reset + "\n";
        for (const Operation* op : groups[link]) {
            char s = sign(*op);
            (s == '+' ? adds : s == '~' ? changes : removes)++;
            out += std::string("  ") + (s == '+' ? green : s == '~' ? yellow : red) + describe(*op) + reset + dim +
                   "    # " + op->reason + reset + "\n";
        }
    }
    for (const HostOperation& op : plan.host_operations) {
        std::string line = describe(op);
        char s = line[0];
        (s == '+' ? adds : s == '~' ? changes : removes)++;
        out += std::string(bold) + host_group(op) + reset + "\n  " + (s == '+' ? green : s == '~' ? yellow : red) +
               line + reset + dim + "    # " + op.reason + reset + "\n";
    }
    for (const Conflict& c : plan.conflicts)
        out += std::string(red) + "! " + c.link + ": " + c.what + ": " + c.holder + "; nodenet will not touch it" + reset +
               dim + "    # " + c.reason + reset + "\n";
    for (const std::string& w : plan.warnings) out += std::string(yellow) + "warning: " + w + reset + "\n";
    if (plan.empty())
        out += "No changes: the kernel matches the config.\n";
    else
        out += "Plan: " + std::to_string(adds) + " to add, " + std::to_string(changes) + " to change, " +
               std::to_string(removes) + " to remove.\n";
    return out;
}

nlohmann::json render_json(const Plan& plan) {
    nlohmann::json ops = nlohmann::json::array();
    for (const Operation& op : plan.operations)
        ops.push_back({{"action", action_name(op)}, {"link", op.link()}, {"change", describe(op)}, {"reason", op.reason}});
    for (const HostOperation& op : plan.host_operations)
        ops.push_back({{"action", action_name(op)}, {"target", host_group(op)}, {"change", describe(op)}, {"reason", op.reason}});
    nlohmann::json conflicts = nlohmann::json::array();
    for (const Conflict& c : plan.conflicts)
        conflicts.push_back({{"link", c.link}, {"what", c.what}, {"holder", c.holder}, {"reason", c.reason}});
    return {{"operations", ops}, {"conflicts", conflicts}, {"warnings", plan.warnings}};
}

}  // namespace nodenet::plan
