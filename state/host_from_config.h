// The configuration layer's resolver, host name and static hosts (Talos's ResolverConfigController,
// HostnameConfigController and the StaticHostConfig/extraHostEntries of §1.11), and the defaults'.
#pragma once

#include <vector>

#include "common/result.h"
#include "config/validate.h"
#include "state/layers.h"

namespace nodenet::state {

// Talos's defaults when nothing names a resolver (reference §1.2); `--default-nameservers` changes them.
std::vector<IpAddress> talos_default_nameservers();

// `machine.network.{hostname, nameservers, searchDomains, disableSearchDomain, extraHostEntries}` and
// the HostnameConfig, ResolverConfig and StaticHostConfig documents, at Layer::Configuration.
// Nameservers that are no IP are dropped (Talos's accessor does; validation warns). A name that is
// no valid DNS name (dns::dns_name_problem) is an error naming its YAML path: validation refuses
// the config first, this is the second lock. `auto: stable` host names are not made yet (a warning).
Result<LayeredSpecs> host_specs_from_config(const config::Config& config);

// The default layer's resolver: `servers`, serving every link.
ResolverSpec default_resolver(const std::vector<IpAddress>& servers);

// "node1.example.com" -> {"node1", "example.com"}; a trailing dot is dropped.
HostName split_host_name(std::string_view fqdn);

}  // namespace nodenet::state
