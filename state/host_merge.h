// The merge of resolvers, host names and static host entries across layers (reference:
// talos-network-engine.md §1.3 "Hostname", "Resolver"; §1.11 for /etc/hosts).
#pragma once

#include <string>
#include <vector>

#include "state/layers.h"
#include "state/objects.h"

namespace nodenet::state {

// - Host name: the highest layer's wins whole; within a layer the later spec (with a warning when
//   they differ).
// - Resolver, folded by ascending layer (Talos 1.14): within a layer servers are appended and
//   domains joined; the configuration layer replaces the servers when it names some, and the
//   domains when it wrote a list (else joins them); any other layer change replaces servers per
//   family (a layer with no IPv4 server keeps the lower layers' IPv4 ones after its own, likewise
//   IPv6) and puts its new domains first. Duplicates are dropped. A resolver exists only when it
//   has servers and a layer above the defaults named a server or domain: the defaults alone never
//   make nodenet manage the machine's resolver.
// - Static hosts: every entry, grouped per IP and sorted by it, names in order without repeats;
//   the node's own line takes `kernel_part`'s best address (on the link of the lowest-metric
//   default route, IPv4 first, never loopback or link-local).
HostSettings merge_host(const std::vector<LayeredSpecs>& layers, const DesiredState& kernel_part,
                        std::vector<std::string>& warnings);

}  // namespace nodenet::state
