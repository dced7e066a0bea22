// A set of IP addresses built from prefixes and single addresses, with union, subtraction and
// intersection, written back as the fewest prefixes that cover it exactly (Go's
// netipx.IPSetBuilder / IPSet.Prefixes, which Talos uses for peers' allowed IPs and the routed set).
//
// Inside, each family is a sorted list of disjoint, non-adjacent address ranges: subtracting
// 10.0.0.0/25 from 10.0.0.0/24 leaves the range 10.0.0.128–10.0.0.255, written as 10.0.0.128/25.
#pragma once

#include <vector>

#include "state/ip.h"

namespace nodenet::kubespan {

class PrefixSet {
public:
    PrefixSet() = default;
    explicit PrefixSet(const std::vector<state::IpPrefix>& prefixes);

    // A prefix adds its whole network (host bits ignored: 10.0.0.5/24 adds 10.0.0.0/24).
    void add(const state::IpPrefix& prefix);
    void add(const state::IpAddress& ip);
    void add(const PrefixSet& other);
    void remove(const state::IpPrefix& prefix);
    void remove(const PrefixSet& other);

    PrefixSet intersection(const PrefixSet& other) const;
    bool overlaps(const PrefixSet& other) const;
    bool contains(const state::IpAddress& ip) const;
    bool empty() const { return v4_.empty() && v6_.empty(); }

    // The fewest prefixes covering the set exactly, in address order, IPv4 first (IPSet.Prefixes).
    std::vector<state::IpPrefix> prefixes() const;
    std::vector<state::IpPrefix> prefixes(state::Family family) const;

    bool operator==(const PrefixSet&) const = default;

    struct Range {
        unsigned __int128 first = 0, last = 0;  // inclusive; IPv4 in the low 32 bits
        bool operator==(const Range&) const = default;
    };

private:
    std::vector<Range>& ranges(state::Family family) { return family == state::Family::V4 ? v4_ : v6_; }
    const std::vector<Range>& ranges(state::Family family) const { return family == state::Family::V4 ? v4_ : v6_; }

    std::vector<Range> v4_, v6_;
};

}  // namespace nodenet::kubespan
