// The configuration of a WireGuard device as plain values: what nodenet wants on a device and what
// it reads back from one, whichever backend (kernel or userspace) holds it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "state/ip.h"
#include "wireguard/key.h"

namespace nodenet::wireguard {

// Both backends take an IP literal and a port; host names would need a resolver, which has no place
// in a configuration codec.
struct Endpoint {
    state::IpAddress address;
    uint16_t port = 0;
    std::string str() const;  // "1.2.3.4:51820", "[fd00::1]:51820"
};
// "1.2.3.4:51820" or "[fd00::1]:51820"; nullopt for anything else (host names, zones, no port).
std::optional<Endpoint> parse_endpoint(std::string_view text);

// What a device measured for a peer; filled in by reading a device, ignored by every comparison
// (operator==, device_matches, device_patch) and never written. It lives on the peer, as in
// wireguard-tools' model, so that one read gives KubeSpan a peer's configuration, the endpoint in use
// (PeerConfig::endpoint as read: where the peer roamed) and these counters together; keeping it out
// of comparison keeps counters that move with every packet from making a device "changed".
struct PeerStats {
    // The last completed handshake, as Unix time; both zero until the first one.
    int64_t last_handshake_sec = 0;
    uint32_t last_handshake_nsec = 0;  // below 1,000,000,000
    uint64_t rx_bytes = 0;
    uint64_t tx_bytes = 0;
    bool handshake_done() const { return last_handshake_sec != 0 || last_handshake_nsec != 0; }
    bool operator==(const PeerStats&) const = default;
};

struct PeerConfig {
    Key public_key;
    std::optional<Key> preshared_key;
    std::string endpoint;  // "1.2.3.4:51820" or "[fd00::1]:51820", empty = none
    uint16_t persistent_keepalive_seconds = 0;
    std::vector<state::IpPrefix> allowed_ips;
    // Desired configs only: `endpoint` is where to start, and an endpoint the device already has for
    // the peer (it may have roamed there) is left alone. A peer read back never has it.
    bool keep_current_endpoint = false;
    PeerStats stats;  // read back only; see PeerStats
};

// A whole device, as nodenet wants it or reads it back.
struct DeviceConfig {
    std::optional<Key> private_key;
    uint16_t listen_port = 0;  // 0: the device picks one
    uint32_t firewall_mark = 0;
    std::vector<PeerConfig> peers;
};

// The canonical form in which two configs that mean the same compare member by member: the private
// key clamped (as the device keeps it); peers sorted by public key; allowed IPs masked to their network (as the device
// stores them), sorted, without duplicates; endpoints written as Endpoint::str() writes them.
DeviceConfig normalized(DeviceConfig config);

// Same meaning: peers and allowed IPs in any order.
bool operator==(const PeerConfig& a, const PeerConfig& b);
bool operator==(const DeviceConfig& a, const DeviceConfig& b);

// Whether a device read back (`actual`) is configured as `desired` asks. Equality, except for what
// the device decides by itself: the port it picked when `desired` says 0, and the endpoint it
// learned from a peer that `desired` gives none or marks keep_current_endpoint. Exactly when
// device_patch(desired, actual) is empty (wireguard/patch.h).
bool device_matches(const DeviceConfig& desired, const DeviceConfig& actual);


// `text` for an error message: quoted, cut at 64 bytes, and every byte outside printable ASCII shown
// as '?', so that what a daemon or a caller sent cannot garble a log line or break JSON output.
std::string quote(std::string_view text);

// A Linux interface name (1 to 15 bytes, no '/', no whitespace, not "." or ".."): also the name of
// the UAPI socket file, so it must not be able to leave the socket directory.
bool valid_interface_name(std::string_view name);

}  // namespace nodenet::wireguard
