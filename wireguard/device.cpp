#include "wireguard/device.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>

namespace nodenet::wireguard {

std::string Endpoint::str() const {
    std::string host = address.str();
    if (address.family == state::Family::V6) host = "[" + host + "]";
    return host + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
    bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (bracketed) host = host.substr(1, host.size() - 2);
    Endpoint e;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) return std::nullopt;
    e.port = static_cast<uint16_t>(value);
    // inet_pton (behind parse_ip_address) takes neither zones ("%eth0") nor brackets.
    auto ip = state::parse_ip_address(host);
    if (!ip || (ip->family == state::Family::V6) != bracketed) return std::nullopt;
    e.address = *ip;
    return e;
}

namespace {

std::string canonical_endpoint(const std::string& text) {
    auto e = parse_endpoint(text);
    return e ? e->str() : text;
}

// What a peer's comparison covers: not its stats.
auto fields(const PeerConfig& p) {
    return std::tie(p.public_key, p.preshared_key, p.endpoint, p.persistent_keepalive_seconds, p.allowed_ips,
                    p.keep_current_endpoint);
}

// Members equal; both already normalized.
bool same_device(const DeviceConfig& a, const DeviceConfig& b, bool any_port, bool any_endpoint) {
    if (a.private_key != b.private_key || a.firewall_mark != b.firewall_mark) return false;
    if (!(any_port && a.listen_port == 0) && a.listen_port != b.listen_port) return false;
    if (a.peers.size() != b.peers.size()) return false;
    for (size_t i = 0; i < a.peers.size(); ++i) {
        PeerConfig want = a.peers[i];
        const PeerConfig& have = b.peers[i];
        if (any_endpoint && (want.endpoint.empty() || (want.keep_current_endpoint && !have.endpoint.empty())))
            want.endpoint = have.endpoint;
        if (any_endpoint) want.keep_current_endpoint = have.keep_current_endpoint;
        if (fields(want) != fields(have)) return false;
    }
    return true;
}

}  // namespace

DeviceConfig normalized(DeviceConfig config) {
    if (config.private_key) config.private_key = clamped(*config.private_key);
    for (PeerConfig& peer : config.peers) {
        for (state::IpPrefix& prefix : peer.allowed_ips) prefix = prefix.masked();
        std::sort(peer.allowed_ips.begin(), peer.allowed_ips.end());
        peer.allowed_ips.erase(std::unique(peer.allowed_ips.begin(), peer.allowed_ips.end()), peer.allowed_ips.end());
        peer.endpoint = canonical_endpoint(peer.endpoint);
    }
    std::sort(config.peers.begin(), config.peers.end(),
              [](const PeerConfig& a, const PeerConfig& b) { return fields(a) < fields(b); });
    return config;
}

bool operator==(const PeerConfig& a, const PeerConfig& b) {
    DeviceConfig da, db;
    da.peers = {a};
    db.peers = {b};
    return normalized(std::move(da)) == normalized(std::move(db));
}

bool operator==(const DeviceConfig& a, const DeviceConfig& b) {
    return same_device(normalized(a), normalized(b), false, false);
}

bool device_matches(const DeviceConfig& desired, const DeviceConfig& actual) {
    return same_device(normalized(desired), normalized(actual), true, true);
}

std::string quote(std::string_view text) {
    constexpr size_t kMax = 64;
    std::string out(text.substr(0, kMax));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    return "\"" + out + (text.size() > kMax ? "...\"" : "\"");
}

bool valid_interface_name(std::string_view name) {
    // The kernel's dev_valid_name().
    if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == ':' || c == '\0' || std::isspace(static_cast<unsigned char>(c));
    });
}

}  // namespace nodenet::wireguard
