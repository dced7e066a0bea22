#include "state/host_merge.h"

#include <algorithm>
#include <map>

namespace nodenet::state {

namespace {

template <class T>
void append_new(std::vector<T>& to, const std::vector<T>& items) {
    for (const T& i : items)
        if (std::find(to.begin(), to.end(), i) == to.end()) to.push_back(i);
}

// The specs that contributed, each once, for the plan's reasons.
class Sources {
public:
    void add(const std::string& s) { append_new(list_, {s}); }
    std::string joined() const {
        std::string out;
        for (const std::string& s : list_) out += (out.empty() ? "" : ", ") + s;
        return out;
    }

private:
    std::vector<std::string> list_;
};

// Domains compare by name only: the same domain from two links is searched once.
void append_new_domains(std::vector<SearchDomain>& to, const std::vector<SearchDomain>& items) {
    for (const SearchDomain& d : items)
        if (std::none_of(to.begin(), to.end(), [&](const SearchDomain& t) { return t.name == d.name; }))
            to.push_back(d);
}

std::optional<HostSettings::Hostname> merge_hostname(const std::vector<LayeredSpecs>& layers,
                                                     std::vector<std::string>& warnings) {
    std::optional<HostSettings::Hostname> out;
    std::optional<Origin> winner;
    for (const HostnameSpec* spec : by_layer(layers, &LayeredSpecs::hostnames)) {
        if (spec->name.hostname.empty()) continue;
        if (winner && winner->layer == spec->origin.layer && out->name != spec->name)
            warnings.push_back("host name " + out->name.fqdn() + " (" + origin_text(*winner) + ") is overridden by " +
                               spec->name.fqdn() + " (" + origin_text(spec->origin) + ")");
        out = HostSettings::Hostname{spec->name, origin_text(spec->origin)};
        winner = spec->origin;
    }
    return out;
}

bool has_family(const std::vector<Nameserver>& servers, Family f) {
    return std::any_of(servers.begin(), servers.end(), [f](const Nameserver& n) { return n.address.family == f; });
}

// Talos's "family-aware replace": the new layer's servers, then the old ones of a family it has none of.
std::vector<Nameserver> replace_by_family(const std::vector<Nameserver>& old, const std::vector<Nameserver>& fresh) {
    std::vector<Nameserver> out;
    append_new(out, fresh);
    for (Family f : {Family::V4, Family::V6})
        if (!has_family(fresh, f))
            for (const Nameserver& n : old)
                if (n.address.family == f) append_new(out, {n});
    return out;
}

std::optional<HostSettings::Resolver> merge_resolver(const std::vector<LayeredSpecs>& layers,
                                                     const std::optional<HostSettings::Hostname>& hostname) {
    HostSettings::Resolver r;
    Sources sources;
    std::vector<Nameserver> defaults;
    std::optional<Layer> layer;
    bool named_above_defaults = false;
    for (const ResolverSpec* spec : by_layer(layers, &LayeredSpecs::resolvers)) {
        std::vector<SearchDomain> domains = spec->search_domains;
        if (spec->search_hostname_domain && hostname && !hostname->name.domainname.empty())
            append_new_domains(domains, {{hostname->name.domainname, ""}});
        if (spec->origin.layer != Layer::Default && (!spec->servers.empty() || !domains.empty()))
            named_above_defaults = true;
        bool contributes = !domains.empty() || spec->search_domains_overridden ||
                           (!spec->servers.empty() && spec->origin.layer != Layer::Default);
        if (contributes) sources.add(origin_text(spec->origin));
        if (spec->origin.layer == Layer::Default) defaults.insert(defaults.end(), spec->servers.begin(), spec->servers.end());
        if (!layer || *layer == spec->origin.layer) {
            append_new(r.servers, spec->servers);
            append_new_domains(r.search_domains, domains);
        } else if (spec->origin.layer == Layer::Configuration) {
            if (!spec->servers.empty()) r.servers.clear(), append_new(r.servers, spec->servers);
            if (spec->search_domains_overridden) r.search_domains.clear();
            append_new_domains(r.search_domains, domains);
        } else {
            r.servers = replace_by_family(r.servers, spec->servers);
            std::vector<SearchDomain> joined;
            append_new_domains(joined, domains);
            append_new_domains(joined, r.search_domains);
            r.search_domains = std::move(joined);
        }
        layer = spec->origin.layer;
    }
    if (r.servers.empty() || !named_above_defaults) return std::nullopt;
    // The defaults are named only when some of them made it into the result.
    if (std::any_of(r.servers.begin(), r.servers.end(),
                    [&](const Nameserver& n) { return std::find(defaults.begin(), defaults.end(), n) != defaults.end(); }))
        sources.add("default nameservers");
    r.source = sources.joined();
    return r;
}

bool usable_node_address(const IpPrefix& p) {
    const IpAddress& a = p.addr;
    if (a.family == Family::V4) return a.bytes[0] != 127 && !(a.bytes[0] == 169 && a.bytes[1] == 254);
    bool loopback = std::all_of(a.bytes.begin(), a.bytes.begin() + 15, [](uint8_t b) { return b == 0; }) && a.bytes[15] == 1;
    return !loopback && !(a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80);
}

std::optional<IpAddress> node_address(const DesiredState& d) {
    // The link of the lowest-metric default route, IPv4 before IPv6.
    std::optional<std::tuple<Family, uint32_t, std::string>> uplink;
    for (const auto& [key, route] : d.routes) {
        if (route.destination.len != 0 || route.table != kMainTable) continue;
        auto candidate = std::make_tuple(route.family, route.metric, route.link);
        if (!uplink || candidate < *uplink) uplink = candidate;
    }
    const Address* best = nullptr;
    auto rank = [&](const Address& a) {
        bool on_uplink = uplink && a.link == std::get<2>(*uplink);
        return std::make_tuple(!on_uplink, a.prefix.family(), a.link, a.prefix);
    };
    for (const auto& [key, address] : d.addresses)
        if (usable_node_address(address.prefix) && (!best || rank(address) < rank(*best))) best = &address;
    if (!best) return std::nullopt;
    return best->prefix.addr;
}

std::optional<HostSettings::Hosts> merge_hosts(const std::vector<LayeredSpecs>& layers, const DesiredState& kernel_part,
                                               const std::optional<HostSettings::Hostname>& hostname) {
    HostSettings::Hosts h;
    Sources sources;
    if (hostname) sources.add(hostname->source);
    std::map<IpAddress, std::vector<std::string>> by_ip;
    for (const StaticHostSpec* spec : by_layer(layers, &LayeredSpecs::static_hosts)) {
        append_new(by_ip[spec->host.ip], spec->host.names);
        sources.add(origin_text(spec->origin));
    }
    for (auto& [ip, names] : by_ip)
        if (!names.empty()) h.entries.push_back({ip, std::move(names)});
    if (!hostname && h.entries.empty()) return std::nullopt;
    if (hostname) h.node_address = node_address(kernel_part);
    h.source = sources.joined();
    return h;
}

}  // namespace

HostSettings merge_host(const std::vector<LayeredSpecs>& layers, const DesiredState& kernel_part,
                        std::vector<std::string>& warnings) {
    HostSettings out;
    out.hostname = merge_hostname(layers, warnings);
    out.resolver = merge_resolver(layers, out.hostname);
    out.hosts = merge_hosts(layers, kernel_part, out.hostname);
    return out;
}

}  // namespace nodenet::state
