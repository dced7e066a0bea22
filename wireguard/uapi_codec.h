// The text protocol of userspace WireGuard implementations (wireguard-go, boringtun) on their UNIX
// socket, https://www.wireguard.com/xplatform/: "key=value" lines, ended by an empty line. No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "wireguard/device.h"
#include "wireguard/patch.h"

namespace nodenet::wireguard {

// Bounds on what a reply may describe, so that hostile input cannot claim unbounded memory.
constexpr size_t kMaxPeers = 65536;
constexpr size_t kMaxAllowedIpsPerPeer = 65536;
constexpr size_t kMaxAllowedIps = 1 << 20;  // over all peers

// The "set=1" request that writes `patch`: the device settings it sets, "replace_peers=true" when it
// replaces the peers, then per peer its public_key followed by "remove=true", or by "update_only=true"
// for an update, and the fields it sets ("replace_allowed_ips=true" before the allowed IPs). An empty
// patch is "set=1" and an empty line: a request that changes nothing (callers send none).
// Fails when an endpoint is not an IP literal and port: it would otherwise go out verbatim.
Result<std::string> set_request(const DevicePatch& patch);
// The request that makes a device exactly `config`: set_request(replacement(config)). Every peer is
// replaced, and what `config` leaves unset is cleared (a zero private or preshared key).
Result<std::string> set_request(const DeviceConfig& config);

// The request for the device's configuration.
constexpr std::string_view kGetRequest = "get=1\n\n";

// The answer to kGetRequest: device keys (private_key, listen_port, fwmark), then one block per
// peer opened by public_key, then "errno=N" and an empty line. A non-zero errno is an error; an
// all-zero key is no key. The statistics (last_handshake_time_sec/nsec, rx_bytes, tx_bytes) go to
// PeerConfig::stats; keys this version does not know are skipped, as `wg` skips them.
Result<DeviceConfig> parse_get_reply(std::string_view reply);

// The answer to a set request: "errno=0" and an empty line.
Status parse_set_reply(std::string_view reply);

// What a daemon answers to kGetRequest for `config`, stats included: for tests and fuzzing round trips.
std::string format_get_reply(const DeviceConfig& config);

// Where a reply ends on the stream: just past its empty line; npos while incomplete.
size_t reply_end(std::string_view received);

}  // namespace nodenet::wireguard
