// The multi-document network kinds: their own rules (reference §7.1) and their conflicts with
// the v1alpha1 document (§7.3). Talos parses typed fields (prefixes, addresses, enums) while
// decoding; those errors are reported here with Go's wording.
#include <string>
#include <utility>

#include "common/hex_bytes.h"
#include "config/go_syntax.h"
#include "config/validate.h"

namespace nodenet::config {

namespace {

constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxName = 253;

bool is_unspecified(const go::Ip& ip) {
    size_t len = ip.v6 ? 16 : 4;
    for (size_t i = 0; i < len; ++i)
        if (ip.bytes[i] != 0) return false;
    return true;
}

void check_hostname(const Doc<HostnameDoc>& d, Diagnostics& out) {
    const HostnameDoc& h = d.spec;
    const std::string& mode = h.auto_mode.value;
    if (!mode.empty() && mode != "stable" && mode != "off")
        out.error(h.auto_mode.src.mark, h.auto_mode.src.path, "invalid value for 'auto': " + mode);
    if (mode.empty() && h.hostname->empty())
        out.error(d.src.mark, d.src.path, "either 'auto' or 'hostname' must be set");
    if (!mode.empty() && mode != "off" && !h.hostname->empty())
        out.error(h.hostname.src.mark, h.hostname.src.path, "'auto' and 'hostname' cannot be set at the same time");
    const std::string& name = h.hostname.value;
    if (name.empty()) return;
    std::string label = name.substr(0, name.find('.'));
    // Talos checks both: a long name with a long first label gets two errors.
    if (name.size() > kMaxName)
        out.error(h.hostname.src.mark, h.hostname.src.path, "fqdn is too long: " + std::to_string(name.size()));
    if (label.empty() || label.size() > kMaxLabel)
        out.error(h.hostname.src.mark, h.hostname.src.path, "invalid hostname " + go::quote(label));
}

void check_resolver(const Doc<ResolverDoc>& d, Diagnostics& out) {
    for (const Text& ns : d.spec.nameservers.items) {
        // Go decodes an empty or absent address to the zero netip.Addr without error: v1.12/v1.13
        // accept the entry, later Talos refuses it with the message quoted here.
        if (ns.value.empty()) {
            out.warning(ns.src.mark, ns.src.path,
                        "nameserver address is empty; later Talos versions refuse it (\"nameserver address must "
                        "be a valid IP: entry " + std::to_string(index_in_file(ns.src)) + "\")");
            continue;
        }
        if (auto ip = go::parse_addr(ns.value); !ip.ok()) out.error(ns.src.mark, ns.src.path, ip.error());
    }
}

void check_static_host(const Doc<StaticHostDoc>& d, Diagnostics& out) {
    const StaticHostDoc& s = d.spec;
    // Talos reports an empty name twice: it is missing, and "" is no IP address either.
    if (s.name->empty()) out.error(d.src.mark, d.src.path, "name is required");
    if (!go::parse_addr(s.name.value).ok()) {
        const Source& at = where(s.name, d.src);
        out.error(at.mark, at.path, "name must be a valid IP address");
    }
    if (s.hostnames.items.empty()) {
        const Source& at = s.hostnames.present ? s.hostnames.src : d.src;
        out.error(at.mark, at.path, "at least one hostname is required");
    }
}

void check_link(const Doc<LinkDoc>& d, Diagnostics& out) {
    const LinkDoc& l = d.spec;
    if (l.name->empty()) out.error(d.src.mark, d.src.path, "name must be specified");
    for (const LinkAddress& a : l.addresses.items) {
        const std::string n = std::to_string(index_in_file(a.src));
        if (a.address->empty()) {
            out.error(a.src.mark, a.src.path, "address " + n + " must be specified");
        } else if (auto p = go::parse_prefix(a.address.value); !p.ok()) {
            out.error(a.address.src.mark, a.address.src.path, p.error());
        } else if (is_unspecified(p->addr)) {
            out.error(a.address.src.mark, a.address.src.path, "address " + n + " must be a valid IP address");
        }
    }
    for (const LinkRoute& r : l.routes.items) {
        const std::string n = "route " + std::to_string(index_in_file(r.src));
        if (!r.destination->empty()) {
            if (auto p = go::parse_prefix(r.destination.value); !p.ok())
                out.error(r.destination.src.mark, r.destination.src.path, p.error());
            else if (is_unspecified(p->addr))
                out.error(r.destination.src.mark, r.destination.src.path, n + " destination must be a valid IP prefix");
        }
        for (const Text* t : {&r.gateway, &r.source}) {
            if (t->value.empty()) continue;
            const char* what = t == &r.gateway ? " gateway" : " source";
            if (auto ip = go::parse_addr(t->value); !ip.ok())
                out.error(t->src.mark, t->src.path, ip.error());
            else if (is_unspecified(ip.value()))
                out.error(t->src.mark, t->src.path, n + what + " must be a valid IP address");
        }
    }
}

void check_dhcp(const Doc<DhcpDoc>& d, Diagnostics& out) {
    const DhcpDoc& c = d.spec;
    if (c.name->empty()) out.error(d.src.mark, d.src.path, "name must be specified");
    const std::string& id = c.client_identifier.value;
    if (!id.empty() && id != "none" && id != "mac" && id != "duid")
        out.error(c.client_identifier.src.mark, c.client_identifier.src.path,
                  "invalid client identifier " + go::quote(id) + " (one of none, mac, duid)");
    auto duid = parse_hex_bytes(c.duid_raw.value);
    if (!duid)
        out.error(c.duid_raw.src.mark, c.duid_raw.src.path,
                  "invalid duidRaw " + go::quote(c.duid_raw.value) + ": expected hex bytes like 00:01:ab");
    else if (!duid->empty() && id != "duid")
        out.error(c.duid_raw.src.mark, c.duid_raw.src.path, "duidRaw can only be set if clientIdentifier is 'duid'");
    if (duid && duid->empty() && id == "duid")
        out.error(c.client_identifier.src.mark, c.client_identifier.src.path,
                  "duidRaw must be set if clientIdentifier is 'duid'");
}

// Talos's reserved rule priorities: the kernel's local, main and default rules, and KubeSpan's.
constexpr uint32_t kReservedRulePriorities[] = {0, 32500, 32766, 32767};

// strconv.ParseUint(s, 10, 32): the value Go returns (0 on a syntax error, the maximum when out
// of range) and its error text, "" when none.
std::pair<uint32_t, std::string> go_parse_uint32(const std::string& s) {
    auto fail = [&](uint32_t value, const char* why) {
        return std::pair{value, "strconv.ParseUint: parsing " + go::quote(s) + ": " + why};
    };
    if (s.empty()) return fail(0, "invalid syntax");
    uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return fail(0, "invalid syntax");
        n = n * 10 + static_cast<uint64_t>(c - '0');
        if (n > 0xFFFFFFFFull) return fail(0xFFFFFFFF, "value out of range");
    }
    return {static_cast<uint32_t>(n), ""};
}

void check_routing_rule(const Doc<RoutingRuleDoc>& d, Diagnostics& out) {
    const RoutingRuleDoc& r = d.spec;
    const Source& name_at = where(r.name, d.src);
    if (r.name->empty()) out.error(d.src.mark, d.src.path, "name must be specified");
    auto [priority, error] = go_parse_uint32(r.name.value);
    if (!error.empty())
        out.error(name_at.mark, name_at.path, "invalid name: must be priority parsable unsigned integer: " + error);
    // A name that does not parse is priority 0 to Talos, hence reserved too.
    for (uint32_t reserved : kReservedRulePriorities)
        if (priority == reserved)
            out.error(name_at.mark, name_at.path,
                      "priority must be between 1 and 32765 (excluding reserved priorities [0 32500 32766 32767])");
    for (const Text* t : {&r.src, &r.dst})
        if (!t->value.empty())
            if (auto p = go::parse_prefix(t->value); !p.ok()) out.error(t->src.mark, t->src.path, p.error());
    const std::string& action = r.action.value;
    bool unicast = action.empty() || action == "unicast";
    if (!unicast && action != "blackhole" && action != "unreachable" && action != "prohibit")
        out.error(r.action.src.mark, r.action.src.path,
                  "invalid action " + go::quote(action) + " (one of unicast, blackhole, unreachable, prohibit)");
    const std::string& table = r.table.value;
    if (!table.empty() && table != "main" && table != "local" && table != "default" && table != "unspec" &&
        !go_parse_uint32(table).second.empty())
        out.error(r.table.src.mark, r.table.src.path,
                  "unknown routing table " + go::quote(table) + " (use main, local, default or a number)");
    bool no_table = table.empty() || table == "unspec" || table == "0";
    if (no_table && unicast) out.error(d.src.mark, d.src.path, "either table or a non-unicast action must be specified");
    if (r.fw_mask.value != 0 && r.fw_mark.value == 0)
        out.error(r.fw_mask.src.mark, r.fw_mask.src.path, "fwMask requires fwMark to be set");
}

void check_kubespan_doc(const Doc<KubeSpanDoc>& d, const Config& config, Diagnostics& out) {
    const KubeSpan& k = d.spec.spec;
    if (k.mtu.present && k.mtu.value < 1280)
        out.error(k.mtu.src.mark, k.mtu.src.path, "kubespan link MTU must be at least 1280");
    for (const Text& f : k.filters.exclude_advertised_networks.items)
        if (auto p = go::parse_prefix(f.value); !p.ok()) out.error(f.src.mark, f.src.path, p.error());
    KubeSpan endpoints_only = k;
    endpoints_only.filters.exclude_advertised_networks.items.clear();
    check_kubespan_filters(endpoints_only, out);
    const MachineConfig* m = config.machine ? &*config.machine : nullptr;
    bool discovery = m && m->discovery && is_true(m->discovery->enabled);
    // With Talos 1.14 discovery documents, check_discovery_documents reports this as 1.14 does (an error).
    if (is_true(k.enabled) && !discovery && !config.has_discovery_documents())
        out.warning(k.enabled.src.mark, k.enabled.src.path,
                    "KubeSpan requires cluster discovery to be enabled (.cluster.discovery.enabled)");
}

void check_kubespan_endpoints(const Doc<KubeSpanEndpointsDoc>& d, Diagnostics& out) {
    for (const Text& e : d.spec.extra_announced_endpoints.items) {
        if (e.value.empty()) continue;  // netip.AddrPort decodes "" to the zero value without error
        auto hp = go::split_host_port(e.value);
        auto addr = hp.ok() ? go::parse_addr(hp->first) : Result<go::Ip>(Error{""});
        // netip.ParseAddrPort: brackets are for IPv6 only ("[1.2.3.4]:80" is refused).
        bool bracketed = e.value.front() == '[';
        bool ok = addr.ok() && bracketed == addr->v6 && !hp->second.empty() && hp->second.size() <= 5 &&
                  hp->second.find_first_not_of("0123456789") == std::string::npos && std::stoi(hp->second) <= 65535;
        if (!ok) out.error(e.src.mark, e.src.path, "ParseAddrPort(" + go::quote(e.value) + "): invalid address and port");
    }
}

// §7.3: a setting may come from the v1alpha1 document or from its new document, not from both.
void check_conflicts(const Config& config, Diagnostics& out) {
    if (!config.machine) return;
    const MachineConfig& m = *config.machine;
    const Network* n = m.network ? &*m.network : nullptr;
    for (const auto& d : config.hostnames) {
        if (n && !n->hostname->empty()) out.error(d.src.mark, d.src.path, "static hostname is already set in v1alpha1 config");
        if (is_true(m.stable_hostname)) out.error(d.src.mark, d.src.path, "stable hostname is already set in v1alpha1 config");
    }
    for (const auto& d : config.resolvers) {
        if (!n) break;
        if (n->search_domains.present)
            out.error(d.src.mark, d.src.path, ".machine.network.searchDomains is already set in v1alpha1 config");
        bool any_ns = false;
        for (const Text& ns : n->nameservers.items) any_ns = any_ns || go::parse_addr(ns.value).ok();
        if (any_ns) out.error(d.src.mark, d.src.path, ".machine.network.nameservers is already set in v1alpha1 config");
        if (is_true(n->disable_search_domain))
            out.error(d.src.mark, d.src.path, ".machine.network.disableSearchDomain is already set in v1alpha1 config");
    }
    for (const auto& d : config.kubespan)
        if (n && n->kubespan)
            out.error(d.src.mark, d.src.path, "kubespan is already configured in v1alpha1 machine.network.kubespan");
}

}  // namespace

void check_documents(const Config& config, Diagnostics& out) {
    for (const auto& d : config.hostnames) check_hostname(d, out);
    for (const auto& d : config.resolvers) check_resolver(d, out);
    for (const auto& d : config.static_hosts) check_static_host(d, out);
    for (const auto& d : config.links) check_link(d, out);
    for (const auto& d : config.dhcp) check_dhcp(d, out);
    for (const auto& d : config.routing_rules) check_routing_rule(d, out);
    for (const auto& d : config.kubespan) check_kubespan_doc(d, config, out);
    for (const auto& d : config.kubespan_endpoints) check_kubespan_endpoints(d, out);
    check_conflicts(config, out);
}

}  // namespace nodenet::config
