#include "wireguard/settings.h"

#include <string>

namespace nodenet::wireguard {

namespace {

std::string peer_name(size_t index, const std::string& public_key) {
    std::string name = "peers[" + std::to_string(index) + "]";
    return public_key.empty() ? name : name + " (" + public_key + ")";
}

}  // namespace

Result<DeviceConfig> device_config(const state::WireguardSettings& settings) {
    DeviceConfig config;
    config.listen_port = settings.listen_port;
    config.firewall_mark = settings.firewall_mark;
    std::optional<Key> own_public;
    if (!settings.private_key.empty()) {
        auto key = parse_key_base64(settings.private_key);
        if (!key) return Error{"private key: " + key.error()};
        auto pub = public_key(*key);
        if (!pub) return Error{"private key: " + pub.error()};
        config.private_key = *key;
        own_public = *pub;
    }
    for (size_t i = 0; i < settings.peers.size(); ++i) {
        const state::WireguardPeer& in = settings.peers[i];
        PeerConfig peer;
        auto key = parse_key_base64(in.public_key);
        if (!key) return Error{peer_name(i, "") + ": public key: " + key.error()};
        peer.public_key = *key;
        std::string name = peer_name(i, in.public_key);
        // A device silently drops a peer with its own key, so it would never read back as configured.
        if (own_public && *own_public == peer.public_key) return Error{name + ": this is the device's own public key"};
        for (size_t j = 0; j < i; ++j)
            if (config.peers[j].public_key == peer.public_key)
                return Error{name + ": the same public key as " + peer_name(j, "")};
        if (!in.endpoint.empty()) {
            auto endpoint = parse_endpoint(in.endpoint);
            if (!endpoint)
                return Error{name + ": endpoint " + quote(in.endpoint) +
                             " is not an IP address and port (host names are not resolved)"};
            peer.endpoint = endpoint->str();
        }
        if (in.persistent_keepalive_seconds < 0 || in.persistent_keepalive_seconds > 65535)
            return Error{name + ": persistent keepalive " + std::to_string(in.persistent_keepalive_seconds) +
                         " s is out of range (0 to 65535)"};
        peer.persistent_keepalive_seconds = static_cast<uint16_t>(in.persistent_keepalive_seconds);
        for (const state::IpPrefix& prefix : in.allowed_ips) peer.allowed_ips.push_back(prefix.masked());
        config.peers.push_back(std::move(peer));
    }
    return config;
}

}  // namespace nodenet::wireguard
