// Small pieces shared by the ports of Go's parsers (go_ip.cpp, go_url.cpp, go_text.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace nodenet::config::go::detail {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

inline void append_hex_byte(std::string& out, unsigned char b) {
    out += "\\x";
    out += kLowerHex[b >> 4];
    out += kLowerHex[b & 0xF];
}

}  // namespace nodenet::config::go::detail
