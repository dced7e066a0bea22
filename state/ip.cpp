#include "state/ip.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace nodenet::state {

bool IpAddress::is_unspecified() const {
    return std::all_of(bytes.begin(), bytes.begin() + static_cast<long>(size()), [](uint8_t b) { return b == 0; });
}

std::string IpAddress::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == Family::V4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

IpPrefix IpPrefix::masked() const {
    IpPrefix p = *this;
    for (size_t i = 0; i < p.addr.size(); ++i) {
        int keep = std::clamp(static_cast<int>(len) - static_cast<int>(i) * 8, 0, 8);
        p.addr.bytes[i] &= static_cast<uint8_t>(0xFF00 >> keep);
    }
    return p;
}

bool IpPrefix::contains(const IpAddress& ip) const {
    if (ip.family != addr.family) return false;
    IpPrefix other{ip, len};
    return other.masked().addr == masked().addr;
}

std::string IpPrefix::str() const { return addr.str() + "/" + std::to_string(len); }

std::optional<IpAddress> parse_ip_address(std::string_view text) {
    std::string s(text);
    IpAddress ip;
    if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
        ip.family = Family::V4;
        return ip;
    }
    if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
        ip.family = Family::V6;
        return ip;
    }
    return std::nullopt;
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text) {
    size_t slash = text.find('/');
    auto addr = parse_ip_address(text.substr(0, slash));
    if (!addr) return std::nullopt;
    IpPrefix p{*addr, static_cast<uint8_t>(addr->size() * 8)};
    if (slash == std::string_view::npos) return p;
    std::string_view bits = text.substr(slash + 1);
    unsigned len = 0;
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), len);
    if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty() || len > addr->size() * 8)
        return std::nullopt;
    p.len = static_cast<uint8_t>(len);
    return p;
}

}  // namespace nodenet::state
