// WireGuard keys: 32 bytes, written in base64 in configs and `wg` output, in hex on the UAPI socket.
// Error messages never quote the text they reject: it may be a private key.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace nodenet::wireguard {

constexpr size_t kKeyLength = 32;

struct Key {
    std::array<uint8_t, kKeyLength> bytes{};

    // All zero: what both kernel and UAPI use for "no key" (a preshared key that is not set).
    bool is_zero() const;
    auto operator<=>(const Key&) const = default;
};

// Exactly 44 characters of standard base64 ending in one '=', in the canonical encoding (the bits
// of the last character that fall outside the 32 bytes are zero), as `wg` demands.
Result<Key> parse_key_base64(std::string_view text);
std::string to_base64(const Key& key);

// 64 hex digits (the UAPI writes lowercase; either case is read).
Result<Key> parse_key_hex(std::string_view text);
std::string to_hex(const Key& key);

// A private key as WireGuard keeps it, clamped for X25519 (RFC 7748, section 5): the kernel and
// wireguard-go both clamp the key they are given, so a key read back is clamped whatever was written.
// Clamping does not change the public key.
Key clamped(const Key& private_key);

// The X25519 public key of a private key (OpenSSL clamps the scalar, as WireGuard does). OpenSSL's
// libcrypto is loaded on the first call.
Result<Key> public_key(const Key& private_key);

}  // namespace nodenet::wireguard
