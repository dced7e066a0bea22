// What a lease's names become in the files, checked line by line: whatever a server sends, the
// resolv.conf and /etc/hosts rendered from the lease's specs hold exactly the lines their layout
// has — a server cannot add a line, a comment or a directive. Shared by the DHCP fuzzers.
#pragma once

#include <cstddef>
#include <string>

#include "dns/dns_name.h"
#include "fuzz/fuzz_check.h"
#include "dns/hosts_file.h"
#include "dns/resolv_conf.h"
#include "state/layers.h"

namespace nodenet::fuzz {

inline size_t lines(const std::string& text) {
    size_t n = 0;
    for (char c : text) n += c == '\n';
    check(!text.empty() && text.back() == '\n');
    return n;
}

inline void check_lease_names(const state::LayeredSpecs& specs) {
    for (const state::ResolverSpec& r : specs.resolvers) {
        state::HostSettings::Resolver merged{r.servers, r.search_domains, ""};
        for (const state::SearchDomain& d : r.search_domains) check(dns::valid_dns_name(d.name));
        if (merged.servers.empty()) continue;
        dns::ResolvConf conf = dns::render_resolv_conf(merged);
        size_t servers = std::min(merged.servers.size(), dns::kMaxResolvConfServers);
        check(lines(conf.content) == 1 + servers + (merged.search_domains.empty() ? 0 : 2));
    }
    for (const state::HostnameSpec& h : specs.hostnames) {
        check(dns::valid_dns_name(h.name.fqdn()));
        state::HostSettings::Hosts hosts{state::IpAddress{}, {}, ""};
        std::string text = dns::render_hosts(hosts, state::HostSettings::Hostname{h.name, ""});
        check(lines(text) == 6);  // header, localhost, the node, ::1, ff02::1, ff02::2
    }
}

}  // namespace nodenet::fuzz
