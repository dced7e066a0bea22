// Layered specs and their merge into one desired state (reference: talos-network-engine.md §1.2–§1.3).
//
// Every producer of desired state — the built-in defaults, the configuration, later the DHCP client
// (operator layer) — returns a LayeredSpecs whose objects carry their layer in origin.layer. The
// merge folds them all, so a new producer is one more element of the vector, nothing else.
#pragma once

#include <string>
#include <vector>

#include "state/objects.h"

namespace nodenet::state {

struct LayeredSpecs {
    std::vector<Link> links;
    std::vector<Address> addresses;
    std::vector<Route> routes;
    // Problems met while producing the specs that do not stop the producer (a selector that
    // matches no link, a setting nodenet does not apply yet). desired_state() passes them on.
    std::vector<std::string> warnings;
};

// Talos's merge, made exact where Talos's is not:
// - addresses: union keyed by (link, prefix); on a duplicate key the higher layer wins whole;
// - routes: union keyed by Route::key(); on a duplicate key the higher layer wins whole;
// - links: per name, folded by ascending layer; a later spec overrides a field only when it sets it.
// Within one layer, later specs win, and a duplicate that disagrees is reported in `warnings`.
// Specs may come in any order; their origin.layer, not their position, decides.
DesiredState merge(const std::vector<LayeredSpecs>& layers, std::vector<std::string>& warnings);

}  // namespace nodenet::state
