#include "state/host_from_config.h"

#include "dns/dns_name.h"

namespace nodenet::state {

namespace {

class HostBuilder {
public:
    void network(const config::Network& n, bool stable_hostname);
    void hostname_doc(const config::Doc<config::HostnameDoc>& doc);
    void resolver_doc(const config::Doc<config::ResolverDoc>& doc);
    void static_host_doc(const config::Doc<config::StaticHostDoc>& doc);
    Result<LayeredSpecs> finish();

private:
    bool check_name(const config::Text& name, const char* what);
    void hostname(const config::Text& name);
    std::vector<Nameserver> servers(const config::List<config::Text>& list);
    std::vector<SearchDomain> domains(const config::List<config::Text>& list);
    void static_host(const config::Text& ip, const config::List<config::Text>& names, const std::string& path);

    LayeredSpecs out_;
    std::vector<std::string> errors_;
};

Origin config_origin(const std::string& path) { return Origin{Layer::Configuration, path}; }

bool HostBuilder::check_name(const config::Text& name, const char* what) {
    auto problem = dns::dns_name_problem(name.value);
    if (!problem) return true;
    errors_.push_back(name.src.path + ": " + what + " " + dns::quoted_name(name.value) + " is not a valid DNS name: " +
                      *problem);
    return false;
}

void HostBuilder::hostname(const config::Text& name) {
    if (name.value.empty() || !check_name(name, "host name")) return;
    out_.hostnames.push_back({config_origin(name.src.path), split_host_name(name.value)});
}

std::vector<Nameserver> HostBuilder::servers(const config::List<config::Text>& list) {
    std::vector<Nameserver> out;
    for (const config::Text& t : list.items)
        if (auto ip = parse_ip_address(t.value)) out.push_back({*ip, ""});
    return out;
}

std::vector<SearchDomain> HostBuilder::domains(const config::List<config::Text>& list) {
    std::vector<SearchDomain> out;
    for (const config::Text& t : list.items)
        if (check_name(t, "search domain")) out.push_back({split_host_name(t.value).fqdn(), ""});
    return out;
}

void HostBuilder::static_host(const config::Text& ip, const config::List<config::Text>& names, const std::string& path) {
    auto address = parse_ip_address(ip.value);
    if (!address) {
        errors_.push_back((ip.present ? ip.src.path : path) + ": " + dns::quoted_name(ip.value) + " is not an IP address");
        return;
    }
    StaticHost host{*address, {}};
    for (const config::Text& n : names.items)
        if (check_name(n, "host name")) host.names.push_back(split_host_name(n.value).fqdn());
    out_.static_hosts.push_back({config_origin(path), std::move(host)});
}

void HostBuilder::network(const config::Network& n, bool stable_hostname) {
    hostname(n.hostname);
    if (n.hostname.value.empty() && stable_hostname)
        out_.warnings.push_back("machine.features.stableHostname: nodenet does not make stable host names yet; the "
                                "host name is left as it is");
    // Named by what it holds: the servers, else the domains, else the host name whose domain it adds.
    // The origin is known before the spec is built, so every member is initialised once (an empty
    // origin assigned afterwards made GCC 12 -O3 warn that its string may be used uninitialised).
    std::vector<Nameserver> listed = servers(n.nameservers);
    const char* source = !listed.empty()            ? "machine.network.nameservers"
                         : n.search_domains.present ? "machine.network.searchDomains"
                                                    : "machine.network.hostname";
    out_.resolvers.push_back({config_origin(source), std::move(listed), domains(n.search_domains),
                              n.search_domains.present, !config::is_true(n.disable_search_domain)});
    for (const config::ExtraHost& h : n.extra_host_entries.items) static_host(h.ip, h.aliases, h.src.path);
}

void HostBuilder::hostname_doc(const config::Doc<config::HostnameDoc>& doc) {
    if (doc.spec.auto_mode.value == "stable" && doc.spec.hostname.value.empty())
        out_.warnings.push_back(doc.src.path + ": auto: stable: nodenet does not make stable host names yet; the host "
                                "name is left as it is");
    hostname(doc.spec.hostname);
}

void HostBuilder::resolver_doc(const config::Doc<config::ResolverDoc>& doc) {
    const config::ResolverDoc& d = doc.spec;
    out_.resolvers.push_back({config_origin(doc.src.path), servers(d.nameservers), domains(d.search_domains),
                              d.search_domains.present, !config::is_true(d.disable_default)});
}

void HostBuilder::static_host_doc(const config::Doc<config::StaticHostDoc>& doc) {
    static_host(doc.spec.name, doc.spec.hostnames, doc.src.path);
}

Result<LayeredSpecs> HostBuilder::finish() { return specs_or_errors(std::move(out_), errors_); }

}  // namespace

std::vector<IpAddress> talos_default_nameservers() {
    return {*parse_ip_address("1.1.1.1"), *parse_ip_address("8.8.8.8")};
}

HostName split_host_name(std::string_view fqdn) {
    if (!fqdn.empty() && fqdn.back() == '.') fqdn.remove_suffix(1);
    size_t dot = fqdn.find('.');
    if (dot == std::string_view::npos) return {std::string(fqdn), ""};
    return {std::string(fqdn.substr(0, dot)), std::string(fqdn.substr(dot + 1))};
}

ResolverSpec default_resolver(const std::vector<IpAddress>& servers) {
    ResolverSpec r{Origin{Layer::Default, "default nameservers"}, {}, {}, false, false};
    for (const IpAddress& ip : servers) r.servers.push_back({ip, ""});
    return r;
}

Result<LayeredSpecs> host_specs_from_config(const config::Config& config) {
    HostBuilder b;
    if (config.machine)
        b.network(config.machine->network.value_or(config::Network{}), config::is_true(config.machine->stable_hostname));
    for (const auto& doc : config.hostnames) b.hostname_doc(doc);
    for (const auto& doc : config.resolvers) b.resolver_doc(doc);
    for (const auto& doc : config.static_hosts) b.static_host_doc(doc);
    return b.finish();
}

}  // namespace nodenet::state
