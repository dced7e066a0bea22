// The configuration layer: a validated config turned into link, address, route and rule specs
// (reference: talos-network-engine.md §1.4–§1.5, talos-network-config.md §3).
#pragma once

#include "common/result.h"
#include "config/validate.h"
#include "state/layers.h"
#include "state/objects.h"

namespace nodenet::state {

// Specs of the v1alpha1 `machine.network.interfaces`, of the LinkConfig and of the
// RoutingRuleConfig documents (one rule per family unless src or dst names one), all at
// Layer::Configuration, each with the YAML path it came from in origin.source. `kernel` is read
// only to resolve device selectors (current and permanent MAC, bus path, PCI ID, driver,
// physical): a selector yields one device per matching link, and none (with a warning) when no
// link matches. Links the config does not name get no spec; `ignore: true` links get none even
// when another part of the config names them (with a warning).
//
// The config is expected to have passed validation; values validation lets through but the kernel
// would refuse (a route mixing IPv4 and IPv6, an MTU of -1, an unknown routing table) are errors,
// all of them in one message, one per line.
Result<LayeredSpecs> specs_from_config(const config::Config& config, const KernelState& kernel);

}  // namespace nodenet::state
