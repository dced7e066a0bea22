// Ports of Go's parsers. Control flow mirrors the Go sources so that the odd corners (error offsets,
// which of several problems is reported first) come out the same; comments name the Go function.
#include "config/go_syntax.h"

#include <cstddef>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

namespace nodenet::config::go {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_hex_byte(std::string& out, unsigned char b) {
    out += "\\x";
    out += kLowerHex[b >> 4];
    out += kLowerHex[b & 0xF];
}

// ---- net/netip ------------------------------------------------------------------------------

// parseAddrError.Error: the `(at "...")` suffix only when there is a position to show.
Error addr_error(std::string_view in, std::string_view msg, std::string_view at = {}) {
    std::string text = "ParseAddr(" + quote(in) + "): " + std::string(msg);
    if (!at.empty()) text += " (at " + quote(at) + ")";
    return Error{std::move(text)};
}

// parseIPv4Fields: `in` is the whole input so that errors quote it, the octets are in[off:end].
std::optional<Error> parse_ipv4_fields(std::string_view in, size_t off, size_t end, uint8_t* fields) {
    std::string_view s = in.substr(off, end - off);
    int val = 0;
    int pos = 0;
    int dig_len = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (is_digit(c)) {
            if (dig_len == 1 && val == 0) return addr_error(in, "IPv4 field has octet with leading zero");
            val = val * 10 + (c - '0');
            ++dig_len;
            if (val > 255) return addr_error(in, "IPv4 field has value >255");
        } else if (c == '.') {
            if (i == 0 || i == s.size() - 1 || s[i - 1] == '.')
                return addr_error(in, "IPv4 field must have at least one digit", s.substr(i));
            if (pos == 3) return addr_error(in, "IPv4 address too long");
            fields[pos++] = static_cast<uint8_t>(val);
            val = 0;
            dig_len = 0;
        } else {
            return addr_error(in, "unexpected character", s.substr(i));
        }
    }
    if (pos < 3) return addr_error(in, "IPv4 address too short");
    fields[3] = static_cast<uint8_t>(val);
    return std::nullopt;
}

struct V6Scan {
    std::string_view in;    // whole input, for messages
    std::string_view s;     // what is left to parse (zone already split off)
    size_t zone_size = 0;   // bytes of "%zone" at the end of `in`
    int ellipsis = -1;      // byte index where "::" stands
    int i = 0;              // bytes filled
};

// The field loop of parseIPv6.
std::optional<Error> scan_v6_fields(V6Scan& v, std::array<uint8_t, 16>& ip) {
    std::string_view& s = v.s;
    while (v.i < 16) {
        size_t off = 0;
        uint32_t acc = 0;
        for (; off < s.size(); ++off) {
            int d = hex_value(s[off]);
            if (d < 0) break;
            acc = (acc << 4) + static_cast<uint32_t>(d);
            if (off > 3) return addr_error(v.in, "each colon-separated field must have at most 4 hex digits", s);
            if (acc > 0xFFFF) return addr_error(v.in, "IPv6 field has value >=2^16", s);
        }
        if (off == 0) return addr_error(v.in, "each colon-separated field must have at least one digit", s);
        if (off < s.size() && s[off] == '.') {
            if (v.ellipsis < 0 && v.i != 12)
                return addr_error(v.in, "embedded IPv4 address must replace the final 2 fields of the address", s);
            if (v.i + 4 > 16)
                return addr_error(v.in, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
            size_t end = v.in.size() - v.zone_size;
            if (auto err = parse_ipv4_fields(v.in, end - s.size(), end, &ip[v.i])) return err;
            s = {};
            v.i += 4;
            break;
        }
        ip[v.i] = static_cast<uint8_t>(acc >> 8);
        ip[v.i + 1] = static_cast<uint8_t>(acc);
        v.i += 2;
        s.remove_prefix(off);
        if (s.empty()) break;
        if (s[0] != ':') return addr_error(v.in, "unexpected character, want colon", s);
        if (s.size() == 1) return addr_error(v.in, "colon must be followed by more characters", s);
        s.remove_prefix(1);
        if (s[0] == ':') {
            if (v.ellipsis >= 0) return addr_error(v.in, "multiple :: in address", s);
            v.ellipsis = v.i;
            s.remove_prefix(1);
            if (s.empty()) break;
        }
    }
    return std::nullopt;
}

// parseIPv6
Result<Ip> parse_ipv6(std::string_view in) {
    Ip ip;
    ip.v6 = true;
    V6Scan v{in, in};
    if (size_t pct = in.find('%'); pct != std::string_view::npos) {
        v.s = in.substr(0, pct);
        ip.zone = std::string(in.substr(pct + 1));
        if (ip.zone.empty()) return addr_error(in, "zone must be a non-empty string");
        v.zone_size = ip.zone.size() + 1;
    }
    if (v.s.size() >= 2 && v.s[0] == ':' && v.s[1] == ':') {
        v.ellipsis = 0;
        v.s.remove_prefix(2);
        if (v.s.empty()) return ip;
    }
    if (auto err = scan_v6_fields(v, ip.bytes)) return *err;
    if (!v.s.empty()) return addr_error(in, "trailing garbage after address", v.s);
    if (v.i < 16) {
        if (v.ellipsis < 0) return addr_error(in, "address string too short");
        int n = 16 - v.i;
        for (int j = v.i - 1; j >= v.ellipsis; --j) ip.bytes[j + n] = ip.bytes[j];
        for (int j = v.ellipsis; j < v.ellipsis + n; ++j) ip.bytes[j] = 0;
    } else if (v.ellipsis >= 0) {
        return addr_error(in, "the :: must expand to at least one field of zeros", in);
    }
    return ip;
}

Error prefix_error(std::string_view in, std::string_view msg) {
    return Error{"netip.ParsePrefix(" + quote(in) + "): " + std::string(msg)};
}

// strconv.Atoi as ParsePrefix uses it after rejecting signs and leading zeros: nullopt on a
// syntax or int64 range error.
std::optional<uint64_t> atoi_bits(std::string_view s) {
    if (s.empty()) return std::nullopt;
    uint64_t n = 0;
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        if (n > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - 9) / 10) return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
}

// ---- net/url ----------------------------------------------------------------------------------

enum class UrlMode { Path, Host, Zone, UserPassword };

// shouldEscape(c, encodeHost) for ASCII c: what may stand unescaped in a host.
bool host_needs_escape(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(static_cast<char>(c))) return false;
    return std::string_view("-_.~!$&'()*+,;=:[]<>\"").find(static_cast<char>(c)) == std::string_view::npos;
}

Error escape_error(std::string_view s) { return Error{"invalid URL escape " + quote(s)}; }

// unescape: validates first (reporting Go's EscapeError / InvalidHostError), then decodes %XX.
Result<std::string> url_unescape(std::string_view s, UrlMode mode) {
    bool host_like = mode == UrlMode::Host || mode == UrlMode::Zone;
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c != '%') {
            if (host_like && c < 0x80 && host_needs_escape(c))
                return Error{"invalid character " + quote(s.substr(i, 1)) + " in host name"};
            ++i;
            continue;
        }
        if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
            return escape_error(s.substr(i, 3));
        int v = hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]);
        bool pct25 = s.substr(i, 3) == "%25";
        if (mode == UrlMode::Host && hex_value(s[i + 1]) < 8 && !pct25) return escape_error(s.substr(i, 3));
        if (mode == UrlMode::Zone && !pct25 && v != ' ' && host_needs_escape(static_cast<unsigned char>(v)))
            return escape_error(s.substr(i, 3));
        i += 3;
    }
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            out += static_cast<char>(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// validOptionalPort: "" or ":" followed by digits.
bool valid_optional_port(std::string_view port) {
    if (port.empty()) return true;
    if (port[0] != ':') return false;
    for (char c : port.substr(1))
        if (!is_digit(c)) return false;
    return true;
}

std::optional<Error> parse_url_host(std::string_view host) {
    auto bad_port = [](std::string_view p) { return Error{"invalid port " + quote(p) + " after host"}; };
    if (!host.empty() && host[0] == '[') {
        size_t close = host.rfind(']');
        if (close == std::string_view::npos) return Error{"missing ']' in host"};
        if (!valid_optional_port(host.substr(close + 1))) return bad_port(host.substr(close + 1));
        // Only an IPv6 literal may stand in brackets; "%25" introduces an RFC 6874 zone.
        std::string_view name = host.substr(1, close - 1);
        size_t zone = name.find("%25");
        auto head = url_unescape(name.substr(0, zone), UrlMode::Host);
        if (!head.ok()) return Error{head.error()};
        std::string literal = head.value();
        if (zone != std::string_view::npos) {
            auto tail = url_unescape(name.substr(zone), UrlMode::Zone);
            if (!tail.ok()) return Error{tail.error()};
            literal += tail.value();
        }
        auto addr = parse_addr(literal);
        if (!addr.ok()) return Error{"invalid host: " + addr.error()};
        if (!addr->v6) return Error{"invalid IP-literal"};
        return std::nullopt;
    }
    if (size_t colon = host.find(':'); colon != std::string_view::npos && !valid_optional_port(host.substr(colon)))
        return bad_port(host.substr(colon));
    auto plain = url_unescape(host, UrlMode::Host);
    if (!plain.ok()) return Error{plain.error()};
    return std::nullopt;
}

// validUserinfo (RFC 3986 §3.2.1 plus '@', which Go tolerates).
bool valid_userinfo(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(ch)) continue;
        if (c >= 0x80 || std::string_view("-._:~!$&'()*+,;=%@").find(ch) == std::string_view::npos) return false;
    }
    return true;
}

std::optional<Error> parse_url_authority(std::string_view authority) {
    size_t at = authority.rfind('@');
    std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (auto err = parse_url_host(host)) return err;
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view userinfo = authority.substr(0, at);
    if (!valid_userinfo(userinfo)) return Error{"net/url: invalid userinfo"};
    size_t colon = userinfo.find(':');
    for (auto part : {userinfo.substr(0, colon), colon == std::string_view::npos ? std::string_view{}
                                                                                 : userinfo.substr(colon + 1)}) {
        auto r = url_unescape(part, UrlMode::UserPassword);
        if (!r.ok()) return Error{r.error()};
    }
    return std::nullopt;
}

// getScheme: the scheme, and the rest after its ':'; an empty scheme when there is none.
Result<std::pair<std::string_view, std::string_view>> split_scheme(std::string_view raw) {
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
        if (is_digit(c) || c == '+' || c == '-' || c == '.') {
            if (i == 0) break;
            continue;
        }
        if (c == ':') {
            if (i == 0) return Error{"missing protocol scheme"};
            return std::pair{raw.substr(0, i), raw.substr(i + 1)};
        }
        break;
    }
    return std::pair{std::string_view{}, raw};
}

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

std::string dotted(const uint8_t* b) {
    return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
           std::to_string(b[3]);
}

}  // namespace

// ---- public API -------------------------------------------------------------------------------

Result<Ip> parse_addr(std::string_view s) {
    for (char c : s) {
        if (c == '.') {
            Ip ip;
            if (auto err = parse_ipv4_fields(s, 0, s.size(), ip.bytes.data())) return *err;
            return ip;
        }
        if (c == ':') return parse_ipv6(s);
        if (c == '%') return addr_error(s, "missing IPv6 address");  // a zone with no address before it
    }
    return addr_error(s, "unable to parse IP");
}

std::optional<Ip> parse_ip(std::string_view s) {
    auto ip = parse_addr(s);
    if (!ip.ok() || !ip->zone.empty()) return std::nullopt;
    return std::move(ip).value();
}

std::optional<Prefix> parse_cidr(std::string_view s) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto ip = parse_ip(s.substr(0, slash));
    if (!ip) return std::nullopt;
    // dtoi: digits only, at least one, giving up at 0xFFFFFF.
    std::string_view mask = s.substr(slash + 1);
    if (mask.empty()) return std::nullopt;
    int bits = 0;
    for (char c : mask) {
        if (!is_digit(c)) return std::nullopt;
        bits = bits * 10 + (c - '0');
        if (bits >= 0xFFFFFF) return std::nullopt;
    }
    if (bits > (ip->v6 ? 128 : 32)) return std::nullopt;
    return Prefix{std::move(*ip), bits};
}

Result<Prefix> parse_prefix(std::string_view s) {
    size_t slash = s.rfind('/');
    if (slash == std::string_view::npos) return prefix_error(s, "no '/'");
    auto ip = parse_addr(s.substr(0, slash));
    if (!ip.ok()) return prefix_error(s, ip.error());
    if (!ip->zone.empty()) return prefix_error(s, "IPv6 zones cannot be present in a prefix");
    std::string_view bits_text = s.substr(slash + 1);
    std::optional<uint64_t> bits;
    if (bits_text.size() <= 1 || (bits_text[0] >= '1' && bits_text[0] <= '9')) bits = atoi_bits(bits_text);
    if (!bits) return prefix_error(s, "bad bits after slash: " + quote(bits_text));
    if (*bits > (ip->v6 ? 128u : 32u)) return prefix_error(s, "prefix length out of range");
    return Prefix{std::move(ip).value(), static_cast<int>(*bits)};
}

bool parse_subnet_or_address(std::string_view s) { return parse_prefix(s).ok() || parse_addr(s).ok(); }

std::optional<std::string> validate_ip_or_cidr(std::string_view s) {
    if (s.find('/') != std::string_view::npos) {
        if (!parse_cidr(s)) return "invalid CIDR address: " + std::string(s);
        return std::nullopt;
    }
    if (!parse_ip(s)) return "failed to parse IP address " + quote(s);
    return std::nullopt;
}

Result<std::pair<std::string, std::string>> split_host_port(std::string_view hostport) {
    auto fail = [&](std::string_view why) {
        return Error{"address " + std::string(hostport) + ": " + std::string(why)};
    };
    constexpr std::string_view kMissingPort = "missing port in address";
    constexpr std::string_view kTooManyColons = "too many colons in address";
    constexpr auto npos = std::string_view::npos;
    size_t i = hostport.rfind(':');
    if (i == npos) return fail(kMissingPort);
    std::string_view host;
    size_t j = 0;
    size_t k = 0;
    if (hostport[0] == '[') {
        size_t end = hostport.find(']');
        if (end == npos) return fail("missing ']' in address");
        if (end + 1 == hostport.size()) return fail(kMissingPort);
        if (end + 1 != i) return fail(hostport[end + 1] == ':' ? kTooManyColons : kMissingPort);
        host = hostport.substr(1, end - 1);
        j = 1;
        k = end + 1;
    } else {
        host = hostport.substr(0, i);
        if (host.find(':') != npos) return fail(kTooManyColons);
    }
    if (hostport.find('[', j) != npos) return fail("unexpected '[' in address");
    if (hostport.find(']', k) != npos) return fail("unexpected ']' in address");
    return std::pair{std::string(host), std::string(hostport.substr(i + 1))};
}

bool address_contains_port(std::string_view s) {
    auto split = split_host_port(s);
    if (!split.ok()) return false;
    const std::string& host = split->first;
    return host.find(':') == std::string::npos || parse_addr(host).ok();
}

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

Result<std::string> parse_request_uri(std::string_view raw) {
    auto fail = [&](const std::string& reason) { return Error{"parse " + quote(raw) + ": " + reason}; };
    for (char c : raw)
        if (static_cast<unsigned char>(c) < ' ' || c == 0x7F) return fail("net/url: invalid control character in URL");
    if (raw.empty()) return fail("empty url");
    if (raw == "*") return std::string("*");
    auto scheme_rest = split_scheme(raw);
    if (!scheme_rest.ok()) return fail(scheme_rest.error());
    auto [scheme, rest] = scheme_rest.value();
    // ParseRequestURI keeps any '#' in the path; only the query is cut off.
    if (!rest.empty() && rest.back() == '?' && rest.find('?') == rest.size() - 1)
        rest.remove_suffix(1);
    else
        rest = rest.substr(0, rest.find('?'));
    if (rest.empty() || rest[0] != '/') {
        if (!scheme.empty()) return std::string();  // opaque URI: no path
        return fail("invalid URI for request");
    }
    if (!scheme.empty() && rest.substr(0, 2) == "//") {
        std::string_view authority = rest.substr(2);
        size_t slash = authority.find('/');
        rest = slash == std::string_view::npos ? std::string_view{} : authority.substr(slash);
        if (auto err = parse_url_authority(authority.substr(0, slash))) return fail(err->message);
    }
    auto path = url_unescape(rest, UrlMode::Path);
    if (!path.ok()) return fail(path.error());
    return path;
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

std::string format_ip(const Ip& ip) {
    const auto& b = ip.bytes;
    if (!ip.v6) return dotted(b.data());
    std::string zone = ip.zone.empty() ? "" : "%" + ip.zone;
    bool mapped = b[10] == 0xFF && b[11] == 0xFF;
    for (int i = 0; i < 10; ++i) mapped = mapped && b[i] == 0;
    if (mapped) return "::ffff:" + dotted(&b[12]) + zone;
    auto group = [&](int i) { return b[2 * i] << 8 | b[2 * i + 1]; };
    // RFC 5952: the first longest run of two or more zero groups becomes "::".
    int zero_start = -1;
    int zero_len = 1;
    for (int i = 0; i < 8; ++i) {
        int j = i;
        while (j < 8 && group(j) == 0) ++j;
        if (j - i > zero_len) {
            zero_start = i;
            zero_len = j - i;
        }
    }
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == zero_start) {
            out += "::";
            i += zero_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        char buf[5];
        int n = 0;
        for (int shift = 12; shift >= 0; shift -= 4)
            if (int nib = (group(i) >> shift) & 0xF; nib != 0 || n > 0 || shift == 0) buf[n++] = kLowerHex[nib];
        out.append(buf, static_cast<size_t>(n));
    }
    return out + zone;
}

}  // namespace nodenet::config::go
