#include "dhcp/dhcp4_lease.h"

#include "dhcp/lease_json.h"

namespace nodenet::dhcp {

namespace {

using Json = lease_json::Json;

// The value of a well-formed option, or `fallback` with a warning when it is malformed.
template <class T>
T or_warn(Result<T> result, std::vector<std::string>& warnings, T fallback = T{}) {
    if (result.ok()) return std::move(result).value();
    warnings.push_back(result.error() + "; ignored");
    return fallback;
}

// RFC 791's classes, what dhclient and dhcpcd assume when a server sends no subnet mask.
uint8_t classful_prefix(const state::IpAddress& ip) {
    if (ip.bytes[0] < 128) return 8;
    if (ip.bytes[0] < 192) return 16;
    return 24;
}

void set_timers(Lease& lease, const Options& options) {
    auto& w = lease.warnings;
    if (lease.infinite()) {  // RFC 2131 §4.4.5: an infinite lease is never renewed
        lease.t1 = lease.t2 = kInfiniteDuration;
        return;
    }
    auto total = static_cast<uint64_t>(lease.lease_time.count());
    auto default_t1 = std::chrono::seconds(total / 2);
    auto default_t2 = std::chrono::seconds(total * 7 / 8);
    auto given_t1 = or_warn(time_seconds(options, option::kRenewalTime), w);
    auto given_t2 = or_warn(time_seconds(options, option::kRebindingTime), w);
    // A zero would renew the moment the lease is bound, and again after every ACK: a packet storm.
    for (auto* given : {&given_t1, &given_t2})
        if (*given && **given == 0) {
            w.push_back(std::string(given == &given_t1 ? "T1" : "T2") + " of 0s ignored");
            given->reset();
        }
    lease.t2 = given_t2 ? std::chrono::seconds(*given_t2) : default_t2;
    if (lease.t2 > lease.lease_time) {
        w.push_back("T2 " + std::to_string(lease.t2.count()) + "s is past the lease time; using 0.875 × lease");
        lease.t2 = default_t2;
    }
    lease.t1 = given_t1 ? std::chrono::seconds(*given_t1) : default_t1;
    if (lease.t1 > lease.t2) {
        w.push_back("T1 " + std::to_string(lease.t1.count()) + "s is past T2 " + std::to_string(lease.t2.count()) +
                    "s; using 0.5 and 0.875 × lease");
        lease.t1 = default_t1;
        lease.t2 = default_t2;
    }
}

// RFC 3442 §3: classless routes replace the routers option; 249 is its pre-standard twin. A malformed
// option counts as absent (a well-formed one is never empty), so the next one in line applies.
void set_routes(Lease& lease, const Options& options) {
    auto& w = lease.warnings;
    lease.classless_routes = or_warn(classless_routes(options, option::kClasslessRoutes), w);
    if (lease.classless_routes.empty())
        lease.classless_routes = or_warn(classless_routes(options, option::kMsClasslessRoutes), w);
    if (lease.classless_routes.empty()) lease.routers = or_warn(address_list(options, option::kRouter), w);
}

Status set_identity(Lease& lease, const Message& ack, TimePoint requested_at) {
    auto type = message_type(ack.options);
    if (!type) return Error{"not a usable DHCPACK: " + type.error()};
    if (!*type) return Error{"not a usable DHCPACK: no message type (option 53)"};
    if (**type != MessageType::Ack) return Error{"not a DHCPACK but a " + message_type_name(**type)};
    if (!usable_host_address(ack.yiaddr))
        return Error{"DHCPACK offers " + ack.yiaddr.str() + ", not an address a host can use"};
    auto server = address(ack.options, option::kServerId);
    if (!server) return Error{"DHCPACK: " + server.error()};
    if (!*server) return Error{"DHCPACK without a server identifier (option 54)"};
    lease.server_id = **server;

    auto prefix = or_warn(subnet_prefix(ack.options), lease.warnings);
    if (!prefix) {
        prefix = classful_prefix(ack.yiaddr);
        lease.warnings.push_back("no subnet mask (option 1); assuming the classful /" + std::to_string(*prefix));
    }
    lease.address = state::IpPrefix{ack.yiaddr, *prefix};
    lease.acquired_at = requested_at;

    auto time = time_seconds(ack.options, option::kLeaseTime);
    if (time.ok() && *time && **time == 0) return Error{"DHCPACK grants a lease time of 0 seconds"};
    auto given = or_warn(std::move(time), lease.warnings);
    if (!given) lease.warnings.push_back("no lease time (option 51); assuming 30 minutes");
    lease.lease_time = given ? std::chrono::seconds(*given) : kDefaultLeaseTime;
    if (lease.lease_time < kMinLeaseTime) {
        lease.warnings.push_back("lease time " + std::to_string(lease.lease_time.count()) + "s is below " +
                                 std::to_string(kMinLeaseTime.count()) + "s; using " +
                                 std::to_string(kMinLeaseTime.count()) + "s");
        lease.lease_time = kMinLeaseTime;
    }
    return success();
}

// --- JSON ----------------------------------------------------------------------------------------

void read_routes(lease_json::Reader& reader, const Json* routes, std::vector<ClasslessRoute>& out) {
    if (routes == nullptr) return;
    if (!routes->is_array()) return reader.fail("classless_routes", "not a list");
    for (const auto& item : *routes) {
        const Json* dst = item.is_object() && item.contains("destination") ? &item["destination"] : nullptr;
        auto prefix = dst && dst->is_string() ? state::parse_ip_prefix(dst->get<std::string>()) : std::nullopt;
        auto gateway = item.is_object() && item.contains("gateway") ? lease_json::parse_ip(item["gateway"], state::Family::V4) : std::nullopt;
        if (!prefix || prefix->family() != state::Family::V4 || !gateway)
            return reader.fail("classless_routes", "an entry is not {destination: IPv4 prefix, gateway: IPv4}");
        out.push_back(ClasslessRoute{prefix->masked(), *gateway});
    }
}

}  // namespace

bool usable_host_address(const state::IpAddress& ip) {
    uint8_t first = ip.bytes[0];
    return ip.family == state::Family::V4 && first != 0 && first != 127 && first < 224;
}

TimePoint Lease::renew_at() const { return infinite() ? TimePoint::max() : acquired_at + t1; }
TimePoint Lease::rebind_at() const { return infinite() ? TimePoint::max() : acquired_at + t2; }
TimePoint Lease::expires_at() const { return infinite() ? TimePoint::max() : acquired_at + lease_time; }

std::vector<ClasslessRoute> Lease::routes() const {
    if (!classless_routes.empty()) return classless_routes;
    std::vector<ClasslessRoute> defaults;
    for (const auto& router : routers) defaults.push_back({state::IpPrefix{ipv4(0, 0, 0, 0), 0}, router});
    return defaults;
}

Result<Lease> lease_from_ack(const Message& ack, TimePoint requested_at) {
    Lease lease;
    if (auto s = set_identity(lease, ack, requested_at); !s) return Error{s.error()};
    set_timers(lease, ack.options);
    set_routes(lease, ack.options);
    auto& w = lease.warnings;
    const auto& o = ack.options;
    lease.dns = or_warn(address_list(o, option::kDnsServers), w);
    lease.ntp = or_warn(address_list(o, option::kNtpServers), w);
    lease.search_domains = or_warn(domain_search(o), w);
    lease.domain = or_warn(text(o, option::kDomainName), w);
    lease.hostname = or_warn(text(o, option::kHostname), w);
    lease.mtu = or_warn(interface_mtu(o), w);
    lease.broadcast = or_warn(address(o, option::kBroadcastAddress), w);
    return lease;
}

std::string to_json(const Lease& lease, TimePoint now, WallTime wall_now) {
    Json j = {
        {"address", lease.address.str()},
        {"server_id", lease.server_id.str()},
        {"routers", lease_json::ip_list(lease.routers)},
        {"classless_routes", Json::array()},
        {"dns", lease_json::ip_list(lease.dns)},
        {"search_domains", lease.search_domains},
        {"ntp", lease_json::ip_list(lease.ntp)},
        {"lease_seconds", lease.lease_time.count()},
        {"t1_seconds", lease.t1.count()},
        {"t2_seconds", lease.t2.count()},
        {"acquired_at_unix_ms", lease_json::unix_ms(lease.acquired_at, now, wall_now)},
    };
    for (const auto& r : lease.classless_routes)
        j["classless_routes"].push_back({{"destination", r.destination.str()}, {"gateway", r.gateway.str()}});
    if (lease.domain) j["domain"] = *lease.domain;
    if (lease.hostname) j["hostname"] = *lease.hostname;
    if (lease.mtu) j["mtu"] = *lease.mtu;
    if (lease.broadcast) j["broadcast"] = lease.broadcast->str();
    // Names are raw network bytes; JSON text must be UTF-8, so invalid sequences become U+FFFD
    // (such names fail valid_dns_name() anyway).
    return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

Result<Lease> from_json(std::string_view text, TimePoint now, WallTime wall_now) {
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Error{"lease JSON: not valid JSON"};
    if (!j.is_object()) return Error{"lease JSON: not an object"};
    lease_json::Reader r(j, state::Family::V4);
    Lease lease;
    if (const auto* a = r.field("address", true)) {
        auto prefix = a->is_string() ? state::parse_ip_prefix(a->get<std::string>()) : std::nullopt;
        if (prefix && prefix->family() == state::Family::V4)
            lease.address = *prefix;
        else
            r.fail("address", "not an IPv4 address with a prefix length");
    }
    r.ip("server_id", lease.server_id);
    r.ips("routers", lease.routers);
    read_routes(r, r.field("classless_routes", false), lease.classless_routes);
    r.ips("dns", lease.dns);
    r.texts("search_domains", lease.search_domains);
    r.ips("ntp", lease.ntp);
    r.text("domain", lease.domain);
    r.text("hostname", lease.hostname);
    if (auto mtu = r.number("mtu", false, kMinMtu, 65535)) lease.mtu = static_cast<uint16_t>(*mtu);
    if (r.field("broadcast", false)) r.ip("broadcast", lease.broadcast.emplace());
    auto total = r.number("lease_seconds", true, 1, kInfiniteTime);
    auto t1 = r.number("t1_seconds", true, 0, kInfiniteTime);
    auto t2 = r.number("t2_seconds", true, 0, kInfiniteTime);
    auto acquired_ms = r.number("acquired_at_unix_ms", true, 0, lease_json::kMaxUnixMs);
    if (!r.error().empty()) return Error{r.error()};
    if (!(*t1 <= *t2 && *t2 <= *total)) return Error{"lease JSON: T1 <= T2 <= lease time does not hold"};
    lease.lease_time = std::chrono::seconds(*total);
    lease.t1 = std::chrono::seconds(*t1);
    lease.t2 = std::chrono::seconds(*t2);

    lease.acquired_at = lease_json::from_unix_ms(*acquired_ms, now, wall_now);
    return lease;
}

}  // namespace nodenet::dhcp
