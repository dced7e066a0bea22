// Byte level of the kernel backend: the generic netlink family "wireguard" (linux/wireguard.h).
// Requests are built and answers decoded without a socket, so that both are tested on a kernel that
// lacks WireGuard, and the decoder can be fuzzed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "wireguard/device.h"
#include "wireguard/patch.h"

namespace nodenet::wireguard {

using GenlMessage = std::vector<uint8_t>;  // one nlmsghdr, genlmsghdr and attributes

// The kernel refuses a request larger than the socket's send buffer (net.core.wmem_default, 208 KiB
// unless tuned down); `wg` stays within one page. 32 KiB holds about 1,000 IPv4 allowed IPs, so that
// a device with many peers or prefixes takes several requests.
constexpr size_t kGenlMessageLimit = 32768;

// WG_CMD_GET_DEVICE of one device, as a dump (the only way the kernel answers it).
GenlMessage genl_get_request(uint16_t family, std::string_view iface, uint32_t seq);

// WG_CMD_SET_DEVICE requests, numbered from `first_seq`, that write `patch`, each at most `limit`
// bytes. The first carries the device settings the patch sets, and WGDEVICE_F_REPLACE_PEERS when it
// replaces the peers. A peer carries WGPEER_F_REMOVE_ME (and nothing else), or the fields it sets,
// WGPEER_F_UPDATE_ONLY for an update and WGPEER_F_REPLACE_ALLOWEDIPS where its allowed IPs first
// appear. When the limit is reached the next request names the device only and goes on where the
// last stopped, repeating the peer's public key if its allowed IPs are cut (linux/wireguard.h
// describes this splitting). An empty patch gives one request naming the device only.
// The kernel applies each request on its own: if a later one fails, the earlier ones stay applied.
Result<std::vector<GenlMessage>> genl_set_requests(uint16_t family, std::string_view iface, const DevicePatch& patch,
                                                   uint32_t first_seq, size_t limit = kGenlMessageLimit);
// The requests that make the device exactly `config`: those of replacement(config). What `config`
// leaves unset is cleared: a zero private key, a zero preshared key.
Result<std::vector<GenlMessage>> genl_set_requests(uint16_t family, std::string_view iface, const DeviceConfig& config,
                                                   uint32_t first_seq, size_t limit = kGenlMessageLimit);

// The kernel's answer to a request with an acknowledgement: 0 or a positive errno, and the
// extended-ack message when the kernel gave one.
struct GenlAck {
    int error = 0;
    std::string message;
};
// The acknowledgement of request `seq` in one received datagram (one or more netlink messages);
// nullopt when the datagram holds none (answers to older requests are skipped).
Result<std::optional<GenlAck>> genl_find_ack(std::span<const uint8_t> datagram, uint32_t seq);

// Collects the answer to genl_get_request, which may take many datagrams: the kernel splits peers
// over messages, repeating a peer's public key when its allowed IPs continue in the next one. Peer
// statistics (WGPEER_A_LAST_HANDSHAKE_TIME, WGPEER_A_RX_BYTES, WGPEER_A_TX_BYTES) go to
// PeerConfig::stats.
class GenlDeviceDump {
public:
    GenlDeviceDump(uint16_t family, uint32_t seq) : family_(family), seq_(seq) {}

    // One received datagram. An error is final: the rest of the dump must be thrown away.
    Status add(std::span<const uint8_t> datagram);
    // NLMSG_DONE (or the kernel's error) has arrived.
    bool done() const { return done_; }
    // The kernel flagged the dump as inconsistent (NLM_F_DUMP_INTR): read the device again.
    bool interrupted() const { return interrupted_; }
    // The device, once done(). Fails when the kernel refused the dump or it was interrupted().
    Result<DeviceConfig> take();

private:
    Status add_message(std::span<const uint8_t> message);
    Status add_peer(std::span<const uint8_t> attrs);

    uint16_t family_;
    uint32_t seq_;
    bool done_ = false;
    bool interrupted_ = false;
    std::optional<GenlAck> refused_;
    std::optional<DeviceConfig> config_ = DeviceConfig{};
    std::optional<Key> private_key_;
    std::optional<uint16_t> listen_port_;
    std::optional<uint32_t> fwmark_;
    std::set<Key> peer_keys_;
    std::set<state::IpPrefix> last_peer_ips_;
    size_t total_ips_ = 0;
};

}  // namespace nodenet::wireguard
