// Small builders shared by the WireGuard tests: keys, prefixes, a two-peer device.
#pragma once

#include <string>

#include "state/ip.h"
#include "wireguard/device.h"
#include "wireguard/key.h"

namespace nodenet::wireguard::testing {

// A key whose 32 bytes are all `fill`.
inline Key key_of(uint8_t fill) {
    Key k;
    k.bytes.fill(fill);
    return k;
}

inline state::IpPrefix prefix(const std::string& text) {
    auto p = state::parse_ip_prefix(text);
    if (!p) throw std::runtime_error("bad prefix in test: " + text);
    return *p;
}

// A device with an IPv4 and an IPv6 peer, one with a preshared key: most of what a config holds.
inline DeviceConfig two_peer_device() {
    DeviceConfig d;
    d.private_key = key_of(0x11);
    d.listen_port = 51820;
    d.firewall_mark = 0x42;
    PeerConfig a;
    a.public_key = key_of(0xA1);
    a.preshared_key = key_of(0x55);
    a.endpoint = "192.0.2.1:51820";
    a.persistent_keepalive_seconds = 25;
    a.allowed_ips = {prefix("10.1.0.0/16"), prefix("10.2.3.4/32")};
    PeerConfig b;
    b.public_key = key_of(0xB2);
    b.endpoint = "[2001:db8::1]:4500";
    b.allowed_ips = {prefix("fd00:1::/64")};
    d.peers = {a, b};
    return d;
}

}  // namespace nodenet::wireguard::testing
