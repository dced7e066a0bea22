// What a node knows of its cluster, as Talos keeps it in resources: the raw affiliates each service
// reports (namespace cluster-raw, `service/<node id>`), the node's own affiliate and the others
// merged by node ID (namespace cluster), and the members (affiliates with a nodename, by nodename).
// Each resource has a version that counts its changes, as Talos's resource versions do (1 when
// created). Pure: the daemon feeds it what the service clients report.
//
// A change recomputes only what depends on it: the merged affiliate of each node ID it touches and
// the members of the nodenames those nodes had or have, not the whole cluster (the daemon of a
// 500-affiliate cluster spent milliseconds per change re-merging everything). The results are the
// full merge's: tests/discovery/cluster_registry_differential_test.cpp checks them against it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "discovery/affiliate.h"
#include "discovery/affiliate_merge.h"

namespace nodenet::discovery {

template <class Spec>
struct Versioned {
    Spec spec;
    uint64_t version = 1;
};

// A change of a merged affiliate, for the event log.
struct AffiliateChange {
    enum class Kind { Appeared, Changed, Left };
    Kind kind;
    std::string node_id;
    std::optional<Affiliate> now;  // Appeared, Changed
};

class ClusterRegistry {
public:
    // The node's own affiliate (merged with nothing: the services never report it back).
    std::vector<AffiliateChange> set_local(const Affiliate& local);
    // A service's snapshot: everything it reported before is replaced.
    std::vector<AffiliateChange> replace(const std::string& service, const std::vector<Affiliate>& affiliates);
    std::vector<AffiliateChange> upsert(const std::string& service, const Affiliate& affiliate);
    std::vector<AffiliateChange> remove(const std::string& service, const std::string& node_id);
    // A service no longer configured (or discovery turned off): what it reported goes.
    std::vector<AffiliateChange> forget(const std::string& service);
    std::vector<AffiliateChange> clear();

    struct RawEntry {
        std::string service;
        std::string id;  // service/<node id>
        Versioned<Affiliate> affiliate;
    };
    std::vector<RawEntry> raw() const;
    const std::map<std::string, Versioned<Affiliate>>& merged() const { return merged_; }
    const std::map<std::string, Versioned<Member>>& members() const { return members_; }
    const std::optional<Affiliate>& local() const { return local_; }

private:
    // Merges again the affiliates of these node IDs and the members of their nodenames, old and
    // new; the changes come in the full merge's order: the others appeared or changed (by node
    // ID), then the node itself, then those that left (by node ID).
    std::vector<AffiliateChange> refresh(const std::set<std::string>& node_ids);
    // What the services report of this node, merged; the node's own affiliate when it is the node.
    std::optional<Affiliate> merge_node(const std::string& node_id) const;
    void claim(const std::string& nodename, const std::string& node_id);
    void unclaim(const std::string& nodename, const std::string& node_id);
    void refresh_member(const std::string& nodename);

    std::optional<Affiliate> local_;
    // service → node id → affiliate as reported, with its version.
    std::map<std::string, std::map<std::string, Versioned<Affiliate>>> raw_;
    std::map<std::string, Versioned<Affiliate>> merged_;  // by node ID
    std::map<std::string, Versioned<Member>> members_;     // by nodename
    // nodename → the node IDs whose merged affiliate has it; the member is the last one's.
    std::map<std::string, std::set<std::string>> claims_;
};

}  // namespace nodenet::discovery
