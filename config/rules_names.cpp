// Names that reach resolv.conf, /etc/hosts, the kernel's host name or systemd-resolved. Talos
// checks almost none of them at config time (reference §4.7) and writes them as they are, so a
// search domain "evil\nnameserver 6.6.6.6" becomes a line of resolv.conf. nodenet refuses such a
// config: errors, since no apply could do what it says.
#include "config/go_syntax.h"
#include "config/rules.h"
#include "config/validate.h"
#include "dns/dns_name.h"

namespace nodenet::config {

namespace {

// An unset host name is no name; an empty entry of a list is one that cannot be written.
void check_name(const Text& name, const char* what, Diagnostics& out, bool empty_is_unset = true) {
    if (!name.present || (empty_is_unset && name.value.empty())) return;
    if (auto problem = dns::dns_name_problem(name.value))
        out.error(name.src.mark, name.src.path,
                  std::string(what) + " " + dns::quoted_name(name.value) + " is not a valid DNS name: " + *problem);
}

void check_names(const List<Text>& names, const char* what, Diagnostics& out) {
    for (const Text& n : names.items) check_name(n, what, out, false);
}

// Talos's own HostnameConfig rules already report an over-long first label or name ("invalid
// hostname", "fqdn is too long"); the rest — characters, later labels — is nodenet's.
bool talos_reports_length(const std::string& name) {
    return name.size() > dns::kMaxName || name.substr(0, name.find('.')).size() > dns::kMaxLabel ||
           name.front() == '.';
}

}  // namespace

void check_names(const Config& config, Diagnostics& out) {
    if (config.machine && config.machine->network) {
        const Network& n = *config.machine->network;
        check_name(n.hostname, "host name", out);
        check_names(n.search_domains, "search domain", out);
        for (const ExtraHost& h : n.extra_host_entries.items) {
            if (!h.ip.present)
                out.error(h.src.mark, h.src.path, "an extra host entry needs an ip");
            else if (!go::parse_addr(h.ip.value).ok())
                out.error(h.ip.src.mark, h.ip.src.path, dns::quoted_name(h.ip.value) + " is not an IP address");
            check_names(h.aliases, "alias", out);
        }
    }
    for (const auto& d : config.hostnames)
        if (!d.spec.hostname->empty() && !talos_reports_length(d.spec.hostname.value))
            check_name(d.spec.hostname, "host name", out);
    for (const auto& d : config.resolvers) check_names(d.spec.search_domains, "search domain", out);
    for (const auto& d : config.static_hosts) check_names(d.spec.hostnames, "host name", out);
}

}  // namespace nodenet::config
