#include "discovery/affiliate_codec.h"

#include <string>

#include "discovery/proto/affiliate.pb.h"

namespace nodenet::discovery {
namespace {

namespace pb = sidero::discovery::client;

std::string count_text(size_t n, const char* what) { return std::to_string(n) + " " + what; }

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
