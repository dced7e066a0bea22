#include "discovery/base62.h"

#include <bit>

namespace nodenet::discovery {
namespace {

// A six-bit group whose low five bits are all of 11110: written with five bits only.
constexpr uint8_t kCompactMask = 0x1E;
constexpr uint8_t kLow5 = 0x1F;
constexpr uint8_t kLow6 = 0x3F;

// The six bits that end `pos` bits into `bytes` (fewer at the very start, where pos < 6).
uint8_t six_bits_ending_at(std::span<const uint8_t> bytes, size_t pos) {
    size_t index = pos >> 3;
    unsigned used = pos & 7;
    if (used == 0) {
        --index;
        used = 8;
    }
    auto b = static_cast<unsigned>(bytes[index] >> (8 - used));
    if (used < 6 && index > 0) b |= static_cast<unsigned>(bytes[index - 1]) << used;
    return static_cast<uint8_t>(b & kLow6);
}

int digit_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return -1;
}

}  // namespace

std::string base62_encode(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 9 / 5);
    size_t pos = bytes.size() * 8;  // bits not yet written, counted from the start of the input
    while (pos > 0) {
        uint8_t b = six_bits_ending_at(bytes, pos);
        size_t width = 6;
        if ((b & kCompactMask) == kCompactMask) {
            // The last group keeps its six bits when its top bit is 0: nothing follows to take it.
            if (pos > 6 || b > kLow5) width = 5;
            b &= kLow5;
        }
        out += kBase62Alphabet[b];
        pos = pos > width ? pos - width : 0;
    }
    return out;
}

Result<std::vector<uint8_t>> base62_decode(std::string_view text) {
    // Bytes come out last first; at most 6 bits per character.
    std::vector<uint8_t> reversed;
    reversed.reserve(text.size() * 6 / 8 + 1);
    unsigned bits = 0;     // pending bits in `acc`
    uint32_t acc = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        int v = digit_value(text[i]);
        if (v < 0) return Error{"character " + std::to_string(i + 1) + " is not base62 (A-Z, a-z, 0-9)"};
        auto x = static_cast<uint32_t>(v);
        acc |= x << bits;
        if (i + 1 == text.size()) {
            bits += static_cast<unsigned>(std::bit_width(x));  // the last one: only its significant bits
        } else {
            bits += (x & kCompactMask) == kCompactMask ? 5 : 6;
        }
        if (bits >= 8) {
            reversed.push_back(static_cast<uint8_t>(acc));
            bits -= 8;
            acc >>= 8;
        }
    }
    if (bits > 0) reversed.push_back(static_cast<uint8_t>(acc));
    return std::vector<uint8_t>(reversed.rbegin(), reversed.rend());
}

}  // namespace nodenet::discovery
