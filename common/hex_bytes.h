// Hex bytes as Talos reads them (nethelpers.HardwareAddr): every ':' is dropped and the rest is
// hex-decoded, so "aabb", "aa:bb" and even "a:ab:b" are the same two bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace nodenet {

// Empty text gives no bytes; nullopt when a digit is not hex or a byte is left half.
inline std::optional<std::vector<uint8_t>> parse_hex_bytes(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<uint8_t> bytes;
    int high = -1;
    for (char c : text) {
        if (c == ':') continue;
        int v = value(c);
        if (v < 0) return std::nullopt;
        if (high < 0) {
            high = v;
        } else {
            bytes.push_back(static_cast<uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0) return std::nullopt;
    return bytes;
}

}  // namespace nodenet
