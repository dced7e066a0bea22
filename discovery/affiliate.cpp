#include "discovery/affiliate.h"

#include <string>

#include "config/go_syntax.h"

namespace nodenet::discovery {
namespace {

std::string count_text(size_t n, const char* what) { return std::to_string(n) + " " + what; }

// An FQDN or a Kubernetes node name: printable ASCII without spaces, so that it cannot break a
// table column or a log line.
std::optional<std::string> name_problem(std::string_view s, size_t max) {
    if (s.size() > max) return count_text(s.size(), "bytes") + ", more than " + std::to_string(max);
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) return std::string("contains a control character");
        if (u == ' ') return std::string("contains a space");
        if (u > 0x7F) return std::string("contains a byte that is not ASCII");
    }
    return std::nullopt;
}

// A free text (an OS name): UTF-8 without control characters (C0, DEL, C1).
std::optional<std::string> text_problem(std::string_view s, size_t max) {
    if (s.size() > max) return count_text(s.size(), "bytes") + ", more than " + std::to_string(max);
    size_t i = 0;
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
    while (i < s.size()) {
        unsigned char c = byte(i);
        if (c < 0x20 || c == 0x7F) return std::string("contains a control character");
        if (c < 0x80) {
            ++i;
            continue;
        }
        uint32_t r = 0;
        size_t width = 0;
        if (c >= 0xC2 && c <= 0xDF && cont(i + 1)) {
            r = (c & 0x1Fu) << 6 | (byte(i + 1) & 0x3Fu);
            width = 2;
        } else if (c >= 0xE0 && c <= 0xEF && cont(i + 1) && cont(i + 2)) {
            r = (c & 0x0Fu) << 12 | (byte(i + 1) & 0x3Fu) << 6 | (byte(i + 2) & 0x3Fu);
            width = (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) ? 3 : 0;
        } else if (c >= 0xF0 && c <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
            r = (c & 0x07u) << 18 | (byte(i + 1) & 0x3Fu) << 12 | (byte(i + 2) & 0x3Fu) << 6 | (byte(i + 3) & 0x3Fu);
            width = (r >= 0x10000 && r <= 0x10FFFF) ? 4 : 0;
        }
        if (width == 0) return std::string("is not UTF-8");
        if (r >= 0x80 && r <= 0x9F) return std::string("contains a control character");
        i += width;
    }
    return std::nullopt;
}

// The affiliate ID at the service and the node ID: printable ASCII without spaces or '/', since it
// becomes part of a resource ID (service/<id>).
std::optional<std::string> node_id_problem(std::string_view s) {
    if (s.empty()) return std::string("empty");
    if (auto p = name_problem(s, kMaxNodeIdBytes)) return p;
    if (s.find('/') != std::string_view::npos) return std::string("contains '/'");
    return std::nullopt;
}

std::optional<std::string> prefix_problem(const IpPrefix& p) {
    size_t max = p.addr.size() * 8;
    if (p.len > max)
        return "/" + std::to_string(p.len) + " is longer than an " + (max == 32 ? "IPv4" : "IPv6") + " address";
    return std::nullopt;
}

Status fail(const std::string& field, const std::string& why) { return Error{field + ": " + why}; }

Status check_prefixes(const std::vector<IpPrefix>& list, const std::string& field) {
    if (list.size() > kMaxListItems) return fail(field, count_text(list.size(), "prefixes") + ", more than " + std::to_string(kMaxListItems));
    for (size_t i = 0; i < list.size(); ++i)
        if (auto p = prefix_problem(list[i])) return fail(field + "[" + std::to_string(i) + "]", *p);
    return success();
}

}  // namespace

std::string_view machine_type_name(MachineType type) {
    switch (type) {
        case MachineType::Init: return "init";
        case MachineType::ControlPlane: return "controlplane";
        case MachineType::Worker: return "worker";
        case MachineType::Unknown: break;
    }
    return "unknown";
}

MachineType parse_machine_type(std::string_view text) {
    if (text == "init") return MachineType::Init;
    if (text == "controlplane") return MachineType::ControlPlane;
    if (text == "worker" || text == "join" || text.empty()) return MachineType::Worker;
    return MachineType::Unknown;
}

std::string Endpoint::str() const {
    std::string host = ip.family == state::Family::V6 ? "[" + ip.str() + "]" : ip.str();
    return host + ":" + std::to_string(port);
}

Status check_endpoint(const Endpoint& endpoint) {
    if (endpoint.port == 0) return Error{"port 0"};
    return success();
}

Status check_affiliate(const Affiliate& a) {
    if (auto p = node_id_problem(a.node_id)) return fail("nodeId", *p);
    if (a.addresses.size() > kMaxListItems)
        return fail("addresses", count_text(a.addresses.size(), "addresses") + ", more than " + std::to_string(kMaxListItems));
    if (auto p = name_problem(a.hostname, kMaxNameBytes)) return fail("hostname", *p);
    if (auto p = name_problem(a.nodename, kMaxNameBytes)) return fail("nodename", *p);
    if (auto p = text_problem(a.operating_system, kMaxOsBytes)) return fail("operatingSystem", *p);
    if (a.api_server_port && *a.api_server_port == 0) return fail("controlPlane.apiServerPort", "0");
    const KubeSpanPart& k = a.kubespan;
    if (!k.public_key.empty()) {
        if (auto p = config::go::check_wireguard_key(k.public_key)) return fail("kubespan.publicKey", *p);
    }
    if (auto s = check_prefixes(k.additional_addresses, "kubespan.additionalAddresses"); !s.ok()) return s;
    if (auto s = check_prefixes(k.exclude_advertised_networks, "kubespan.excludeAdvertisedNetworks"); !s.ok()) return s;
    if (k.endpoints.size() > kMaxEndpoints)
        return fail("kubespan.endpoints", count_text(k.endpoints.size(), "endpoints") + ", more than " + std::to_string(kMaxEndpoints));
    for (size_t i = 0; i < k.endpoints.size(); ++i)
        if (auto s = check_endpoint(k.endpoints[i]); !s.ok()) return fail("kubespan.endpoints[" + std::to_string(i) + "]", s.error());
    return success();
}

}  // namespace nodenet::discovery
