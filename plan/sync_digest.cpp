#include "plan/sync_digest.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace nodenet::plan {

namespace {

std::string to_hex(const unsigned char* md, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += digits[md[i] >> 4];
        out += digits[md[i] & 15];
    }
    return out;
}

// Fields are fed with their length or a fixed width, so that no two snapshots share a byte stream.
// They are gathered first and hashed in one call: per-field digest updates cost more than the hash.
class Hasher {
public:
    template <class T>
        requires std::is_arithmetic_v<T> || std::is_enum_v<T>
    void add(T v) {
        bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void add(std::string_view s) {
        add(s.size());
        bytes_.append(s);
    }
    void add(const state::IpAddress& a) {
        add(a.family);
        bytes_.append(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
    }
    void add(const state::IpPrefix& p) {
        add(p.addr);
        add(p.len);
    }
    template <class T>
    void add(const std::optional<T>& v) {
        add(v.has_value());
        if (v) add(*v);
    }
    void add(const state::BridgeSettings& b) {
        add(b.stp);
        add(b.vlan_filtering);
    }
    void add(const state::VlanSettings& v) {
        add(v.parent);
        add(v.id);
        add(v.q_in_q);
    }

    void add(const wireguard::Key& k) { bytes_.append(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()); }
    void add(const wireguard::DeviceConfig& d) {
        add(d.private_key);
        add(d.listen_port);
        add(d.firewall_mark);
        add(d.peers.size());
        for (const wireguard::PeerConfig& p : d.peers) {
            add(p.public_key);
            add(p.preshared_key);
            add(p.endpoint);
            add(p.persistent_keepalive_seconds);
            add(p.allowed_ips.size());
            for (const state::IpPrefix& ip : p.allowed_ips) add(ip);
        }
    }

    std::string hex() {
        return text_digest(bytes_);
    }
    uint64_t hash64() const { return XXH3_64bits(bytes_.data(), bytes_.size()); }

private:
    std::string bytes_;
};

}  // namespace

std::string text_digest(std::string_view text) {
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(text.data(), text.size()));
    return to_hex(c.digest, sizeof c.digest);
}

std::string kernel_digest(const state::KernelState& kernel) {
    Hasher h;
    h.add(kernel.links.size());
    for (const state::ObservedLink& l : kernel.links) {
        h.add(l.index);
        h.add(l.name);
        h.add(l.kind);
        h.add(l.up);
        h.add(l.mtu);
        h.add(l.master_index);
        h.add(l.parent_index);
        h.add(l.hardware_addr);
        h.add(l.permanent_addr);
        h.add(l.bridge);
        h.add(l.vlan);
        h.add(l.physical);
        h.add(l.driver);
        h.add(l.bus_path);
        h.add(l.pci_id);
        h.add(l.wireguard);
    }
    h.add(kernel.addresses.size());
    for (const state::ObservedAddress& a : kernel.addresses) {
        h.add(a.link_index);
        h.add(a.prefix);
        h.add(a.protocol);
        h.add(a.scope);
        h.add(a.flags);
        h.add(a.priority);
    }
    // Routes in any order: a snapshot read with one dump lists them by family and table, one read
    // with filtered dumps by (table, link); the same routes must give the same digest.
    h.add(kernel.routes.size());
    std::vector<uint64_t> routes;
    routes.reserve(kernel.routes.size());
    for (const state::ObservedRoute& r : kernel.routes) {
        Hasher one;
        one.add(r.table);
        one.add(r.family);
        one.add(r.destination);
        one.add(r.gateway);
        one.add(r.source);
        one.add(r.link_index);
        one.add(r.metric);
        one.add(r.protocol);
        one.add(r.scope);
        one.add(r.type);
        one.add(r.mtu);
        routes.push_back(one.hash64());
    }
    std::sort(routes.begin(), routes.end());
    for (uint64_t r : routes) h.add(r);
    h.add(kernel.rules.size());
    for (const state::ObservedRule& r : kernel.rules) {
        h.add(r.family);
        h.add(r.priority);
        h.add(r.action);
        h.add(r.table);
        h.add(r.source);
        h.add(r.destination);
        h.add(r.iif);
        h.add(r.oif);
        h.add(r.fwmark);
        h.add(r.fwmask);
        h.add(r.protocol);
        h.add(r.other_selectors);
    }
    return h.hex();
}

}  // namespace nodenet::plan
