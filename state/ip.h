// IP addresses and prefixes as values: comparable, hashable into maps, printable.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nodenet::state {

enum class Family : uint8_t { V4 = 4, V6 = 6 };

struct IpAddress {
    Family family = Family::V4;
    std::array<uint8_t, 16> bytes{};  // IPv4 in bytes[0..3], the rest zero

    size_t size() const { return family == Family::V4 ? 4 : 16; }
    bool is_unspecified() const;
    auto operator<=>(const IpAddress&) const = default;
    std::string str() const;
};

struct IpPrefix {
    IpAddress addr;   // as written: an interface address keeps its host bits (10.0.0.5/24)
    uint8_t len = 0;

    Family family() const { return addr.family; }
    IpPrefix masked() const;  // host bits cleared: the network (10.0.0.0/24)
    bool contains(const IpAddress& ip) const;
    auto operator<=>(const IpPrefix&) const = default;
    std::string str() const;
};

std::optional<IpAddress> parse_ip_address(std::string_view text);
// "10.0.0.5/24", or a bare address as a full-length prefix (Talos's rule for addresses).
std::optional<IpPrefix> parse_ip_prefix(std::string_view text);

}  // namespace nodenet::state
