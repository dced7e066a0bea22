#include "dhcp/dhcp4_lease.h"

#include <nlohmann/json.hpp>

namespace nodenet::dhcp {

namespace {

using Json = nlohmann::json;

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

Json ip_list(const std::vector<state::IpAddress>& ips) {
    Json array = Json::array();
    for (const auto& ip : ips) array.push_back(ip.str());
    return array;
}

std::optional<state::IpAddress> parse_ipv4(const Json& value) {
    if (!value.is_string()) return std::nullopt;
    auto ip = state::parse_ip_address(value.get<std::string>());
    if (!ip || ip->family != state::Family::V4) return std::nullopt;
    return ip;
}

// Reads the fields of a lease from its JSON object; the first missing or mistyped one is the error.
class JsonReader {
public:
    explicit JsonReader(const Json& object) : object_(object) {}
    const std::string& error() const { return error_; }

    const Json* field(const char* name, bool required) {
        auto it = object_.find(name);
        if (it != object_.end() && !it->is_null()) return &*it;
        if (required) fail(name, "missing");
        return nullptr;
    }
    void ip(const char* name, state::IpAddress& out) {
        if (const auto* v = field(name, true)) {
            if (auto ip = parse_ipv4(*v))
                out = *ip;
            else
                fail(name, "not an IPv4 address");
        }
    }
    void ips(const char* name, std::vector<state::IpAddress>& out) {
        if (const auto* v = field(name, false)) {
            if (!v->is_array()) return fail(name, "not a list of IPv4 addresses");
            for (const auto& item : *v) {
                auto ip = parse_ipv4(item);
                if (!ip) return fail(name, "not a list of IPv4 addresses");
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
    std::string error_;
};

void read_routes(JsonReader& reader, const Json* routes, std::vector<ClasslessRoute>& out) {
    if (routes == nullptr) return;
    if (!routes->is_array()) return reader.fail("classless_routes", "not a list");
    for (const auto& item : *routes) {
        const Json* dst = item.is_object() && item.contains("destination") ? &item["destination"] : nullptr;
        auto prefix = dst && dst->is_string() ? state::parse_ip_prefix(dst->get<std::string>()) : std::nullopt;
        auto gateway = item.is_object() && item.contains("gateway") ? parse_ipv4(item["gateway"]) : std::nullopt;
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
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    auto wall_acquired = wall_now - duration_cast<WallTime::duration>(now - lease.acquired_at);
    Json j = {
        {"address", lease.address.str()},
        {"server_id", lease.server_id.str()},
        {"routers", ip_list(lease.routers)},
        {"classless_routes", Json::array()},
        {"dns", ip_list(lease.dns)},
        {"search_domains", lease.search_domains},
        {"ntp", ip_list(lease.ntp)},
        {"lease_seconds", lease.lease_time.count()},
        {"t1_seconds", lease.t1.count()},
        {"t2_seconds", lease.t2.count()},
        {"acquired_at_unix_ms", duration_cast<milliseconds>(wall_acquired.time_since_epoch()).count()},
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
    JsonReader r(j);
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
    // Any time a Unix clock can show; bounded so that the arithmetic below cannot overflow.
    constexpr int64_t kMaxUnixMs = int64_t{1} << 50;
    auto acquired_ms = r.number("acquired_at_unix_ms", true, 0, kMaxUnixMs);
    if (!r.error().empty()) return Error{r.error()};
    if (!(*t1 <= *t2 && *t2 <= *total)) return Error{"lease JSON: T1 <= T2 <= lease time does not hold"};
    lease.lease_time = std::chrono::seconds(*total);
    lease.t1 = std::chrono::seconds(*t1);
    lease.t2 = std::chrono::seconds(*t2);

    // The age on the wall clock, carried onto the monotonic one. A lease from the future (the clock
    // went back) counts as acquired now.
    int64_t wall_now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall_now.time_since_epoch()).count();
    // Older than any finite lease is old enough; the bound keeps the nanoseconds in range.
    constexpr int64_t kMaxAgeMs = int64_t{kInfiniteTime} * 1000;
    int64_t age_ms = std::clamp<int64_t>(wall_now_ms - *acquired_ms, 0, kMaxAgeMs);
    lease.acquired_at = now - std::chrono::milliseconds(age_ms);
    return lease;
}

}  // namespace nodenet::dhcp
