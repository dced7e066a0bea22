#include "kubespan/prefix_set.h"

#include <algorithm>

namespace nodenet::kubespan {

namespace {

using U128 = unsigned __int128;
using Range = PrefixSet::Range;

unsigned bits(state::Family family) { return family == state::Family::V4 ? 32 : 128; }

U128 to_int(const state::IpAddress& ip) {
    U128 v = 0;
    for (size_t i = 0; i < ip.size(); ++i) v = v << 8 | ip.bytes[i];
    return v;
}

state::IpAddress from_int(U128 v, state::Family family) {
    state::IpAddress ip;
    ip.family = family;
    for (size_t i = ip.size(); i-- > 0;) {
        ip.bytes[i] = static_cast<uint8_t>(v & 0xff);
        v >>= 8;
    }
    return ip;
}

// The mask of the host part of a /len prefix in a family of `width` bits.
U128 host_mask(unsigned len, unsigned width) {
    unsigned host = width - len;
    return host >= 128 ? ~U128{0} : (U128{1} << host) - 1;
}

Range range_of(const state::IpPrefix& p) {
    unsigned width = bits(p.family());
    unsigned len = std::min<unsigned>(p.len, width);
    U128 host = host_mask(len, width);
    U128 first = to_int(p.addr) & ~host;
    return {first, first | host};
}

// Sorted, disjoint, with touching ranges joined.
void normalise(std::vector<Range>& rs) {
    std::sort(rs.begin(), rs.end(), [](const Range& a, const Range& b) { return a.first < b.first; });
    std::vector<Range> out;
    for (const Range& r : rs) {
        if (!out.empty() && (out.back().last == ~U128{0} || r.first <= out.back().last + 1)) {
            out.back().last = std::max(out.back().last, r.last);
        } else {
            out.push_back(r);
        }
    }
    rs = std::move(out);
}

std::vector<Range> subtract(const std::vector<Range>& from, const std::vector<Range>& minus) {
    std::vector<Range> out;
    for (Range r : from) {
        bool gone = false;
        for (const Range& m : minus) {
            if (m.last < r.first || m.first > r.last) continue;
            if (m.first > r.first) out.push_back({r.first, m.first - 1});
            if (m.last >= r.last) {
                gone = true;
                break;
            }
            r.first = m.last + 1;
        }
        if (!gone) out.push_back(r);
    }
    return out;
}

std::vector<Range> intersect(const std::vector<Range>& a, const std::vector<Range>& b) {
    std::vector<Range> out;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        U128 first = std::max(a[i].first, b[j].first), last = std::min(a[i].last, b[j].last);
        if (first <= last) out.push_back({first, last});
        if (a[i].last < b[j].last) ++i; else ++j;
    }
    return out;
}

// The largest aligned prefixes that tile [first, last], in order.
void append_prefixes(Range r, state::Family family, std::vector<state::IpPrefix>& out) {
    unsigned width = bits(family);
    while (true) {
        // The longest host part that keeps `first` aligned and stays within `last`.
        unsigned host = 0;
        while (host < width) {
            U128 mask = host_mask(width - (host + 1), width);
            if ((r.first & mask) != 0 || (r.first | mask) > r.last) break;
            ++host;
        }
        U128 end = r.first | host_mask(width - host, width);
        out.push_back({from_int(r.first, family), static_cast<uint8_t>(width - host)});
        if (end >= r.last) return;
        r.first = end + 1;
    }
}

}  // namespace

PrefixSet::PrefixSet(const std::vector<state::IpPrefix>& prefixes) {
    for (const auto& p : prefixes) add(p);
}

void PrefixSet::add(const state::IpPrefix& prefix) {
    auto& rs = ranges(prefix.family());
    rs.push_back(range_of(prefix));
    normalise(rs);
}

void PrefixSet::add(const state::IpAddress& ip) { add(state::IpPrefix{ip, static_cast<uint8_t>(bits(ip.family))}); }

void PrefixSet::add(const PrefixSet& other) {
    v4_.insert(v4_.end(), other.v4_.begin(), other.v4_.end());
    v6_.insert(v6_.end(), other.v6_.begin(), other.v6_.end());
    normalise(v4_);
    normalise(v6_);
}

void PrefixSet::remove(const state::IpPrefix& prefix) {
    auto& rs = ranges(prefix.family());
    rs = subtract(rs, {range_of(prefix)});
}

void PrefixSet::remove(const PrefixSet& other) {
    v4_ = subtract(v4_, other.v4_);
    v6_ = subtract(v6_, other.v6_);
}

PrefixSet PrefixSet::intersection(const PrefixSet& other) const {
    PrefixSet out;
    out.v4_ = intersect(v4_, other.v4_);
    out.v6_ = intersect(v6_, other.v6_);
    return out;
}

bool PrefixSet::overlaps(const PrefixSet& other) const { return !intersection(other).empty(); }

bool PrefixSet::contains(const state::IpAddress& ip) const {
    U128 v = to_int(ip);
    const auto& rs = ranges(ip.family);
    return std::any_of(rs.begin(), rs.end(), [&](const Range& r) { return r.first <= v && v <= r.last; });
}

std::vector<state::IpPrefix> PrefixSet::prefixes(state::Family family) const {
    std::vector<state::IpPrefix> out;
    for (const Range& r : ranges(family)) append_prefixes(r, family, out);
    return out;
}

std::vector<state::IpPrefix> PrefixSet::prefixes() const {
    std::vector<state::IpPrefix> out = prefixes(state::Family::V4);
    std::vector<state::IpPrefix> v6 = prefixes(state::Family::V6);
    out.insert(out.end(), v6.begin(), v6.end());
    return out;
}

}  // namespace nodenet::kubespan
