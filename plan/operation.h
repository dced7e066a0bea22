// One step of a plan: what changes in the kernel, and why.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "plan/host_plan.h"
#include "state/objects.h"

namespace nodenet::plan {

// RTPROT_* value (IFA_PROTO, FRA_PROTOCOL) that marks routes, addresses and rules nodenet added:
// nodenet removes only what carries it, so addresses, routes and rules of the kernel, RA, DHCP
// clients, CNIs, BGP daemons or a person survive every apply. 110 is unassigned in iproute2's rt_protos.
constexpr uint8_t kNodenetProtocol = 110;

// Attributes of an existing link; unset: leave as it is.
struct LinkAttributes {
    std::optional<bool> up;
    std::optional<uint32_t> mtu;
    std::optional<std::string> master;  // "" detaches
    std::optional<state::BridgeSettings> bridge;
    auto operator<=>(const LinkAttributes&) const = default;
};

// A link is large (bond options, WireGuard peers) and a plan may hold ten thousand routes, so the
// two link operations hold theirs by (immutable, shared) pointer: every operation stays small.
struct CreateLink {
    CreateLink(state::Link l) : link(std::make_shared<const state::Link>(std::move(l))) {}
    std::shared_ptr<const state::Link> link;  // never null
};
struct DeleteLink {
    DeleteLink(state::Link l) : link(std::make_shared<const state::Link>(std::move(l))) {}
    std::shared_ptr<const state::Link> link;  // as recorded when nodenet created it, so that a rollback can recreate it
};
// Makes a WireGuard device's keys, port, mark and peers `to`, writing only what differs from `from`
// (wireguard::device_patch), through the kernel's generic netlink family, or the UAPI socket of
// wireguard-go where the kernel has no WireGuard.
struct ConfigureWireguard {
    std::string link;
    std::shared_ptr<const wireguard::DeviceConfig> to;    // never null
    std::shared_ptr<const wireguard::DeviceConfig> from;  // null: not configured before (a new device)
};
struct SetLink {
    std::string name;
    LinkAttributes to;    // only the attributes that change
    LinkAttributes from;  // their values before, for display and rollback
};
struct AddAddress {
    state::Address address;
};
struct DeleteAddress {
    state::Address address;
};
// An address nodenet owns gets new lifetimes (a renewed lease) in place, without going away.
struct UpdateAddress {
    state::Address address;
    uint32_t valid_before = 0;  // seconds left before the update (state::kForeverLifetime: forever)
};
struct AddRoute {
    state::Route route;
};
struct DeleteRoute {
    state::Route route;
};
// Same kernel key (table, destination, metric), other attributes (gateway, source, scope, MTU).
struct ReplaceRoute {
    state::Route to;
    state::Route from;
};

// The kernel has no in-place change of a rule: a changed rule is an AddRule and a DeleteRule of the
// one it replaces (several rules may share a priority, so the new one goes in first).
struct AddRule {
    state::RoutingRule rule;
};
struct DeleteRule {
    state::RoutingRule rule;  // as observed: the kernel deletes the rule these attributes match
};

using Change = std::variant<CreateLink, SetLink, AddAddress, AddRoute, ReplaceRoute, DeleteRoute, DeleteAddress,
                            DeleteLink, ConfigureWireguard, UpdateAddress, AddRule, DeleteRule>;

struct Operation {
    Change change;
    std::string reason;  // the config path that wants it, or why it goes

    // The link it belongs to, for grouping; rules belong to no link: "IPv4 rules", "IPv6 rules".
    const std::string& link() const;
};

// A desired object nodenet will not touch because something else already holds its place.
struct Conflict {
    std::string link;
    std::string what;    // "route 10.0.0.0/24 metric 1024"
    std::string holder;  // "added by kernel", "a veth link nodenet did not create"
    std::string reason;  // the config path that wants it
};

struct Plan {
    std::vector<Operation> operations;  // in the order they must run
    std::vector<Conflict> conflicts;
    std::vector<std::string> warnings;
    // Files, host name and systemd-resolved, run after the kernel operations (make_plan leaves it
    // empty; the CLI fills it from plan_host, which needs reads make_plan does not do).
    std::vector<HostOperation> host_operations;

    bool empty() const { return operations.empty() && host_operations.empty(); }
};

}  // namespace nodenet::plan
