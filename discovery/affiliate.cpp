#include "discovery/affiliate.h"

#include <string>

#include "config/go_syntax.h"
#include "discovery/proto/affiliate.pb.h"

namespace nodenet::discovery {
namespace {

namespace pb = sidero::discovery::client;

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

// netip.Addr.MarshalBinary: 4 bytes for IPv4, 16 for IPv6 (Go adds an IPv6 zone after the 16;
// an address with a zone is link-local, which Talos never publishes, and is refused here).
Result<IpAddress> ip_from_bytes(std::string_view b) {
    IpAddress ip;
    if (b.size() == 4) {
        ip.family = state::Family::V4;
    } else if (b.size() == 16) {
        ip.family = state::Family::V6;
    } else {
        return Error{count_text(b.size(), "bytes") + ", an IP address has 4 or 16"};
    }
    for (size_t i = 0; i < b.size(); ++i) ip.bytes[i] = static_cast<uint8_t>(b[i]);
    return ip;
}

std::string ip_to_bytes(const IpAddress& ip) {
    return std::string(reinterpret_cast<const char*>(ip.bytes.data()), ip.size());
}

Result<std::vector<IpPrefix>> prefixes_from_pb(const google::protobuf::RepeatedPtrField<pb::IPPrefix>& list,
                                               const std::string& field) {
    if (static_cast<size_t>(list.size()) > kMaxListItems)
        return Error{field + ": " + count_text(static_cast<size_t>(list.size()), "prefixes") + ", more than " +
                     std::to_string(kMaxListItems)};
    std::vector<IpPrefix> out;
    for (int i = 0; i < list.size(); ++i) {
        std::string at = field + "[" + std::to_string(i) + "]";
        auto ip = ip_from_bytes(list[i].ip());
        if (!ip.ok()) return Error{at + ": " + ip.error()};
        if (list[i].bits() > ip->size() * 8)
            return Error{at + ": /" + std::to_string(list[i].bits()) + " is longer than an " +
                         (ip->size() == 4 ? "IPv4" : "IPv6") + " address"};
        out.push_back(IpPrefix{*ip, static_cast<uint8_t>(list[i].bits())});
    }
    return out;
}

void prefixes_to_pb(const std::vector<IpPrefix>& list, google::protobuf::RepeatedPtrField<pb::IPPrefix>* out) {
    for (const auto& p : list) {
        auto* item = out->Add();
        item->set_ip(ip_to_bytes(p.addr));
        item->set_bits(p.len);
    }
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

std::string encode_affiliate_data(const Affiliate& a) {
    pb::Affiliate m;
    m.set_node_id(a.node_id);
    for (const auto& ip : a.addresses) m.add_addresses(ip_to_bytes(ip));
    m.set_hostname(a.hostname);
    m.set_nodename(a.nodename);
    m.set_machine_type(std::string(machine_type_name(a.machine_type)));
    m.set_operating_system(a.operating_system);
    if (a.has_kubespan()) {
        pb::KubeSpan* k = m.mutable_kubespan();
        k->set_public_key(a.kubespan.public_key);
        if (a.kubespan.address) k->set_address(ip_to_bytes(*a.kubespan.address));
        prefixes_to_pb(a.kubespan.additional_addresses, k->mutable_additional_addresses());
        prefixes_to_pb(a.kubespan.exclude_advertised_networks, k->mutable_exclude_advertised_addresses());
    }
    if (a.api_server_port) m.mutable_control_plane()->set_api_server_port(*a.api_server_port);
    return m.SerializeAsString();
}

Result<Affiliate> decode_affiliate_data(std::string_view bytes) {
    pb::Affiliate m;
    if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return Error{"not a protobuf Affiliate message"};
    Affiliate a;
    a.node_id = m.node_id();
    if (static_cast<size_t>(m.addresses_size()) > kMaxListItems)
        return Error{"addresses: " + count_text(static_cast<size_t>(m.addresses_size()), "addresses") + ", more than " +
                     std::to_string(kMaxListItems)};
    for (int i = 0; i < m.addresses_size(); ++i) {
        auto ip = ip_from_bytes(m.addresses(i));
        if (!ip.ok()) return Error{"addresses[" + std::to_string(i) + "]: " + ip.error()};
        a.addresses.push_back(*ip);
    }
    a.hostname = m.hostname();
    a.nodename = m.nodename();
    a.machine_type = parse_machine_type(m.machine_type());
    a.operating_system = m.operating_system();
    // A KubeSpan part without a public key is no KubeSpan (Talos never publishes one, and makes no
    // peer of it); the rest of it is ignored, so what is kept is what would be published again.
    if (m.has_kubespan() && !m.kubespan().public_key().empty()) {
        const pb::KubeSpan& k = m.kubespan();
        a.kubespan.public_key = k.public_key();
        // Empty bytes are Go's zero netip.Addr: no address.
        if (!k.address().empty()) {
            auto ip = ip_from_bytes(k.address());
            if (!ip.ok()) return Error{"kubespan.address: " + ip.error()};
            a.kubespan.address = *ip;
        }
        auto extra = prefixes_from_pb(k.additional_addresses(), "kubespan.additionalAddresses");
        if (!extra.ok()) return Error{extra.error()};
        a.kubespan.additional_addresses = std::move(*extra);
        auto excluded = prefixes_from_pb(k.exclude_advertised_addresses(), "kubespan.excludeAdvertisedNetworks");
        if (!excluded.ok()) return Error{excluded.error()};
        a.kubespan.exclude_advertised_networks = std::move(*excluded);
    }
    if (m.has_control_plane()) {
        uint32_t port = m.control_plane().api_server_port();
        if (port == 0 || port > 65535) return Error{"controlPlane.apiServerPort: " + std::to_string(port) + " is not a port"};
        a.api_server_port = static_cast<uint16_t>(port);
    }
    if (auto ok = check_affiliate(a); !ok.ok()) return Error{ok.error()};
    return a;
}

std::string encode_endpoint(const Endpoint& endpoint) {
    pb::Endpoint m;
    m.set_ip(ip_to_bytes(endpoint.ip));
    m.set_port(endpoint.port);
    return m.SerializeAsString();
}

Result<Endpoint> decode_endpoint(std::string_view bytes) {
    pb::Endpoint m;
    if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Error{"not a protobuf Endpoint message"};
    auto ip = ip_from_bytes(m.ip());
    if (!ip.ok()) return Error{"ip: " + ip.error()};
    if (m.port() == 0 || m.port() > 65535) return Error{"port " + std::to_string(m.port()) + " is not a port"};
    return Endpoint{*ip, static_cast<uint16_t>(m.port())};
}

}  // namespace nodenet::discovery
