#include "state/from_lease_names.h"

#include "dns/dns_name.h"
#include "state/host_from_config.h"

namespace nodenet::state {

namespace {

bool usable_server(const IpAddress& ip) {
    if (ip.is_unspecified()) return false;
    if (ip.family == Family::V4) return ip.bytes[0] != 127 && ip.bytes[0] < 224;
    return ip.bytes[0] != 0xff;  // multicast; ::1 is kept only if a server insists, as glibc would use it
}

bool checked(const std::string& name, const char* what, const Origin& origin, std::vector<std::string>& warnings) {
    auto problem = dns::dns_name_problem(name);
    if (!problem) return true;
    warnings.push_back(origin.source + ": " + what + " " + dns::quoted_name(name) + " refused: " + *problem);
    return false;
}

}  // namespace

void add_lease_names(LayeredSpecs& out, const Origin& origin, const std::string& link, const LeaseNames& names) {
    ResolverSpec r{origin, {}, {}, false, false};
    for (const IpAddress& ip : names.servers)
        if (usable_server(ip)) r.servers.push_back({ip, link});
    for (const std::string& d : names.domains)
        if (checked(d, "search domain", origin, out.warnings)) r.search_domains.push_back({split_host_name(d).fqdn(), link});
    if (!r.servers.empty() || !r.search_domains.empty()) out.resolvers.push_back(std::move(r));

    if (!names.hostname || !checked(*names.hostname, "host name", origin, out.warnings)) return;
    HostName name = split_host_name(*names.hostname);
    if (name.domainname.empty() && names.domain && checked(*names.domain, "domain name", origin, out.warnings))
        name.domainname = split_host_name(*names.domain).fqdn();
    if (dns::valid_dns_name(name.fqdn())) {
        out.hostnames.push_back({origin, std::move(name)});
    } else {
        out.warnings.push_back(origin.source + ": host name " + dns::quoted_name(name.fqdn()) + " refused: " +
                               dns::dns_name_problem(name.fqdn()).value_or("invalid"));
    }
}

}  // namespace nodenet::state
