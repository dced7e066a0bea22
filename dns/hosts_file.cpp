#include "dns/hosts_file.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "dns/dns_name.h"

namespace nodenet::dns {

std::string render_hosts(const state::HostSettings::Hosts& hosts,
                         const std::optional<state::HostSettings::Hostname>& hostname) {
    std::vector<std::pair<std::string, std::string>> rows{{"127.0.0.1", "localhost"}};
    if (hostname && hosts.node_address && valid_dns_name(hostname->name.fqdn())) {
        std::string names = hostname->name.fqdn();
        if (!hostname->name.domainname.empty()) names += " " + hostname->name.hostname;
        rows.emplace_back(hosts.node_address->str(), names);
    }
    rows.emplace_back("::1", "localhost ip6-localhost ip6-loopback");
    rows.emplace_back("ff02::1", "ip6-allnodes");
    rows.emplace_back("ff02::2", "ip6-allrouters");
    for (const state::StaticHost& h : hosts.entries) {
        std::string names;
        for (const std::string& n : h.names)
            if (valid_dns_name(n)) names += (names.empty() ? "" : " ") + n;
        if (!names.empty()) rows.emplace_back(h.ip.str(), names);
    }
    size_t width = 0;
    for (const auto& [ip, names] : rows) width = std::max(width, ip.size());
    std::string out = "# Written by nodenet from the machine config; `nodenet apply` replaces edits.\n";
    for (const auto& [ip, names] : rows) out += ip + std::string(width + 1 - ip.size(), ' ') + names + "\n";
    return out;
}

}  // namespace nodenet::dns
