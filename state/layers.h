// Layered specs and their merge into one desired state (reference: talos-network-engine.md §1.2–§1.3).
//
// Every producer of desired state — the built-in defaults, the configuration, later the DHCP client
// (operator layer) — returns a LayeredSpecs whose objects carry their layer in origin.layer. The
// merge folds them all, so a new producer is one more element of the vector, nothing else.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "common/result.h"
#include "state/objects.h"

namespace nodenet::state {

// DNS servers and search domains of one producer (Talos's ResolverSpec).
struct ResolverSpec {
    Origin origin;
    std::vector<Nameserver> servers;
    std::vector<SearchDomain> search_domains;
    // Configuration layer: an explicitly written list (even empty) replaces the lower layers'
    // domains instead of joining them (Talos 1.14's SearchDomainsOverridden, #13870).
    bool search_domains_overridden = false;
    // Configuration layer: the host name's domain, whichever layer named the host, is a search
    // domain (v1alpha1 without disableSearchDomain, ResolverConfig without disableDefault).
    bool search_hostname_domain = false;
};

struct HostnameSpec {
    Origin origin;
    HostName name;
};

struct StaticHostSpec {
    Origin origin;
    StaticHost host;
};

struct LayeredSpecs {
    std::vector<Link> links;
    std::vector<Address> addresses;
    std::vector<Route> routes;
    std::vector<RoutingRule> rules;
    std::vector<ResolverSpec> resolvers;
    std::vector<HostnameSpec> hostnames;
    std::vector<StaticHostSpec> static_hosts;
    // Problems met while producing the specs that do not stop the producer (a selector that
    // matches no link, a setting nodenet does not apply yet). desired_state() passes them on.
    std::vector<std::string> warnings;
};

// All specs of one type from every layer, lowest layer first; within a layer in the order given,
// so that "later wins" inside a layer means the producer's own order.
template <class T>
std::vector<const T*> by_layer(const std::vector<LayeredSpecs>& layers, std::vector<T> LayeredSpecs::*member) {
    std::vector<const T*> specs;
    for (const LayeredSpecs& l : layers)
        for (const T& spec : l.*member) specs.push_back(&spec);
    std::stable_sort(specs.begin(), specs.end(),
                     [](const T* a, const T* b) { return a->origin.layer < b->origin.layer; });
    return specs;
}

// Where a spec came from, for messages: its source, else its layer's name.
std::string origin_text(const Origin& origin);

// A producer's specs, or all its errors in one message, one per line.
Result<LayeredSpecs> specs_or_errors(LayeredSpecs specs, const std::vector<std::string>& errors);

// Talos's merge, made exact where Talos's is not:
// - addresses: union keyed by (link, prefix); on a duplicate key the higher layer wins whole;
// - routes: union keyed by Route::key(); on a duplicate key the higher layer wins whole;
// - rules: union keyed by RoutingRule::key(); on a duplicate key the higher layer wins whole;
// - links: per name, folded by ascending layer; a later spec overrides a field only when it sets it;
// - resolvers, host name, static hosts: see merge_host() in host_merge.h.
// Within one layer, later specs win, and a duplicate that disagrees is reported in `warnings`.
// Specs may come in any order; their origin.layer, not their position, decides.
DesiredState merge(const std::vector<LayeredSpecs>& layers, std::vector<std::string>& warnings);

}  // namespace nodenet::state
