// machine.network.interfaces: membership, interface/selector, addressing, routes, VLANs
// (reference §4.1, §4.2, §4.5). Messages are Talos's, word for word.
#include <map>

#include "config/go_syntax.h"
#include "config/rules.h"

namespace nodenet::config {

namespace {

constexpr const char* kBothSections =
    "[networking.os.device.interface], [networking.os.device.deviceSelector]: ";

std::string q(std::string_view s) { return go::quote(s); }

// §4.1: a link may belong to one bond or bridge only. Ignored devices count too.
std::map<std::string, std::string> check_membership(const Network& n, Diagnostics& out) {
    std::map<std::string, std::string> owner;  // member -> device that lists it (last wins)
    for (const Device& d : n.interfaces.items) {
        const std::string& name = d.interface.value;
        if (d.bond && d.bridge)
            out.error(d.bridge->src.mark, d.bridge->src.path,
                      "interface has both bridge and bond sections set " + q(name) +
                          ": config sections are mutually exclusive");
        if (d.bond && !d.bond->interfaces.items.empty() && !d.bond->device_selectors.items.empty())
            out.error(d.bond->device_selectors.src.mark, d.bond->device_selectors.src.path,
                      "interface " + q(name) + " has both interfaces and selectors set: config sections are mutually exclusive");
        const List<Text>* members = d.bridge ? &d.bridge->interfaces : d.bond ? &d.bond->interfaces : nullptr;
        if (!members) continue;
        for (const Text& m : members->items) {
            auto it = owner.find(m.value);
            if (it != owner.end() && it->second != name)
                out.error(m.src.mark, m.src.path,
                          "interface " + q(m.value) + " is declared as part of two separate links: " +
                              q(it->second) + " and " + q(name));
            owner[m.value] = name;
        }
    }
    return owner;
}

void check_interface(const Device& d, Diagnostics& out) {
    bool has_name = !d.interface.value.empty();
    if (!has_name && !d.device_selector)
        out.error(d.src.mark, d.src.path, std::string(kBothSections) + "required either config section to be set");
    if (has_name && d.device_selector)
        out.error(d.device_selector->src.mark, d.device_selector->src.path,
                  std::string(kBothSections) + "config sections are mutually exclusive");
    if (const auto& s = d.device_selector) {
        bool any = !s->bus_path->empty() || !s->hardware_addr->empty() || !s->permanent_addr->empty() ||
                   !s->pci_id->empty() || !s->driver->empty() || s->physical->has_value();
        if (!any)
            out.error(s->src.mark, s->src.path,
                      "[networking.os.device.deviceSelector]: config section should contain at least one field");
    }
    if (d.bond) check_bond(*d.bond, out);
    if (d.wireguard) check_wireguard(*d.wireguard, out);
}

void check_vlans(const Device& d, Diagnostics& out) {
    for (const Vlan& v : d.vlans.items) {
        std::string label = d.interface.value + "." + std::to_string(v.vlan_id.value);
        if (!v.addresses.items.empty() && !v.cidr->empty())
            out.error(v.cidr.src.mark, v.cidr.src.path,
                      "[networking.os.device.vlan] " + label + ": vlan can't have both .cidr and .addresses set");
        if (!v.cidr->empty())
            if (auto err = go::validate_ip_or_cidr(v.cidr.value))
                out.error(v.cidr.src.mark, v.cidr.src.path, "[networking.os.device.vlan.CIDR] " + label + ": " + *err);
        for (const Text& a : v.addresses.items)
            if (auto err = go::validate_ip_or_cidr(a.value))
                out.error(a.src.mark, a.src.path, "[networking.os.device.vlan.addresses] " + label + ": " + *err);
    }
}

void check_addressing(const Device& d, const std::map<std::string, std::string>& owner, Diagnostics& out) {
    const std::string& name = d.interface.value;
    bool addressed = is_true(d.dhcp) || !d.cidr->empty() || !d.addresses.items.empty() || d.vip.has_value();
    if (owner.count(name) && addressed) {
        const Source& at = d.interface.present ? d.interface.src : d.src;
        out.error(at.mark, at.path,
                  "[networking.os.device] " + q(name) +
                      ": bonded/bridged interface shouldn't have any addressing methods configured");
    }
    if (!d.addresses.items.empty() && !d.cidr->empty())
        out.error(d.cidr.src.mark, d.cidr.src.path,
                  "[networking.os.device] " + q(name) + ": interface can't have both .cidr and .addresses set");
    if (!d.cidr->empty()) {
        if (auto err = go::validate_ip_or_cidr(d.cidr.value))
            out.error(d.cidr.src.mark, d.cidr.src.path, "[networking.os.device.CIDR] " + q(name) + ": " + *err);
        out.warning(d.cidr.src.mark, d.cidr.src.path,
                    q(name) + ": machine.network.interface.cidr is deprecated, please use machine.network.interface.addresses");
    }
    for (const Text& a : d.addresses.items)
        if (auto err = go::validate_ip_or_cidr(a.value))
            out.error(a.src.mark, a.src.path, "[networking.os.device.addresses] " + q(name) + ": " + *err);
    if (d.vip && !go::parse_ip(d.vip->ip.value)) {
        const Source& at = d.vip->ip.present ? d.vip->ip.src : d.vip->src;
        out.error(at.mark, at.path, "[networking.os.device.vip] failed to parse " + q(d.vip->ip.value) + " as IP address");
    }
}

void check_routes(const Device& d, Diagnostics& out) {
    for (const Route& r : d.routes.items) {
        std::string idx = "[networking.os.device.route[" + std::to_string(index_in_file(r.src)) + "]";
        if (!r.network->empty() && !go::parse_cidr(r.network.value))
            out.error(r.network.src.mark, r.network.src.path,
                      idx + ".network] " + q(r.network.value) + ": invalid network address");
        if (!r.gateway->empty() && !go::parse_ip(r.gateway.value))
            out.error(r.gateway.src.mark, r.gateway.src.path,
                      idx + ".gateway] " + q(r.gateway.value) + ": invalid network address");
        if (r.network->empty() && r.gateway->empty())
            out.error(r.src.mark, r.src.path, idx + "]: either network or gateway should be set");
        if (!r.source->empty() && !go::parse_ip(r.source.value))
            out.error(r.source.src.mark, r.source.src.path,
                      idx + ".source] " + q(r.source.value) + ": invalid network address");
    }
}

}  // namespace

void check_devices(const Network& n, Diagnostics& out) {
    auto owner = check_membership(n, out);
    for (const Device& d : n.interfaces.items) {
        if (is_true(d.ignore)) continue;
        check_interface(d, out);
        check_vlans(d, out);
        check_addressing(d, owner, out);
        check_routes(d, out);
    }
}

}  // namespace nodenet::config
