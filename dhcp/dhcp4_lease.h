// A DHCPv4 lease as a value: what an ACK grants, with the RFC rules that decide which routes and
// timers apply, and its JSON form for the state directory. No I/O: times are passed in.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dhcp/dhcp4_codec.h"
#include "dhcp/dhcp4_options.h"
#include "state/ip.h"

namespace nodenet::dhcp {

// The client's timeline: monotonic, so that a wall-clock step (NTP at boot) neither expires nor
// extends a lease. The wall clock appears only where a lease is written to or read from disk.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

constexpr std::chrono::seconds kInfiniteDuration{kInfiniteTime};
// An ACK without option 51 (which RFC 2131 requires) gets Talos's default.
constexpr std::chrono::seconds kDefaultLeaseTime{30 * 60};
// Shorter leases are raised to this, as dhcpcd does (DHCP_MIN_LEASE): with a lease of a few seconds,
// renewals would follow each other as fast as the server answers.
constexpr std::chrono::seconds kMinLeaseTime{20};

struct Lease {
    state::IpPrefix address;  // yiaddr with the length of option 1 (classful when absent)
    state::IpAddress server_id;
    // Option 3, only when neither 121 nor 249 came: RFC 3442 §3 says a client honouring classless
    // routes ignores the routers option.
    std::vector<state::IpAddress> routers;
    std::vector<ClasslessRoute> classless_routes;  // 121, or 249 when 121 is absent or malformed
    std::vector<state::IpAddress> dns;
    // Raw, as the server sent them: check with valid_dns_name() before writing them anywhere.
    std::vector<std::string> search_domains;
    std::optional<std::string> domain;
    std::optional<std::string> hostname;
    std::optional<uint16_t> mtu;  // >= 576
    std::optional<state::IpAddress> broadcast;
    std::vector<state::IpAddress> ntp;
    std::chrono::seconds lease_time{0};  // kInfiniteDuration: never expires, never renewed
    std::chrono::seconds t1{0};
    std::chrono::seconds t2{0};
    TimePoint acquired_at;  // when the REQUEST that obtained it was sent (RFC 2131 §4.4.1)
    // Options ignored because they were malformed or inconsistent, for the log; not persisted.
    std::vector<std::string> warnings;

    bool infinite() const { return lease_time == kInfiniteDuration; }
    // TimePoint::max() for an infinite lease.
    TimePoint renew_at() const;
    TimePoint rebind_at() const;
    TimePoint expires_at() const;
    // The routes to install: the classless ones, else a default route through each router in the
    // server's order of preference. A gateway of 0.0.0.0 is on-link.
    std::vector<ClasslessRoute> routes() const;
    bool operator==(const Lease&) const = default;
};

// An address a host can take as its own: IPv4, not 0/8, loopback, multicast, reserved or broadcast.
bool usable_host_address(const state::IpAddress& ip);

// The lease a DHCPACK grants, `requested_at` being when the REQUEST was sent. Errors: not an ACK, no
// usable yiaddr (0.0.0.0, loopback, multicast, broadcast), no server identifier, a lease time of 0.
// A malformed optional option is left out with a warning; a lease under 20 s is raised to 20 s. T1
// and T2 default to 0.5 and 0.875 of the lease; values of 0 or breaking T1 <= T2 <= lease fall
// back to those defaults.
Result<Lease> lease_from_ack(const Message& ack, TimePoint requested_at);

// JSON for the state directory. The monotonic acquisition time is stored as wall-clock Unix
// milliseconds by way of the two clock readings passed in, and rebased onto this boot's monotonic
// clock by from_json, so a lease read after a reboot has the right remaining time.
std::string to_json(const Lease& lease, TimePoint now, WallTime wall_now);
Result<Lease> from_json(std::string_view text, TimePoint now, WallTime wall_now);

}  // namespace nodenet::dhcp
