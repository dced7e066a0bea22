// Ports of Go's net and net/netip address parsers. Control flow mirrors the Go sources so that
// the odd corners (which of several problems is reported first) come out the same.
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


std::string dotted(const uint8_t* b) {
    return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
           std::to_string(b[3]);
}

}  // namespace

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
