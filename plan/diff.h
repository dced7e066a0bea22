// The plan: desired state minus observed state, as ordered operations. Pure: no kernel access.
#pragma once

#include <set>
#include <vector>

#include "plan/operation.h"
#include "state/objects.h"

namespace nodenet::plan {

// What nodenet made before: logical links it created (recorded in its state directory, since the
// kernel keeps no owner for links). Addresses and routes carry kNodenetProtocol instead, except on
// kernels before 5.18, which drop IFA_PROTO: there the addresses nodenet added are recorded too.
// systemd-resolved keeps no owner either: the links nodenet set there are recorded, to revert them.
struct Ownership {
    std::vector<state::Link> created_links;
    std::set<state::AddressKey> recorded_addresses;
    std::set<std::string> resolved_links;  // links whose DNS settings nodenet set in systemd-resolved
};

// Whether nodenet added this address: it carries nodenet's protocol, or the kernel keeps no
// protocol and the state directory recorded it.
bool owns(const Ownership& owned, const state::KernelState& kernel, const state::ObservedAddress& address);

// The addresses to record after `executed` ran and the kernel read back as `after`: the recorded
// ones still there and not deleted, plus those nodenet added that came back without IFA_PROTO.
std::set<state::AddressKey> recorded_addresses_after(const Ownership& before, const std::vector<Operation>& executed,
                                                     const state::KernelState& after);

// Order: create links, set link attributes, add addresses, add or replace routes, add rules (a
// changed rule: the new one, then the old one deleted); before them the removals in the reverse
// order (rules, routes, addresses, links), so that a replaced object is gone before its successor
// arrives. Rules are nodenet's by FRA_PROTOCOL kNodenetProtocol; others are never touched.
Plan make_plan(const state::DesiredState& desired, const state::KernelState& observed, const Ownership& owned);

// An observed route as a Route value (its link named), to delete, replace or restore it.
state::Route route_from_observed(const state::KernelState& kernel, const state::ObservedRoute& route);

// An observed rule as a RoutingRule value, to delete or restore it.
state::RoutingRule rule_from_observed(const state::ObservedRule& rule);

// The rtnetlink kind of a logical link ("bridge", "bond", "vlan", "dummy", "wireguard").
const char* kernel_kind(state::LinkKind kind);

}  // namespace nodenet::plan
