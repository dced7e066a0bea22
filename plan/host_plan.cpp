#include "plan/host_plan.h"

#include <algorithm>
#include <set>

#include "common/overloaded.h"
#include "dns/hosts_file.h"
#include "dns/resolv_conf.h"

namespace nodenet::plan {

namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

std::string resolver_summary(const state::HostSettings::Resolver& r) {
    std::vector<std::string> servers, domains;
    for (const state::Nameserver& n : r.servers) servers.push_back(dns::server_text(n));
    for (const state::SearchDomain& d : r.search_domains) domains.push_back(d.name);
    std::string s = "nameservers " + join(servers, ", ");
    if (!domains.empty()) s += "; search " + join(domains, " ");
    return s;
}

std::string link_dns_text(const dns::LinkDns& d) {
    std::vector<std::string> servers, domains;
    for (const state::IpAddress& ip : d.servers) servers.push_back(ip.str());
    for (const dns::LinkDomain& dom : d.domains) domains.push_back((dom.routing_only ? "~" : "") + dom.name);
    std::string s = "dns " + (servers.empty() ? std::string("none") : join(servers, ", "));
    if (!domains.empty()) s += "; domains " + join(domains, " ");
    if (d.default_route) s += *d.default_route ? "; default route" : "; no default route";
    return s;
}

std::string hosts_summary(const state::HostSettings::Hosts& h, const std::optional<state::HostSettings::Hostname>& name) {
    std::string s = "localhost";
    if (name && h.node_address) s += ", " + name->name.fqdn() + " at " + h.node_address->str();
    if (!h.entries.empty())
        s += ", " + std::to_string(h.entries.size()) + (h.entries.size() == 1 ? " static entry" : " static entries");
    return s;
}

void plan_file(HostPlan& plan, const std::string& path, const ObservedFile& now, std::string content,
               std::string summary, const std::string& reason, bool force) {
    if (now.symlink_target && !force) {
        plan.refusals.push_back({path,
                                 "a symlink to " + *now.symlink_target +
                                     " (use --resolver resolved when it is systemd-resolved's, or --force to replace "
                                     "the link with a file)",
                                 reason});
        return;
    }
    if (now.exists && !now.symlink_target && now.content == content) return;
    std::optional<std::string> before;
    if (now.exists && !now.symlink_target) before = now.content;
    plan.operations.push_back({WriteFile{path, std::move(content), std::move(before), std::move(summary)}, reason});
}

std::set<std::string> uplinks(const state::DesiredState& desired) {
    std::set<std::string> links;
    for (const auto& [key, route] : desired.routes)
        if (route.destination.len == 0 && route.table == state::kMainTable) links.insert(route.link);
    if (links.empty())
        for (const auto& [key, address] : desired.addresses) links.insert(address.link);
    return links;
}

}  // namespace

std::map<std::string, dns::LinkDns> resolved_links(const state::HostSettings::Resolver& resolver,
                                                   const state::DesiredState& desired) {
    std::map<std::string, dns::LinkDns> out;
    std::set<std::string> global = uplinks(desired);
    auto targets = [&](const std::string& link) { return link.empty() ? global : std::set<std::string>{link}; };
    for (const state::Nameserver& n : resolver.servers)
        for (const std::string& l : targets(n.link)) {
            auto& servers = out[l].servers;
            if (std::find(servers.begin(), servers.end(), n.address) == servers.end()) servers.push_back(n.address);
        }
    for (const state::SearchDomain& d : resolver.search_domains)
        for (const std::string& l : targets(d.link)) {
            auto& domains = out[l].domains;
            dns::LinkDomain domain{d.name, false};
            if (std::find(domains.begin(), domains.end(), domain) == domains.end()) domains.push_back(domain);
        }
    for (auto& [link, dns] : out) dns.default_route = true;
    return out;
}

std::vector<std::string> resolved_links_to_read(const state::DesiredState& desired, const std::set<std::string>& owned) {
    std::set<std::string> links(owned.begin(), owned.end());
    if (desired.host.resolver)
        for (const auto& [link, dns] : resolved_links(*desired.host.resolver, desired)) links.insert(link);
    return {links.begin(), links.end()};
}

HostPlan plan_host(const state::DesiredState& desired, const HostObserved& observed, const HostTargets& targets) {
    HostPlan plan;
    const state::HostSettings& host = desired.host;
    if (host.resolver && targets.resolver == ResolverWriter::File) {
        dns::ResolvConf r = dns::render_resolv_conf(*host.resolver);
        plan.warnings.insert(plan.warnings.end(), r.warnings.begin(), r.warnings.end());
        plan_file(plan, "/etc/resolv.conf", observed.resolv_conf, std::move(r.content), resolver_summary(*host.resolver),
                  host.resolver->source, targets.force);
    }
    if (targets.resolver == ResolverWriter::Resolved) {
        std::map<std::string, dns::LinkDns> want;
        if (host.resolver) want = resolved_links(*host.resolver, desired);
        for (const auto& [link, dns] : want) {
            auto seen = observed.resolved.find(link);
            if (seen == observed.resolved.end()) {
                plan.warnings.push_back("systemd-resolved: link " + link + " does not exist; its DNS settings wait for it");
                continue;
            }
            if (seen->second.dns == dns) continue;
            plan.operations.push_back({SetLinkDns{link, seen->second.ifindex, dns, seen->second.dns}, host.resolver->source});
        }
        for (const std::string& link : observed.resolved_owned) {
            auto seen = observed.resolved.find(link);
            if (want.count(link) || seen == observed.resolved.end()) continue;
            plan.operations.push_back({RevertLinkDns{link, seen->second.ifindex, seen->second.dns},
                                       "no longer in the config; nodenet set it"});
        }
    }
    if (host.hosts)
        plan_file(plan, "/etc/hosts", observed.hosts, dns::render_hosts(*host.hosts, host.hostname),
                  hosts_summary(*host.hosts, host.hostname), host.hosts->source, true);
    if (host.hostname && targets.hostname == HostnameWriter::Kernel && observed.hostname != host.hostname->name)
        plan.operations.push_back({SetHostname{host.hostname->name, observed.hostname}, host.hostname->source});
    if (host.hostname && targets.hostname == HostnameWriter::File)
        plan_file(plan, "/etc/hostname", observed.hostname_file, host.hostname->name.hostname + "\n",
                  host.hostname->name.hostname, host.hostname->source, true);
    return plan;
}

std::string describe(const HostOperation& op) {
    return std::visit(
        Overloaded{[](const WriteFile& w) {
                       // Shown under the file's own heading: the path is not repeated.
                       return std::string(w.before ? "~ " : "+ ") + w.summary;
                   },
                   [](const SetHostname& h) {
                       std::string from = h.from.fqdn().empty() ? std::string("(none)") : h.from.fqdn();
                       return "~ host name " + from + " -> " + h.to.fqdn();
                   },
                   [](const SetLinkDns& s) { return "~ " + link_dns_text(s.from) + " -> " + link_dns_text(s.to); },
                   [](const RevertLinkDns& r) { return "- " + link_dns_text(r.from); }},
        op.change);
}

const char* action_name(const HostOperation& op) {
    return std::visit(Overloaded{[](const WriteFile&) { return "write_file"; },
                                 [](const SetHostname&) { return "set_hostname"; },
                                 [](const SetLinkDns&) { return "set_link_dns"; },
                                 [](const RevertLinkDns&) { return "revert_link_dns"; }},
                      op.change);
}

}  // namespace nodenet::plan
