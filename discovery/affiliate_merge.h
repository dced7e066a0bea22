// Raw affiliates (namespace cluster-raw: one per registry and node, `service/<node id>`) merged
// into one affiliate per node (namespace cluster), and the cluster's members: Talos's
// AffiliateMergeController and MemberController, as pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/affiliate.h"

namespace nodenet::discovery {

// "service/<node id>": the ID of an affiliate read from a discovery service in namespace cluster-raw.
std::string raw_service_id(std::string_view node_id);

struct RawAffiliate {
    std::string id;  // service/<node id>
    Affiliate spec;
};

// Talos's AffiliateSpec.Merge: lists are unioned (first seen first, no duplicates: addresses,
// KubeSpan additional addresses, excluded networks, endpoints); hostname, nodename, machine type,
// KubeSpan public key and address, and the control plane's port are replaced when `other` has one.
// The node ID and the operating system stay `base`'s, as in Talos.
void merge_into(Affiliate& base, const Affiliate& other);

// The merged affiliates, one per node ID, in node ID order. As Talos lists resources, the raw
// affiliates are taken in ID order and the first of a node is the base the others merge into.
std::vector<Affiliate> merge_affiliates(std::span<const RawAffiliate> raw);

// A member: an affiliate with a nodename (Talos's cluster.Member, whose ID is the nodename).
struct Member {
    std::string id;  // nodename
    std::string node_id;
    std::vector<IpAddress> addresses;
    std::string hostname;
    MachineType machine_type = MachineType::Unknown;
    std::string operating_system;
    std::optional<uint16_t> api_server_port;

    bool operator==(const Member&) const = default;
};

// One member per nodename, in nodename order. When two affiliates claim a nodename, the later in
// node ID order wins, as each overwrites the member in Talos.
std::vector<Member> members_of(std::span<const Affiliate> merged);

}  // namespace nodenet::discovery
