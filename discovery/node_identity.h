// The node's identity in discovery: its node ID, which is also its affiliate ID at the service.
// Talos makes it from 32 random bytes in base62 (jxskiss/base62, see base62.h) and keeps it on the
// STATE partition as node-identity.yaml (`nodeId: …`, mode 0600, written once, read at every boot);
// nodenet keeps the same file in its state directory, so the formats are Talos's byte for byte.
// Pure: the random bytes come from the caller, the file's bytes go to and come from the caller.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace nodenet::discovery {

inline constexpr size_t kNodeIdBytes = 32;  // Talos's DefaultNodeIdentitySize

// base62 of the 32 bytes: 43 or 44 characters for almost all, up to 52.
std::string node_id_from_bytes(const std::array<uint8_t, kNodeIdBytes>& random);

// A node ID as Talos makes them: the base62 of 32 bytes, exactly as the encoder writes it. The
// reason names the problem (`character 5 is not base62 (A-Z, a-z, 0-9)`, `decodes to 31 bytes,
// not 32`, `not the base62 of the 32 bytes it decodes to …`).
Status check_node_id(std::string_view node_id);

// The file as Talos's yaml.v3 encoder writes it: "nodeId: <id>\n" (double-quoted when the ID would
// otherwise read as a number, as yaml.v3 does). `node_id` must pass check_node_id.
std::string render_node_identity(std::string_view node_id);

// The node ID in a node-identity.yaml. Like Talos, the first YAML document is read and keys other
// than nodeId are ignored. Errors start with `name` (the file's path) and say what is wrong:
// `…: not YAML: line 1, column 9: …`, `…: no nodeId`, `…: nodeId "x!": character 2 is not base62 …`.
Result<std::string> parse_node_identity(std::string_view text, std::string_view name);

// /etc/machine-id as Talos derives it from the node ID: hex of the first 16 decoded bytes.
Result<std::string> machine_id_from_node_id(std::string_view node_id);

}  // namespace nodenet::discovery
