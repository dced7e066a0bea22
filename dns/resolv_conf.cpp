#include "dns/resolv_conf.h"

#include "dns/dns_name.h"

namespace nodenet::dns {

namespace {

bool link_local_v6(const state::IpAddress& ip) {
    return ip.family == state::Family::V6 && ip.bytes[0] == 0xfe && (ip.bytes[1] & 0xc0) == 0x80;
}

}  // namespace

std::string server_text(const state::Nameserver& server) {
    std::string s = server.address.str();
    if (link_local_v6(server.address) && valid_dns_name(server.link)) s += "%" + server.link;
    return s;
}

ResolvConf render_resolv_conf(const state::HostSettings::Resolver& resolver) {
    ResolvConf out;
    out.content = "# Written by nodenet from the machine config and DHCP; `nodenet apply` replaces edits.\n";
    std::string left_out;
    for (size_t i = 0; i < resolver.servers.size(); ++i) {
        if (i < kMaxResolvConfServers)
            out.content += "nameserver " + server_text(resolver.servers[i]) + "\n";
        else
            left_out += (left_out.empty() ? "" : ", ") + server_text(resolver.servers[i]);
    }
    if (!left_out.empty())
        out.warnings.push_back("resolv.conf holds " + std::to_string(kMaxResolvConfServers) +
                               " nameservers (glibc reads no more); left out: " + left_out);
    std::string search;
    for (const state::SearchDomain& d : resolver.search_domains)
        if (valid_dns_name(d.name)) search += " " + d.name;
    if (!search.empty()) out.content += "\nsearch" + search + "\n";
    return out;
}

}  // namespace nodenet::dns
