#include "kubespan/peer_spec.h"

#include <algorithm>
#include <map>

#include "kubespan/prefix_set.h"

namespace nodenet::kubespan {

namespace {

std::string join(const std::vector<state::IpPrefix>& prefixes) {
    std::string out;
    for (const auto& p : prefixes) out += (out.empty() ? "" : ", ") + p.str();
    return out;
}

std::string name_of(const discovery::Affiliate& a) {
    return a.nodename.empty() ? "node " + a.node_id : "node " + a.node_id + " (" + a.nodename + ")";
}

PrefixSet allowed_set(const discovery::Affiliate& a) {
    PrefixSet set;
    for (const auto& p : a.kubespan.additional_addresses) set.add(p);
    for (const auto& ip : a.addresses) set.add(ip);
    for (const auto& p : a.kubespan.exclude_advertised_networks) set.remove(p);
    set.add(*a.kubespan.address);
    return set;
}

}  // namespace

PeerSpecs peer_specs(const std::vector<discovery::Affiliate>& merged_affiliates, std::string_view own_node_id) {
    std::vector<const discovery::Affiliate*> sorted;
    for (const auto& a : merged_affiliates) sorted.push_back(&a);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->node_id < b->node_id; });

    PeerSpecs out;
    std::vector<std::pair<const discovery::Affiliate*, PrefixSet>> earlier;
    std::map<std::string, std::string> key_owner;  // public key -> node ID
    for (const discovery::Affiliate* a : sorted) {
        if (a->node_id == own_node_id || !a->has_kubespan()) continue;
        if (!a->kubespan.address) {
            out.warnings.push_back(name_of(*a) + " publishes a KubeSpan public key but no KubeSpan address: not a peer");
            continue;
        }
        if (auto [it, fresh] = key_owner.emplace(a->kubespan.public_key, a->node_id); !fresh) {
            out.warnings.push_back(name_of(*a) + " publishes the KubeSpan public key of node " + it->second +
                                   ": not a peer");
            continue;
        }
        PrefixSet set = allowed_set(*a);
        for (const auto& [other, other_set] : earlier) {
            PrefixSet overlap = set.intersection(other_set);
            if (overlap.empty()) continue;
            set.remove(overlap);
            out.warnings.push_back("KubeSpan peer address overlap: " + join(overlap.prefixes()) + " of " + name_of(*a) +
                                   " already routed to " + name_of(*other) + ", left out" +
                                   (set.empty() ? " (nothing is left for " + name_of(*a) + ")" : ""));
        }
        out.peers.push_back({a->kubespan.public_key, a->node_id, a->nodename, set.prefixes(), a->kubespan.endpoints});
        earlier.emplace_back(a, std::move(set));
    }
    return out;
}

}  // namespace nodenet::kubespan
