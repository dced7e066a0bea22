// What a DHCP lease says about names — DNS servers, search domains, a host name — as the operator
// layer's resolver and host name specs. Shared by DHCPv4 and DHCPv6.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "state/layers.h"

namespace nodenet::state {

struct LeaseNames {
    std::vector<IpAddress> servers;
    std::vector<std::string> domains;  // raw, as the server sent them
    std::optional<std::string> hostname;  // raw; may be a FQDN
    std::optional<std::string> domain;    // raw; the host name's domain when the host name has none
};

// Adds a resolver spec (servers and domains on `link`) and, with a host name, a host name spec to
// `out`, at `origin`. Every name is checked (dns::dns_name_problem): one that fails is left out
// with a warning naming the lease and why, so that no server can add a line to resolv.conf or
// /etc/hosts. Unspecified and loopback server addresses are left out too.
void add_lease_names(LayeredSpecs& out, const Origin& origin, const std::string& link, const LeaseNames& names);

}  // namespace nodenet::state
