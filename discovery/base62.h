// The base62 of github.com/jxskiss/base62, the encoding of Talos's node IDs. It is not the usual
// big-number base62: bits are taken six at a time from the end of the input, and a six-bit group
// whose low five bits are 11110 or 11111 (30, 31, 62, 63) is written as its low five bits alone,
// the sixth going to the next character (so 62 and 63 never need a character). 32 bytes give 43 or
// 44 characters almost always, at most 52. Ported from the library's encoder (v2) and decoder, whose output Talos stores.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace nodenet::discovery {

// "A"–"Z" are 0–25, "a"–"z" 26–51, "0"–"9" 52–61 (the library's StdEncoding).
inline constexpr std::string_view kBase62Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string base62_encode(std::span<const uint8_t> bytes);

// As the library decodes: every character must be in the alphabet, and the length of the result
// follows from the characters (a string that no encoder wrote may decode to any length; callers
// check it). The error names the first character that is not base62.
Result<std::vector<uint8_t>> base62_decode(std::string_view text);

}  // namespace nodenet::discovery
