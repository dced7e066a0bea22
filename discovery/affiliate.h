// An affiliate: what one node of a cluster publishes about itself through discovery, as nodenet
// keeps it (Talos's cluster.AffiliateSpec), and the rules it must pass; its protobuf form is
// affiliate_codec.h. Pure, and free of libprotobuf: the daemon links this, not the codec.
//
// What comes from the network is checked before it is believed. A hostile service cannot forge
// encrypted data, but a broken or hostile cluster member can publish anything, and what it publishes
// ends up in tables, logs and WireGuard peers: text fields must be short and free of control
// characters, lists are bounded, every address is exactly 4 or 16 bytes, prefixes fit their family,
// ports are 1–65535. An affiliate that breaks a rule is refused whole, with the field and the
// reason; Talos instead drops single unreadable addresses silently and takes the rest.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "state/ip.h"

namespace nodenet::discovery {

using state::IpAddress;
using state::IpPrefix;

// Bounds on what nodenet accepts and sends. Talos sets none of its own; the service's 2048-byte
// limit on encrypted data is what bounds a genuine affiliate, and each of these is well above what
// fits in it, so no genuine affiliate is refused by them.
inline constexpr size_t kMaxNodeIdBytes = 256;   // the service's limit on affiliate IDs
inline constexpr size_t kMaxNameBytes = 253;     // hostname (an FQDN) and nodename (a DNS name)
inline constexpr size_t kMaxOsBytes = 255;
inline constexpr size_t kMaxListItems = 512;     // addresses, prefixes
inline constexpr size_t kMaxEndpoints = 64;      // the service's limit per affiliate

enum class MachineType : uint8_t { Unknown, Init, ControlPlane, Worker };

// "unknown", "init", "controlplane", "worker": Talos's machine.Type strings.
std::string_view machine_type_name(MachineType type);
// Talos's machine.ParseType ("worker", "join" and "" are workers); what it refuses is Unknown,
// since Talos ignores the error there.
MachineType parse_machine_type(std::string_view text);

struct Endpoint {
    IpAddress ip;
    uint16_t port = 0;

    auto operator<=>(const Endpoint&) const = default;
    std::string str() const;  // 10.0.0.1:51820, [2001:db8::1]:51820
};

// Talos's KubeSpanAffiliateSpec. A node without KubeSpan has an empty public key; then nothing
// of this part is published, endpoints included (Talos's rule), and none of it is read.
struct KubeSpanPart {
    std::string public_key;                         // WireGuard public key, base64
    std::optional<IpAddress> address;               // the node's KubeSpan address
    std::vector<IpPrefix> additional_addresses;     // its pod CIDRs, when it advertises them
    std::vector<IpPrefix> exclude_advertised_networks;
    std::vector<Endpoint> endpoints;                // published apart from the data

    bool operator==(const KubeSpanPart&) const = default;
};

struct Affiliate {
    std::string node_id;
    std::vector<IpAddress> addresses;      // routed node addresses
    std::string hostname;                  // FQDN
    std::string nodename;                  // Kubernetes node name; a member has one
    MachineType machine_type = MachineType::Unknown;
    std::string operating_system;          // "Talos (v1.11.0)", "Debian GNU/Linux 12 (bookworm)"
    std::optional<uint16_t> api_server_port;  // control planes with an API server (Talos ControlPlane)
    KubeSpanPart kubespan;

    bool has_kubespan() const { return !kubespan.public_key.empty(); }
    bool operator==(const Affiliate&) const = default;
};

// Every rule above; the reason names the field (`hostname: contains a control character`,
// `kubespan.additionalAddresses[2]: /33 is longer than an IPv4 address`).
Status check_affiliate(const Affiliate& affiliate);
Status check_endpoint(const Endpoint& endpoint);

}  // namespace nodenet::discovery
