// The node's KubeSpan address, as Talos derives it: a ULA /64 from the cluster ID (Talos's
// network.ULAPrefix, a Talos flavour of RFC 4193) and the host part from the first MAC (EUI-64,
// RFC 4291 appendix A). Every node of the cluster computes the same /64 without talking to the others.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "state/ip.h"

namespace nodenet::kubespan {

// SHA-256 of the cluster ID (the text as written, not its base64 decoding); the last 16 bytes with
// byte 0 = 0xfd and byte 7 = `purpose`, masked to /64. SHA-256 is OpenSSL's, loaded on first use
// (as wireguard/key.cpp loads X25519): the only failure is a missing libcrypto.so.3.
Result<state::IpPrefix> ula_prefix(std::string_view cluster_id, uint8_t purpose);
Result<state::IpPrefix> kubespan_prefix(std::string_view cluster_id);  // purpose kUlaKubeSpan

// The EUI-64 address in `prefix` (its first 64 bits) for a MAC written as the kernel writes it
// ("2e:1a:b6:53:81:69"; '-' separators and upper case are read too): the U/L bit flipped and
// ff:fe inserted in the middle of a 48-bit MAC, or the U/L bit flipped in a 64-bit one
// (mdlayher/netx eui64.ParseMAC). Nullopt for an IPv4 prefix or a MAC of another length.
std::optional<state::IpAddress> kubespan_address(const state::IpPrefix& prefix, std::string_view mac);

// Talos's network.IsULA: IPv6, byte 0 is 0xfd and byte 7 is `purpose`. Not a prefix test: any
// cluster's ULA of that purpose matches.
bool is_ula(const state::IpAddress& ip, uint8_t purpose);
bool is_kubespan_ula(const state::IpAddress& ip);

}  // namespace nodenet::kubespan
