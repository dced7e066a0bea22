#include "dhcp/lease_json.h"

#include <algorithm>

namespace nodenet::dhcp::lease_json {

Json ip_list(const std::vector<state::IpAddress>& ips) {
    Json array = Json::array();
    for (const auto& ip : ips) array.push_back(ip.str());
    return array;
}

std::optional<state::IpAddress> parse_ip(const Json& value, state::Family family) {
    if (!value.is_string()) return std::nullopt;
    auto ip = state::parse_ip_address(value.get<std::string>());
    if (!ip || ip->family != family) return std::nullopt;
    return ip;
}

int64_t unix_ms(TimePoint acquired_at, TimePoint now, WallTime wall_now) {
    using std::chrono::duration_cast;
    auto wall_acquired = wall_now - duration_cast<WallTime::duration>(now - acquired_at);
    return duration_cast<std::chrono::milliseconds>(wall_acquired.time_since_epoch()).count();
}

TimePoint from_unix_ms(int64_t unix_ms, TimePoint now, WallTime wall_now) {
    int64_t wall_now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall_now.time_since_epoch()).count();
    // Older than any finite lease is old enough; the bound keeps the nanoseconds in range.
    constexpr int64_t kMaxAgeMs = int64_t{kInfiniteTime} * 1000;
    int64_t age_ms = std::clamp<int64_t>(wall_now_ms - unix_ms, 0, kMaxAgeMs);
    return now - std::chrono::milliseconds(age_ms);
}

}  // namespace nodenet::dhcp::lease_json
