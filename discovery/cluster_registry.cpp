#include "discovery/cluster_registry.h"

namespace nodenet::discovery {

namespace {

// Keeps the version when the spec is equal, bumps it when it changed, starts at 1.
template <class Spec>
void put(std::map<std::string, Versioned<Spec>>& into, const std::string& id, Spec spec) {
    auto it = into.find(id);
    if (it == into.end()) {
        into.emplace(id, Versioned<Spec>{std::move(spec), 1});
    } else if (!(it->second.spec == spec)) {
        it->second.spec = std::move(spec);
        ++it->second.version;
    }
}

}  // namespace

std::vector<AffiliateChange> ClusterRegistry::set_local(const Affiliate& local) {
    local_ = local;
    return rebuild();
}

std::vector<AffiliateChange> ClusterRegistry::replace(const std::string& service, const std::vector<Affiliate>& affiliates) {
    auto& reported = raw_[service];
    std::map<std::string, Versioned<Affiliate>> next;
    for (const Affiliate& a : affiliates) {
        auto it = reported.find(a.node_id);
        if (it != reported.end()) next.emplace(a.node_id, it->second);
        put(next, a.node_id, a);
    }
    reported = std::move(next);
    return rebuild();
}

std::vector<AffiliateChange> ClusterRegistry::upsert(const std::string& service, const Affiliate& affiliate) {
    put(raw_[service], affiliate.node_id, affiliate);
    return rebuild();
}

std::vector<AffiliateChange> ClusterRegistry::remove(const std::string& service, const std::string& node_id) {
    auto it = raw_.find(service);
    if (it == raw_.end() || !it->second.erase(node_id)) return {};
    return rebuild();
}

std::vector<AffiliateChange> ClusterRegistry::forget(const std::string& service) {
    if (!raw_.erase(service)) return {};
    return rebuild();
}

std::vector<AffiliateChange> ClusterRegistry::clear() {
    raw_.clear();
    local_.reset();
    return rebuild();
}

std::vector<ClusterRegistry::RawEntry> ClusterRegistry::raw() const {
    std::vector<RawEntry> out;
    for (const auto& [service, reported] : raw_)
        for (const auto& [node_id, affiliate] : reported) out.push_back({service, raw_service_id(node_id), affiliate});
    return out;
}

std::vector<AffiliateChange> ClusterRegistry::rebuild() {
    // The others merged by node ID (Talos's AffiliateMergeController); the node's own affiliate
    // stands as it is, even if a service echoes something under its ID.
    std::vector<RawAffiliate> all;
    for (const auto& [service, reported] : raw_)
        for (const auto& [node_id, affiliate] : reported)
            if (!local_ || node_id != local_->node_id) all.push_back({raw_service_id(node_id), affiliate.spec});
    std::vector<Affiliate> merged = merge_affiliates(all);
    if (local_) merged.push_back(*local_);

    std::vector<AffiliateChange> changes;
    std::map<std::string, Versioned<Affiliate>> next;
    for (Affiliate& a : merged) {
        auto old = merged_.find(a.node_id);
        if (old == merged_.end()) {
            changes.push_back({AffiliateChange::Kind::Appeared, a.node_id, a});
        } else {
            next.emplace(a.node_id, old->second);
            if (!(old->second.spec == a)) changes.push_back({AffiliateChange::Kind::Changed, a.node_id, a});
        }
        std::string id = a.node_id;
        put(next, id, std::move(a));
    }
    for (const auto& [id, old] : merged_)
        if (!next.count(id)) changes.push_back({AffiliateChange::Kind::Left, id, std::nullopt});
    merged_ = std::move(next);

    std::vector<Affiliate> plain;
    for (const auto& [id, v] : merged_) plain.push_back(v.spec);
    std::map<std::string, Versioned<Member>> members;
    for (Member& m : members_of(plain)) {
        auto old = members_.find(m.id);
        if (old != members_.end()) members.emplace(m.id, old->second);
        std::string id = m.id;
        put(members, id, std::move(m));
    }
    members_ = std::move(members);
    return changes;
}

}  // namespace nodenet::discovery
