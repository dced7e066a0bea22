#include "dhcp/dhcp6_lease.h"

#include "common/hex_bytes.h"
#include "common/printable.h"
#include "dhcp/lease_json.h"

namespace nodenet::dhcp::v6 {

namespace {

using Json = lease_json::Json;
using std::chrono::seconds;

TimePoint after(TimePoint from, seconds d) { return d == kInfiniteDuration ? TimePoint::max() : from + d; }

seconds fraction(seconds of, double share) {
    if (of == kInfiniteDuration) return kInfiniteDuration;
    return seconds(static_cast<int64_t>(static_cast<double>(of.count()) * share));
}

}  // namespace

TimePoint Lease::renew_at() const { return after(acquired_at, t1); }
TimePoint Lease::rebind_at() const { return after(acquired_at, t2); }
TimePoint Lease::expires_at() const { return after(acquired_at, valid); }

Result<Lease> lease_from_reply(const Message& reply, uint32_t iaid, TimePoint sent_at) {
    auto ias = ia_nas(reply);
    if (!ias.ok()) return Error{ias.error()};
    const IaNa* ia = nullptr;
    for (const IaNa& candidate : *ias)
        if (candidate.iaid == iaid) ia = &candidate;
    if (!ia) return Error{"no IA_NA " + std::to_string(iaid) + " in the " + message_type_name(reply.type)};
    if (ia->status && !ia->status->ok())
        return Error{status_name(ia->status->code) + " (\"" + printable_ascii(ia->status->message) + "\")"};
    const auto* server = reply.find(option::kServerId);
    if (!server || server->empty() || server->size() > kMaxDuidSize) return Error{"no valid server identifier"};
    Lease lease;
    lease.iaid = iaid;
    lease.server_id = *server;
    lease.acquired_at = sent_at;
    const IaAddress* chosen = nullptr;
    for (const IaAddress& a : ia->addresses) {
        if (a.status && !a.status->ok()) {
            lease.warnings.push_back(a.address.str() + ": " + status_name(a.status->code) + "; ignored");
            continue;
        }
        if (a.valid == 0) continue;  // the server withdraws it (§18.2.10.1)
        if (a.preferred > a.valid) {
            lease.warnings.push_back(a.address.str() + ": preferred lifetime above the valid one; ignored");
            continue;
        }
        if (!chosen) chosen = &a;
    }
    if (!chosen) return Error{"no address with a valid lifetime in IA_NA " + std::to_string(iaid)};
    lease.address = chosen->address;
    lease.preferred = seconds(chosen->preferred);
    lease.valid = seconds(chosen->valid);
    if (ia->t1 > ia->t2 && ia->t2 != 0) return Error{"T1 " + std::to_string(ia->t1) + " > T2 " + std::to_string(ia->t2)};
    if (ia->t1 == 0 || ia->t2 == 0) {
        // A lease with a preferred lifetime of 0 still gets renewed before it ends.
        seconds base = lease.preferred.count() > 0 ? lease.preferred : lease.valid;
        lease.t1 = fraction(base, 0.5);
        lease.t2 = fraction(base, 0.8);
    } else {
        lease.t1 = seconds(ia->t1);
        lease.t2 = seconds(ia->t2);
    }
    if (lease.valid != kInfiniteDuration) {
        lease.t1 = std::min(lease.t1, lease.valid);
        lease.t2 = std::min(lease.t2, lease.valid);
    }
    auto dns = dns_servers(reply);
    if (dns.ok())
        lease.dns = std::move(*dns);
    else
        lease.warnings.push_back(dns.error() + "; ignored");
    auto domains = domain_list(reply);
    if (domains.ok())
        lease.domains = std::move(*domains);
    else
        lease.warnings.push_back(domains.error() + "; ignored");
    return lease;
}

std::string to_json(const Lease& lease, TimePoint now, WallTime wall_now) {
    Json j = {
        {"address", lease.address.str()},
        {"iaid", lease.iaid},
        {"server_id", hex_colon(lease.server_id)},
        {"preferred_seconds", lease.preferred.count()},
        {"valid_seconds", lease.valid.count()},
        {"t1_seconds", lease.t1.count()},
        {"t2_seconds", lease.t2.count()},
        {"dns", lease_json::ip_list(lease.dns)},
        {"domains", lease.domains},
        {"acquired_at_unix_ms", lease_json::unix_ms(lease.acquired_at, now, wall_now)},
    };
    return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

Result<Lease> from_json(std::string_view text, TimePoint now, WallTime wall_now) {
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Error{"lease JSON: not valid JSON"};
    if (!j.is_object()) return Error{"lease JSON: not an object"};
    lease_json::Reader r(j, state::Family::V6);
    Lease lease;
    r.ip("address", lease.address);
    if (auto iaid = r.number("iaid", true, 0, 0xFFFFFFFF)) lease.iaid = static_cast<uint32_t>(*iaid);
    if (const auto* id = r.field("server_id", true)) {
        auto bytes = id->is_string() ? parse_hex_bytes(id->get<std::string>()) : std::nullopt;
        if (bytes && !bytes->empty() && bytes->size() <= kMaxDuidSize)
            lease.server_id = std::move(*bytes);
        else
            r.fail("server_id", "not a DUID in hex");
    }
    auto preferred = r.number("preferred_seconds", true, 0, kInfinity);
    auto valid = r.number("valid_seconds", true, 1, kInfinity);
    auto t1 = r.number("t1_seconds", true, 0, kInfinity);
    auto t2 = r.number("t2_seconds", true, 0, kInfinity);
    r.ips("dns", lease.dns);
    r.texts("domains", lease.domains);
    auto acquired_ms = r.number("acquired_at_unix_ms", true, 0, lease_json::kMaxUnixMs);
    if (!r.error().empty()) return Error{r.error()};
    if (!(*preferred <= *valid && *t1 <= *t2)) return Error{"lease JSON: preferred <= valid and T1 <= T2 do not hold"};
    lease.preferred = seconds(*preferred);
    lease.valid = seconds(*valid);
    lease.t1 = seconds(*t1);
    lease.t2 = seconds(*t2);
    lease.acquired_at = lease_json::from_unix_ms(*acquired_ms, now, wall_now);
    return lease;
}

}  // namespace nodenet::dhcp::v6
