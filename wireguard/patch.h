// What a write to a WireGuard device changes, as `wg syncconf` computes it: the device settings that
// differ, and per peer an explicit removal, an addition, or the fields of an update. A device keeps
// its sessions (handshakes, counters, a roamed endpoint) for every peer the patch does not name, so
// that reconciling a mesh of hundreds of peers every few seconds restarts nothing that did not change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/ip.h"
#include "wireguard/device.h"
#include "wireguard/key.h"

namespace nodenet::wireguard {

// One peer's part of a patch: a field that is set is written, one that is not is left as it is.
struct PeerPatch {
    Key public_key;
    bool remove = false;       // the peer goes (UAPI remove=true, WGPEER_F_REMOVE_ME); nothing else is set
    bool update_only = false;  // changes a peer the device has; one removed meanwhile is not made again
    std::optional<Key> preshared_key;                       // a zero key removes it
    std::optional<std::string> endpoint;                    // "1.2.3.4:51820"; never empty (no write clears one)
    std::optional<uint16_t> persistent_keepalive_seconds;   // 0 turns it off
    std::optional<std::vector<state::IpPrefix>> allowed_ips;  // replaces every allowed IP of the peer
};

struct DevicePatch {
    std::optional<Key> private_key;  // a zero key removes it
    std::optional<uint16_t> listen_port;
    std::optional<uint32_t> firewall_mark;
    bool replace_peers = false;    // every peer not in `peers` is removed first: a full replace
    std::vector<PeerPatch> peers;  // by public key, each at most once

    // Nothing to write: the device is already as desired.
    bool empty() const {
        return !private_key && !listen_port && !firewall_mark && !replace_peers && peers.empty();
    }
};

// The patch that turns `actual` (the device as read) into `desired`, a sorted merge on the peers'
// public keys:
// - private key and fwmark when they differ; the listen port when `desired` names one (not 0) that
//   differs;
// - a peer only in `actual`: removed; only in `desired`: added with every field;
// - a peer in both: update_only, with only the fields that differ (allowed IPs compared as sets,
//   after masking). Its endpoint is written only when `desired` names one, it differs, and the peer
//   is not keep_current_endpoint with an endpoint on the device: an endpoint the device learned
//   (roaming) is not overwritten for nothing;
// - an unchanged peer is not in the patch, and a device that device_matches() gives an empty patch.
// Public keys are unique in each config (device_config() and the readers see to it).
DevicePatch device_patch(const DeviceConfig& desired, const DeviceConfig& actual);

// The patch that makes a device exactly `config` whatever it holds: every device setting, every
// peer with every field, replace_peers. It restarts every session; for a new device, or one that
// could not be read.
DevicePatch replacement(const DeviceConfig& config);

}  // namespace nodenet::wireguard
