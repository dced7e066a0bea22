// The plan: desired state minus observed state, as ordered operations. Pure: no kernel access.
#pragma once

#include <vector>

#include "plan/operation.h"
#include "state/objects.h"

namespace nodenet::plan {

// What nodenet made before: logical links it created (recorded in its state directory, since the
// kernel keeps no owner for links). Addresses and routes carry kNodenetProtocol instead.
struct Ownership {
    std::vector<state::Link> created_links;
};

// Order: create links, set link attributes, add addresses, add or replace routes; before them the
// removals in the reverse order (routes, addresses, links), so that a replaced object is gone
// before its successor arrives.
Plan make_plan(const state::DesiredState& desired, const state::KernelState& observed, const Ownership& owned);

// An observed route as a Route value (its link named), to delete, replace or restore it.
state::Route route_from_observed(const state::KernelState& kernel, const state::ObservedRoute& route);

// The rtnetlink kind of a logical link ("bridge", "bond", "vlan", "dummy", "wireguard").
const char* kernel_kind(state::LinkKind kind);

}  // namespace nodenet::plan
