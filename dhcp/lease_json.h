// What the DHCPv4 and DHCPv6 lease files share: reading typed fields from a JSON object with the
// first fault as the error, and carrying a lease's monotonic acquisition time through the wall
// clock, so that a lease read after a reboot has the right remaining time. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dhcp/dhcp4_lease.h"
#include "state/ip.h"

namespace nodenet::dhcp::lease_json {

using Json = nlohmann::json;

// Any time a Unix clock can show; bounded so that the arithmetic cannot overflow.
constexpr int64_t kMaxUnixMs = int64_t{1} << 50;

Json ip_list(const std::vector<state::IpAddress>& ips);
std::optional<state::IpAddress> parse_ip(const Json& value, state::Family family);

// `acquired_at` on the monotonic clock as wall-clock Unix milliseconds, by way of two readings of
// the clocks taken together, and back. A time from the future (the clock went back) comes back as
// `now`.
int64_t unix_ms(TimePoint acquired_at, TimePoint now, WallTime wall_now);
TimePoint from_unix_ms(int64_t unix_ms, TimePoint now, WallTime wall_now);

// Reads the fields of a lease from its JSON object; the first missing or mistyped one is the error.
class Reader {
public:
    Reader(const Json& object, state::Family family) : object_(object), family_(family) {}
    const std::string& error() const { return error_; }

    const Json* field(const char* name, bool required) {
        auto it = object_.find(name);
        if (it != object_.end() && !it->is_null()) return &*it;
        if (required) fail(name, "missing");
        return nullptr;
    }
    void ip(const char* name, state::IpAddress& out) {
        if (const auto* v = field(name, true)) {
            if (auto ip = parse_ip(*v, family_))
                out = *ip;
            else
                fail(name, family_ == state::Family::V4 ? "not an IPv4 address" : "not an IPv6 address");
        }
    }
    void ips(const char* name, std::vector<state::IpAddress>& out) {
        if (const auto* v = field(name, false)) {
            if (!v->is_array()) return fail(name, family_ == state::Family::V4 ? "not a list of IPv4 addresses" : "not a list of IPv6 addresses");
            for (const auto& item : *v) {
                auto ip = parse_ip(item, family_);
                if (!ip) return fail(name, family_ == state::Family::V4 ? "not a list of IPv4 addresses" : "not a list of IPv6 addresses");
                out.push_back(*ip);
            }
        }
    }
    void text(const char* name, std::optional<std::string>& out) {
        if (const auto* v = field(name, false)) {
            if (v->is_string())
                out = v->get<std::string>();
            else
                fail(name, "not a string");
        }
    }
    void texts(const char* name, std::vector<std::string>& out) {
        if (const auto* v = field(name, false)) {
            if (!v->is_array()) return fail(name, "not a list of strings");
            for (const auto& item : *v) {
                if (!item.is_string()) return fail(name, "not a list of strings");
                out.push_back(item.get<std::string>());
            }
        }
    }
    // An integer in [low, high].
    std::optional<int64_t> number(const char* name, bool required, int64_t low, int64_t high) {
        const auto* v = field(name, required);
        if (v == nullptr) return std::nullopt;
        if (!v->is_number_integer()) return fail(name, "not an integer"), std::nullopt;
        // Unsigned JSON integers above INT64_MAX would wrap in get<int64_t>().
        if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(high))
            return fail(name, "out of range"), std::nullopt;
        auto n = v->get<int64_t>();
        if (n < low || n > high) return fail(name, "out of range"), std::nullopt;
        return n;
    }
    void fail(const char* name, const char* what) {
        if (error_.empty()) error_ = std::string("lease JSON: \"") + name + "\": " + what;
    }

private:
    const Json& object_;
    state::Family family_;
    std::string error_;
};

}  // namespace nodenet::dhcp::lease_json
