// The node's KubeSpan identity (Talos's kubespan.IdentitySpec): its WireGuard key pair, kept across
// boots in kubespan-identity.yaml on the STATE partition (nodenet: its state directory), and its
// KubeSpan address, recomputed at every boot from the cluster ID and the first MAC. Pure: the random
// bytes come from the caller, the file's bytes go to and come from the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "state/ip.h"
#include "wireguard/key.h"

namespace nodenet::kubespan {

inline constexpr const char* kIdentityFileName = "kubespan-identity.yaml";  // KubeSpanIdentityFilename

struct Identity {
    wireguard::Key private_key, public_key;
    std::optional<state::IpPrefix> address;  // <KubeSpan address>/128
    std::optional<state::IpPrefix> subnet;   // the cluster's KubeSpan /64

    bool operator==(const Identity&) const = default;
};

// A new key pair from 32 random bytes, clamped as wgtypes.GeneratePrivateKey clamps them; the
// public key is X25519 (OpenSSL, wireguard::public_key). No address yet, as in the file Talos
// writes on first boot.
Result<Identity> new_identity(std::span<const uint8_t, wireguard::kKeyLength> random);

// The identity with its address for this boot: `subnet` (kubespan_prefix() of the cluster ID) and
// the EUI-64 of `mac` inside it. Fails when the MAC is neither 6 nor 8 bytes.
Result<Identity> with_address(Identity identity, const state::IpPrefix& subnet, std::string_view mac);

// kubespan-identity.yaml as Talos's yaml.v3 encoder writes the IdentitySpec: keys address, subnet,
// privateKey, publicKey in that order; an address not computed yet is "" (Talos writes the file
// before it computes the address, so its files have `address: ""`).
std::string render_identity_file(const Identity& identity);

// The identity in a kubespan-identity.yaml, as Talos's or nodenet's. Like Talos's decoder, the first
// document is read and other keys are ignored. Errors start with `name` (the file's path) and say what
// is wrong, never quoting a key: `…: not YAML: line 2, column 1: …`, `…: no privateKey`,
// `…: privateKey: not a WireGuard key: …`, `…: publicKey does not match privateKey`,
// `…: address "x": …`. A missing publicKey is derived from the private key.
Result<Identity> parse_identity_file(std::string_view text, std::string_view name);

}  // namespace nodenet::kubespan
