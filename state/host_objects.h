// What the node's name and name resolution should be: DNS servers and search domains, the host
// name, and static host entries. The counterpart of the kernel objects in objects.h, produced by
// the same layers (config, DHCP leases, defaults) and merged by Talos's rules (host_merge.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "state/ip.h"

namespace nodenet::state {

// A DNS server and the link it was learnt on: "" for the config's and the defaults' servers,
// which serve every link; a lease's servers belong to the lease's link (systemd-resolved sets them
// there, and an IPv6 link-local server needs it as its scope).
struct Nameserver {
    IpAddress address;
    std::string link;
    auto operator<=>(const Nameserver&) const = default;
};

struct SearchDomain {
    std::string name;  // a valid DNS name (dns::valid_dns_name), no trailing dot
    std::string link;  // as Nameserver::link
    auto operator<=>(const SearchDomain&) const = default;
};

struct HostName {
    std::string hostname;    // the first label
    std::string domainname;  // the rest, "" when none
    std::string fqdn() const { return domainname.empty() ? hostname : hostname + "." + domainname; }
    auto operator<=>(const HostName&) const = default;
};

struct StaticHost {
    IpAddress ip;
    std::vector<std::string> names;
    auto operator<=>(const StaticHost&) const = default;
};

// The merged result. Each part is unset (nothing manages it) unless some layer above the defaults
// set it, so that a config which says nothing about names leaves the machine's files alone.
struct HostSettings {
    struct Resolver {
        std::vector<Nameserver> servers;  // never empty
        std::vector<SearchDomain> search_domains;
        std::string source;  // every spec that contributed, for the plan's reasons
        auto operator<=>(const Resolver&) const = default;
    };
    struct Hostname {
        HostName name;
        std::string source;
        auto operator<=>(const Hostname&) const = default;
    };
    struct Hosts {
        std::optional<IpAddress> node_address;  // the line "<address> <fqdn> <short>", with a host name
        std::vector<StaticHost> entries;        // grouped per IP, sorted by IP
        std::string source;
        auto operator<=>(const Hosts&) const = default;
    };
    std::optional<Resolver> resolver;
    std::optional<Hostname> hostname;
    std::optional<Hosts> hosts;  // with a host name or static entries
    auto operator<=>(const HostSettings&) const = default;
};

}  // namespace nodenet::state
