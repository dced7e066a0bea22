// The encryption of what a node publishes through a discovery service, exactly as Talos's
// discovery-client does it, so that Talos nodes and nodenet nodes read each other:
//   * the key is the cluster secret itself: base64 of 32 bytes, used raw as an AES-256 key (no KDF);
//   * affiliate data: AES-256-GCM with a random 12-byte nonce, no associated data, written as
//     nonce ‖ ciphertext ‖ tag (16 bytes);
//   * each endpoint: one length byte, the bytes, zeros up to a multiple of 16, each 16-byte block
//     encrypted on its own with AES-256 (ECB). Deterministic on purpose: equal endpoints published by
//     different nodes are equal bytes, which the service merges. (It also shows the service which
//     affiliates share an endpoint: Talos's trade-off, kept for compatibility.)
// OpenSSL's EVP does the ciphers. Pure: the nonce is passed in. Every function takes any bytes and
// answers with a value or a reason; none of them crashes or reads past what it is given.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace nodenet::discovery {

inline constexpr size_t kClusterKeyBytes = 32;
inline constexpr size_t kNonceBytes = 12;
inline constexpr size_t kTagBytes = 16;
inline constexpr size_t kAesBlockBytes = 16;
// What a discovery service keeps (discovery-service pkg/limits): larger data or endpoints are
// refused there, so nodenet neither sends nor accepts them.
inline constexpr size_t kMaxSealedDataBytes = 2048;
inline constexpr size_t kMaxSealedEndpointBytes = 32;

struct ClusterKey {
    std::array<uint8_t, kClusterKeyBytes> bytes{};
};

using Nonce = std::array<uint8_t, kNonceBytes>;

// cluster.secret as Talos decodes it (Go's base64.StdEncoding), which must give 32 bytes. The
// error never quotes the secret.
Result<ClusterKey> parse_cluster_secret(std::string_view base64);

// nonce ‖ AES-256-GCM(plaintext) ‖ tag. Fails when the result would be larger than a service keeps.
Result<std::string> seal_affiliate_data(const ClusterKey& key, std::string_view plaintext, const Nonce& nonce);

// The plaintext of sealed data. Reasons: empty, too short, larger than a service keeps, and
// "authentication failed" for another cluster's secret or damaged bytes.
Result<std::string> open_affiliate_data(const ClusterKey& key, std::string_view sealed);

// One endpoint's protobuf bytes (at most 255) as the service gets them: 16 or 32 bytes for an
// IPv4 or IPv6 endpoint. Equal inputs give equal outputs.
Result<std::string> seal_endpoint(const ClusterKey& key, std::string_view plaintext);

// The endpoint's protobuf bytes. Reasons: empty, not whole blocks, larger than a service keeps, a
// length byte beyond the data, padding that is not zero (what another cluster's secret gives).
// Talos checks neither the length byte (a larger one makes its client panic) nor the padding.
Result<std::string> open_endpoint(const ClusterKey& key, std::string_view sealed);

}  // namespace nodenet::discovery
