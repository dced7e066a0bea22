#include "cli/lease_view.h"

#include <sstream>
#include <utility>
#include <vector>

#include "common/printable.h"

namespace nodenet::cli {

namespace {

using Json = nlohmann::ordered_json;

template <class T>
Json or_null(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

Json ips(const std::vector<state::IpAddress>& list) {
    Json a = Json::array();
    for (const auto& ip : list) a.push_back(ip.str());
    return a;
}

Json seconds_or_null(const dhcp::Lease& lease, std::chrono::seconds s) {
    return lease.infinite() ? Json(nullptr) : Json(s.count());
}

template <class T, class F>
std::string joined(const std::vector<T>& items, F text) {
    std::string s;
    for (const T& item : items) s += (s.empty() ? "" : ", ") + text(item);
    return s.empty() ? "-" : s;
}

std::string duration_text(std::chrono::seconds s) {
    int64_t n = s.count();
    std::string out;
    for (auto [unit, name] : {std::pair<int64_t, const char*>{86400, "d"}, {3600, "h"}, {60, "m"}}) {
        if (n < unit) continue;
        out += std::to_string(n / unit) + name;
        n %= unit;
    }
    if (n > 0 || out.empty()) out += std::to_string(n) + "s";
    return out;
}

}  // namespace

std::string route_text(const dhcp::ClasslessRoute& r) {
    std::string destination = r.destination.len == 0 ? "default" : r.destination.str();
    return destination + (r.gateway.is_unspecified() ? " on-link" : " via " + r.gateway.str());
}

std::string remaining_text(std::optional<std::chrono::seconds> remaining) {
    if (!remaining) return "never";
    return remaining->count() <= 0 ? "expired" : duration_text(*remaining);
}

Json lease_json(const std::string& iface, const dhcp::Lease& lease) {
    Json j;
    j["interface"] = iface;
    j["address"] = lease.address.str();
    j["server"] = lease.server_id.str();
    j["routes"] = Json::array();
    for (const auto& r : lease.routes())
        j["routes"].push_back({{"destination", r.destination.str()},
                               {"gateway", r.gateway.is_unspecified() ? Json(nullptr) : Json(r.gateway.str())}});
    j["dns"] = ips(lease.dns);
    j["search"] = lease.search_domains;
    j["domain"] = or_null(lease.domain);
    j["hostname"] = or_null(lease.hostname);
    j["mtu"] = or_null(lease.mtu);
    j["ntp"] = ips(lease.ntp);
    j["broadcast"] = lease.broadcast ? Json(lease.broadcast->str()) : Json(nullptr);
    j["lease_seconds"] = seconds_or_null(lease, lease.lease_time);
    j["t1_seconds"] = seconds_or_null(lease, lease.t1);
    j["t2_seconds"] = seconds_or_null(lease, lease.t2);
    return j;
}

std::string lease_text(const std::string& iface, const dhcp::Lease& lease) {
    auto name = [](const std::optional<std::string>& s) { return s ? printable_ascii(*s) : std::string("-"); };
    std::ostringstream out;
    out << "interface: " << iface << '\n'
        << "address:   " << lease.address.str() << '\n'
        << "server:    " << lease.server_id.str() << '\n'
        << "routes:    " << joined(lease.routes(), route_text) << '\n'
        << "dns:       " << joined(lease.dns, [](const auto& ip) { return ip.str(); }) << '\n'
        << "search:    " << joined(lease.search_domains, [](const std::string& d) { return printable_ascii(d); }) << '\n'
        << "domain:    " << name(lease.domain) << '\n'
        << "hostname:  " << name(lease.hostname) << '\n'
        << "mtu:       " << (lease.mtu ? std::to_string(*lease.mtu) : "-") << '\n'
        << "ntp:       " << joined(lease.ntp, [](const auto& ip) { return ip.str(); }) << '\n';
    if (lease.infinite())
        out << "lease:     infinite\n";
    else
        out << "lease:     " << duration_text(lease.lease_time) << " (renew after " << duration_text(lease.t1)
            << ", rebind after " << duration_text(lease.t2) << ")\n";
    return out.str();
}

Json lease6_json(const std::string& iface, const dhcp::v6::Lease& lease) {
    auto seconds = [](std::chrono::seconds s) {
        return s == dhcp::v6::kInfiniteDuration ? Json(nullptr) : Json(s.count());
    };
    Json j;
    j["interface"] = iface;
    j["address"] = lease.address.str();
    j["server"] = dhcp::v6::hex_colon(lease.server_id);
    j["dns"] = ips(lease.dns);
    j["search"] = lease.domains;
    j["preferred_seconds"] = seconds(lease.preferred);
    j["valid_seconds"] = seconds(lease.valid);
    j["t1_seconds"] = seconds(lease.t1);
    j["t2_seconds"] = seconds(lease.t2);
    return j;
}

std::string lease6_text(const std::string& iface, const dhcp::v6::Lease& lease) {
    auto lifetime = [](std::chrono::seconds s) {
        return s == dhcp::v6::kInfiniteDuration ? std::string("infinite") : duration_text(s);
    };
    std::ostringstream out;
    out << "interface: " << iface << '\n'
        << "address:   " << lease.address.str() << "/128\n"
        << "server:    " << dhcp::v6::hex_colon(lease.server_id) << '\n'
        << "dns:       " << joined(lease.dns, [](const auto& ip) { return ip.str(); }) << '\n'
        << "search:    " << joined(lease.domains, [](const std::string& d) { return printable_ascii(d); }) << '\n'
        << "lifetime:  valid " << lifetime(lease.valid) << ", preferred " << lifetime(lease.preferred)
        << " (renew after " << lifetime(lease.t1) << ", rebind after " << lifetime(lease.t2) << ")\n";
    return out.str();
}

}  // namespace nodenet::cli
