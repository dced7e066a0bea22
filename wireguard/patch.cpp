#include "wireguard/patch.h"

namespace nodenet::wireguard {

namespace {

// A peer as added: every field written, the allowed IPs replacing whatever a namesake had.
PeerPatch whole_peer(const PeerConfig& peer) {
    PeerPatch p;
    p.public_key = peer.public_key;
    p.preshared_key = peer.preshared_key.value_or(Key{});
    if (!peer.endpoint.empty()) p.endpoint = peer.endpoint;
    p.persistent_keepalive_seconds = peer.persistent_keepalive_seconds;
    p.allowed_ips = peer.allowed_ips;
    return p;
}

// The update of a peer the device has; nullopt when nothing differs. Both normalized.
std::optional<PeerPatch> peer_update(const PeerConfig& want, const PeerConfig& have) {
    PeerPatch p;
    p.public_key = want.public_key;
    p.update_only = true;
    bool changed = false;
    if (want.preshared_key != have.preshared_key) {
        p.preshared_key = want.preshared_key.value_or(Key{});
        changed = true;
    }
    bool leave_endpoint = want.endpoint.empty() || (want.keep_current_endpoint && !have.endpoint.empty());
    if (!leave_endpoint && want.endpoint != have.endpoint) {
        p.endpoint = want.endpoint;
        changed = true;
    }
    if (want.persistent_keepalive_seconds != have.persistent_keepalive_seconds) {
        p.persistent_keepalive_seconds = want.persistent_keepalive_seconds;
        changed = true;
    }
    if (want.allowed_ips != have.allowed_ips) {
        p.allowed_ips = want.allowed_ips;
        changed = true;
    }
    if (!changed) return std::nullopt;
    return p;
}

}  // namespace

DevicePatch device_patch(const DeviceConfig& desired_config, const DeviceConfig& actual_config) {
    // normalized(): clamped private key, peers sorted by public key, allowed IPs masked and sorted,
    // endpoints canonical; so that what means the same compares equal.
    const DeviceConfig desired = normalized(desired_config);
    const DeviceConfig actual = normalized(actual_config);
    DevicePatch patch;
    if (desired.private_key != actual.private_key) patch.private_key = desired.private_key.value_or(Key{});
    if (desired.listen_port != 0 && desired.listen_port != actual.listen_port) patch.listen_port = desired.listen_port;
    if (desired.firewall_mark != actual.firewall_mark) patch.firewall_mark = desired.firewall_mark;

    auto want = desired.peers.begin(), have = actual.peers.begin();
    while (want != desired.peers.end() || have != actual.peers.end()) {
        if (have == actual.peers.end() || (want != desired.peers.end() && want->public_key < have->public_key)) {
            patch.peers.push_back(whole_peer(*want++));
        } else if (want == desired.peers.end() || have->public_key < want->public_key) {
            PeerPatch gone;
            gone.public_key = have++->public_key;
            gone.remove = true;
            patch.peers.push_back(std::move(gone));
        } else {
            if (auto update = peer_update(*want, *have)) patch.peers.push_back(std::move(*update));
            ++want;
            ++have;
        }
    }
    return patch;
}

DevicePatch replacement(const DeviceConfig& config) {
    DevicePatch patch;
    patch.private_key = config.private_key.value_or(Key{});
    patch.listen_port = config.listen_port;
    patch.firewall_mark = config.firewall_mark;
    patch.replace_peers = true;
    for (const PeerConfig& peer : config.peers) patch.peers.push_back(whole_peer(peer));
    return patch;
}

}  // namespace nodenet::wireguard
