// A DHCPv6 lease as a value: the one IA_NA address a Reply grants, its lifetimes and renewal
// times (RFC 8415 §21.4, §21.6), the server's DNS servers and domains, and its JSON form for the
// state directory. No I/O: times are passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dhcp/dhcp4_lease.h"
#include "dhcp/dhcp6_codec.h"
#include "state/ip.h"

namespace nodenet::dhcp::v6 {

constexpr std::chrono::seconds kInfiniteDuration{kInfinity};

struct Lease {
    state::IpAddress address;  // configured as a /128: prefixes on the link come from RAs
    uint32_t iaid = 0;
    std::vector<uint8_t> server_id;  // the DUID of the server that granted it
    std::chrono::seconds preferred{0};
    std::chrono::seconds valid{0};  // kInfiniteDuration: never expires
    std::chrono::seconds t1{0};     // kInfiniteDuration: never renewed
    std::chrono::seconds t2{0};
    std::vector<state::IpAddress> dns;
    // Raw, as the server sent them: check with valid_dns_name() before writing them anywhere.
    std::vector<std::string> domains;
    TimePoint acquired_at;  // when the message that obtained it was sent
    std::vector<std::string> warnings;  // options ignored because they were malformed; not persisted

    TimePoint renew_at() const;
    TimePoint rebind_at() const;
    TimePoint expires_at() const;
    bool operator==(const Lease&) const = default;
};

// The lease a Reply (or an Advertise with Rapid Commit's Reply) grants for IA `iaid`, the message
// having been sent at `sent_at`. Errors name why there is none: no IA_NA for `iaid`, an IA or
// address status other than Success, no address with a valid lifetime, a preferred lifetime above
// the valid one (RFC 8415 §21.6: the address is discarded), T1 > T2. T1 and T2 of 0 are the
// client's to choose: 0.5 and 0.8 of the preferred lifetime (§21.4).
Result<Lease> lease_from_reply(const Message& reply, uint32_t iaid, TimePoint sent_at);

std::string to_json(const Lease& lease, TimePoint now, WallTime wall_now);
Result<Lease> from_json(std::string_view text, TimePoint now, WallTime wall_now);

}  // namespace nodenet::dhcp::v6
