// The text of /etc/hosts (Talos's layout, reference §1.11): localhost, the node's address with its
// FQDN and short name, the IPv6 loopback and multicast names, then the static entries grouped per
// IP and sorted by it; the first column padded as Go's tabwriter does.
#pragma once

#include <optional>
#include <string>

#include "state/host_objects.h"

namespace nodenet::dns {

// Byte-stable, like render_resolv_conf. Names failing dns::valid_dns_name are left out.
std::string render_hosts(const state::HostSettings::Hosts& hosts,
                         const std::optional<state::HostSettings::Hostname>& hostname);

}  // namespace nodenet::dns
