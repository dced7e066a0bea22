// The DHCP layer of an `apply`: the leases of the config's DHCP links, as desired-state layers.
#pragma once

#include <vector>

#include "dhcp/dhcp4_client.h"
#include "dhcp/dhcp6_client.h"
#include "engine/network_pipeline.h"
#include "state/dhcp_links.h"

namespace nodenet::engine {

// The leases persisted in the state directory that are still valid, so that an apply which has
// not asked the server yet keeps the addresses it holds instead of removing them.
std::vector<state::LayeredSpecs> persisted_lease_layers(const NetworkOptions& options,
                                                        const state::DhcpLinks& links);

// Runs the DHCP client on each link until it holds a lease (INIT-REBOOT from the persisted lease,
// else DORA; for DHCPv6 the confirming Rebind, else Solicit), at most `timeout` per link, and returns them as layers. The error names the link.
Result<std::vector<state::LayeredSpecs>> obtain_lease_layers(const NetworkOptions& options,
                                                             const state::DhcpLinks& links,
                                                             std::chrono::seconds timeout);

// The DHCP clients' settings for a config's DHCP link.
dhcp::ClientConfig client_config(const state::Dhcp4Link& link);
Result<dhcp::v6::ClientConfig> client6_config(const state::Dhcp6Link& link);

// A lease as the DHCP layer of the desired state, with the link's metric and options.
state::LayeredSpecs lease_layer(const state::Dhcp4Link& link, const dhcp::Lease& lease, dhcp::TimePoint now);
state::LayeredSpecs lease_layer(const state::Dhcp6Link& link, const dhcp::v6::Lease& lease, dhcp::TimePoint now);

}  // namespace nodenet::engine
