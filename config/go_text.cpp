// Ports of Go's strconv.Quote, time.ParseDuration and encoding/base64 decoding.
#include "config/go_syntax.h"

#include <cstddef>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

#include "config/go_syntax_detail.h"

namespace nodenet::config::go {
namespace {

using namespace detail;

// ---- strconv ------------------------------------------------------------------------------------

// utf8.DecodeRuneInString: invalid encodings (overlong, surrogate, > U+10FFFF, truncated) give
// U+FFFD with width 1.
std::pair<uint32_t, size_t> decode_rune(std::string_view s) {
    auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
    auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
    uint32_t c0 = b(0);
    if (c0 < 0x80) return {c0, 1};
    if (c0 >= 0xC2 && c0 <= 0xDF && cont(1)) return {(c0 & 0x1F) << 6 | (b(1) & 0x3F), 2};
    if (c0 >= 0xE0 && c0 <= 0xEF && cont(1) && cont(2)) {
        uint32_t r = (c0 & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
        if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3};
    }
    if (c0 >= 0xF0 && c0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
        uint32_t r = (c0 & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
        if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4};
    }
    return {0xFFFD, 1};
}

// unicode.IsPrint, approximated: controls, format characters, separators other than U+0020,
// private use, noncharacters and the large unassigned planes are not printable. Go's exact tables
// also exclude scattered unassigned code points; those are treated as printable here.
bool is_print(uint32_t r) {
    struct Range { uint32_t lo, hi; };
    static constexpr Range kNotPrint[] = {
        {0x00, 0x1F}, {0x7F, 0x9F}, {0xAD, 0xAD}, {0xA0, 0xA0}, {0x600, 0x605}, {0x61C, 0x61C},
        {0x6DD, 0x6DD}, {0x70F, 0x70F}, {0x890, 0x891}, {0x8E2, 0x8E2}, {0x1680, 0x1680},
        {0x180E, 0x180E}, {0x2000, 0x200F}, {0x2028, 0x202F}, {0x205F, 0x206F},
        {0x3000, 0x3000}, {0xD800, 0xF8FF}, {0xFDD0, 0xFDEF}, {0xFEFF, 0xFEFF}, {0xFFF0, 0xFFFB},
        {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
        {0x1D173, 0x1D17A}, {0x323B0, 0xE00FF}, {0xE01F0, 0x10FFFF},
    };
    if ((r & 0xFFFE) == 0xFFFE) return false;  // U+xFFFE and U+xFFFF in every plane
    for (const Range& range : kNotPrint)
        if (r >= range.lo && r <= range.hi) return false;
    return true;
}

void append_escaped_rune(std::string& out, uint32_t r, std::string_view bytes) {
    switch (r) {
        case '"': out += "\\\""; return;
        case '\\': out += "\\\\"; return;
        case '\a': out += "\\a"; return;
        case '\b': out += "\\b"; return;
        case '\f': out += "\\f"; return;
        case '\n': out += "\\n"; return;
        case '\r': out += "\\r"; return;
        case '\t': out += "\\t"; return;
        case '\v': out += "\\v"; return;
        default: break;
    }
    if (is_print(r)) return void(out.append(bytes));
    if (r < ' ' || r == 0x7F) return append_hex_byte(out, static_cast<unsigned char>(r));
    int digits = r < 0x10000 ? 4 : 8;
    out += r < 0x10000 ? "\\u" : "\\U";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kLowerHex[(r >> shift) & 0xF];
}

// The `quote` private to package time: every byte outside printable ASCII becomes \xNN.
std::string time_quote(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < ' ' || c >= 0x80) {
            append_hex_byte(out, c);
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}

uint64_t duration_unit(std::string_view u) {
    if (u == "ns") return 1;
    if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return 1'000;
    if (u == "ms") return 1'000'000;
    if (u == "s") return 1'000'000'000;
    if (u == "m") return 60'000'000'000;
    if (u == "h") return 3'600'000'000'000;
    return 0;
}

// leadingFraction: stops gaining precision on overflow rather than failing.
std::pair<uint64_t, double> leading_fraction(std::string_view& s) {
    uint64_t x = 0;
    double scale = 1;
    bool overflow = false;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
        if (overflow) continue;
        if (x > (kTwoTo63 - 1) / 10) {
            overflow = true;
            continue;
        }
        uint64_t y = x * 10 + static_cast<uint64_t>(s[i] - '0');
        if (y > kTwoTo63) {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10;
    }
    s.remove_prefix(i);
    return {x, scale};
}

// One `<number><unit>` element of a duration, in nanoseconds; nullopt means `invalid duration`.
Result<std::optional<uint64_t>> duration_element(std::string_view& s, std::string_view orig) {
    if (!(s[0] == '.' || is_digit(s[0]))) return std::optional<uint64_t>{};
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {  // leadingInt
        if (v > kTwoTo63 / 10) return std::optional<uint64_t>{};
        v = v * 10 + static_cast<uint64_t>(s[i] - '0');
        if (v > kTwoTo63) return std::optional<uint64_t>{};
    }
    bool pre = i > 0;
    s.remove_prefix(i);
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
        s.remove_prefix(1);
        size_t before = s.size();
        std::tie(f, scale) = leading_fraction(s);
        post = before != s.size();
    }
    if (!pre && !post) return std::optional<uint64_t>{};
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !is_digit(s[u])) ++u;
    if (u == 0) return Error{"time: missing unit in duration " + time_quote(orig)};
    std::string_view unit_text = s.substr(0, u);
    s.remove_prefix(u);
    uint64_t unit = duration_unit(unit_text);
    if (unit == 0) return Error{"time: unknown unit " + time_quote(unit_text) + " in duration " + time_quote(orig)};
    if (v > kTwoTo63 / unit) return std::optional<uint64_t>{};
    v *= unit;
    if (f > 0) {
        // float64 keeps fractions of hours nanosecond-accurate, as in Go.
        v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
        if (v > kTwoTo63) return std::optional<uint64_t>{};
    }
    return std::optional<uint64_t>{v};
}

}  // namespace

Result<std::string> base64_std_decode(std::string_view src) {
    auto corrupt = [](size_t at) { return Error{"illegal base64 data at input byte " + std::to_string(at)}; };
    auto value = [](unsigned char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    };
    auto skip_newlines = [&](size_t si) {
        while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) ++si;
        return si;
    };
    std::string out;
    size_t si = 0;
    while (si < src.size()) {  // one decodeQuantum per pass
        uint32_t dbuf[4] = {0, 0, 0, 0};
        int dlen = 4;
        for (int j = 0; j < 4; ++j) {
            if (si == src.size()) {
                if (j == 0) return out;
                return corrupt(si - static_cast<size_t>(j));  // Go's offset, newlines included
            }
            auto in = static_cast<unsigned char>(src[si++]);
            if (int v = value(in); v >= 0) {
                dbuf[j] = static_cast<uint32_t>(v);
                continue;
            }
            if (in == '\n' || in == '\r') {
                --j;
                continue;
            }
            if (in != '=' || j < 2) return corrupt(si - 1);
            if (j == 2) {  // "==" expected, the first '=' already consumed
                si = skip_newlines(si);
                if (si == src.size()) return corrupt(src.size());
                if (src[si] != '=') return corrupt(si - 1);
                ++si;
            }
            si = skip_newlines(si);
            if (si < src.size()) return corrupt(si);
            dlen = j;
            break;
        }
        uint32_t val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
        const char bytes[3] = {static_cast<char>(val >> 16), static_cast<char>(val >> 8), static_cast<char>(val)};
        out.append(bytes, static_cast<size_t>(dlen - 1));
    }
    return out;
}

std::optional<std::string> check_wireguard_key(std::string_view key) {
    auto raw = base64_std_decode(key);
    if (!raw.ok()) return raw.error();
    if (raw->size() != 32) return "wrong key " + quote(key) + " length: " + std::to_string(raw->size());
    return std::nullopt;
}

Result<int64_t> parse_duration(std::string_view orig) {
    auto invalid = [&] { return Error{"time: invalid duration " + time_quote(orig)}; };
    std::string_view s = orig;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return int64_t{0};
    if (s.empty()) return invalid();
    uint64_t d = 0;
    while (!s.empty()) {
        auto element = duration_element(s, orig);
        if (!element.ok()) return Error{element.error()};
        if (!element.value()) return invalid();
        d += *element.value();  // wraps exactly like Go's uint64 sum
        if (d > kTwoTo63) return invalid();
    }
    if (neg) return static_cast<int64_t>(0 - d);
    if (d > kTwoTo63 - 1) return invalid();
    return static_cast<int64_t>(d);
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    while (!s.empty()) {
        auto [r, width] = decode_rune(s);
        if (r == 0xFFFD && width == 1)
            append_hex_byte(out, static_cast<unsigned char>(s[0]));
        else
            append_escaped_rune(out, r, s.substr(0, width));
        s.remove_prefix(width);
    }
    return out + "\"";
}

}  // namespace nodenet::config::go
