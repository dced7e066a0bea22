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
    // A new node ID (a new identity) gives the old one back to what the services report.
    std::set<std::string> touched{local.node_id};
    if (local_) touched.insert(local_->node_id);
    local_ = local;
    return refresh(touched);
}

std::vector<AffiliateChange> ClusterRegistry::replace(const std::string& service, const std::vector<Affiliate>& affiliates) {
    auto& reported = raw_[service];
    std::set<std::string> touched;
    for (const auto& [node_id, affiliate] : reported) touched.insert(node_id);
    std::map<std::string, Versioned<Affiliate>> next;
    for (const Affiliate& a : affiliates) {
        touched.insert(a.node_id);
        auto it = reported.find(a.node_id);
        if (it != reported.end()) next.emplace(a.node_id, it->second);
        put(next, a.node_id, a);
    }
    reported = std::move(next);
    return refresh(touched);
}

std::vector<AffiliateChange> ClusterRegistry::upsert(const std::string& service, const Affiliate& affiliate) {
    put(raw_[service], affiliate.node_id, affiliate);
    return refresh({affiliate.node_id});
}

std::vector<AffiliateChange> ClusterRegistry::remove(const std::string& service, const std::string& node_id) {
    auto it = raw_.find(service);
    if (it == raw_.end() || !it->second.erase(node_id)) return {};
    return refresh({node_id});
}

std::vector<AffiliateChange> ClusterRegistry::forget(const std::string& service) {
    auto it = raw_.find(service);
    if (it == raw_.end()) return {};
    std::set<std::string> touched;
    for (const auto& [node_id, affiliate] : it->second) touched.insert(node_id);
    raw_.erase(it);
    return refresh(touched);
}

std::vector<AffiliateChange> ClusterRegistry::clear() {
    raw_.clear();
    local_.reset();
    std::set<std::string> touched;
    for (const auto& [node_id, affiliate] : merged_) touched.insert(node_id);
    return refresh(touched);
}

std::vector<ClusterRegistry::RawEntry> ClusterRegistry::raw() const {
    std::vector<RawEntry> out;
    for (const auto& [service, reported] : raw_)
        for (const auto& [node_id, affiliate] : reported) out.push_back({service, raw_service_id(node_id), affiliate});
    return out;
}

std::optional<Affiliate> ClusterRegistry::merge_node(const std::string& node_id) const {
    // The others merged by node ID (Talos's AffiliateMergeController); the node's own affiliate
    // stands as it is, even if a service echoes something under its ID.
    if (local_ && local_->node_id == node_id) return local_;
    // merge_affiliates, so that the rules stay in one place: taken in service order, the first
    // reported is the base the others merge into.
    std::vector<RawAffiliate> reports;
    for (const auto& [service, reported] : raw_) {
        auto it = reported.find(node_id);
        if (it != reported.end()) reports.push_back({raw_service_id(node_id), it->second.spec});
    }
    if (reports.empty()) return std::nullopt;
    return std::move(merge_affiliates(reports).front());
}

std::vector<AffiliateChange> ClusterRegistry::refresh(const std::set<std::string>& node_ids) {
    std::vector<AffiliateChange> changes;
    std::optional<AffiliateChange> own;
    std::vector<AffiliateChange> left;
    std::set<std::string> nodenames;  // whose member may have changed
    for (const std::string& id : node_ids) {
        std::optional<Affiliate> now = merge_node(id);
        auto old = merged_.find(id);
        if (!now) {
            if (old == merged_.end()) continue;
            unclaim(old->second.spec.nodename, id);
            nodenames.insert(old->second.spec.nodename);
            merged_.erase(old);
            left.push_back({AffiliateChange::Kind::Left, id, std::nullopt});
            continue;
        }
        AffiliateChange change{AffiliateChange::Kind::Appeared, id, *now};
        if (old == merged_.end()) {
            claim(now->nodename, id);
            merged_.emplace(id, Versioned<Affiliate>{std::move(*now), 1});
        } else if (!(old->second.spec == *now)) {
            change.kind = AffiliateChange::Kind::Changed;
            unclaim(old->second.spec.nodename, id);
            nodenames.insert(old->second.spec.nodename);
            claim(now->nodename, id);
            old->second.spec = std::move(*now);
            ++old->second.version;
        } else {
            continue;
        }
        nodenames.insert(change.now->nodename);
        if (local_ && local_->node_id == id) own = std::move(change);
        else changes.push_back(std::move(change));
    }
    // The node's own affiliate comes after the others, as the full merge appended it.
    if (own) changes.push_back(std::move(*own));
    changes.insert(changes.end(), std::make_move_iterator(left.begin()), std::make_move_iterator(left.end()));
    for (const std::string& nodename : nodenames) refresh_member(nodename);
    return changes;
}

void ClusterRegistry::claim(const std::string& nodename, const std::string& node_id) {
    if (!nodename.empty()) claims_[nodename].insert(node_id);
}

void ClusterRegistry::unclaim(const std::string& nodename, const std::string& node_id) {
    auto it = claims_.find(nodename);
    if (it == claims_.end()) return;
    it->second.erase(node_id);
    if (it->second.empty()) claims_.erase(it);
}

void ClusterRegistry::refresh_member(const std::string& nodename) {
    auto claimants = claims_.find(nodename);
    if (claimants == claims_.end()) {
        members_.erase(nodename);
        return;
    }
    // members_of on the one that counts: when nodes claim a nodename, the last in node ID order
    // wins (each overwrites the member in Talos).
    const Affiliate& winner = merged_.at(*claimants->second.rbegin()).spec;
    put(members_, nodename, std::move(members_of({&winner, 1}).front()));
}

}  // namespace nodenet::discovery
