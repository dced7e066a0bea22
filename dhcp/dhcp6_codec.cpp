#include "dhcp/dhcp6_codec.h"

#include <algorithm>
#include <array>

namespace nodenet::dhcp::v6 {

namespace {

constexpr size_t kHeaderSize = 4;        // type and transaction id
constexpr size_t kOptionHeaderSize = 4;  // code and length
constexpr size_t kIaNaFixed = 12;        // IAID, T1, T2
constexpr size_t kIaAddressFixed = 24;   // address, preferred and valid lifetimes
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxWireName = 255;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
void put16(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
    put16(out, static_cast<uint16_t>(v >> 16));
    put16(out, static_cast<uint16_t>(v));
}
void put_option(std::vector<uint8_t>& out, uint16_t code, std::span<const uint8_t> data) {
    put16(out, code);
    put16(out, static_cast<uint16_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
}

// Options in `bytes` (a message's or an IA's), or an error at the offset of the bad one.
Result<std::vector<Option>> read_options(std::span<const uint8_t> bytes, size_t base, const std::string& where) {
    std::vector<Option> options;
    size_t p = 0;
    while (p < bytes.size()) {
        if (bytes.size() - p < kOptionHeaderSize)
            return Error{where + ": option header cut off at byte " + std::to_string(base + p)};
        uint16_t code = be16(&bytes[p]);
        size_t length = be16(&bytes[p + 2]);
        if (bytes.size() - p - kOptionHeaderSize < length)
            return Error{where + ": option " + std::to_string(code) + " at byte " + std::to_string(base + p) +
                         " claims " + std::to_string(length) + " bytes, " +
                         std::to_string(bytes.size() - p - kOptionHeaderSize) + " are left"};
        auto data = bytes.subspan(p + kOptionHeaderSize, length);
        options.push_back({code, {data.begin(), data.end()}});
        p += kOptionHeaderSize + length;
    }
    return options;
}

Result<Status> read_status(const std::vector<uint8_t>& data) {
    if (data.size() < 2) return Error{"status code option of " + std::to_string(data.size()) + " bytes"};
    return Status{be16(data.data()), std::string(data.begin() + 2, data.end())};
}

state::IpAddress ipv6_at(const uint8_t* p) {
    state::IpAddress ip;
    ip.family = state::Family::V6;
    std::copy(p, p + 16, ip.bytes.begin());
    return ip;
}

Result<IaAddress> read_ia_address(const std::vector<uint8_t>& data) {
    if (data.size() < kIaAddressFixed) return Error{"IA Address option of " + std::to_string(data.size()) + " bytes"};
    IaAddress a{ipv6_at(data.data()), be32(&data[16]), be32(&data[20]), std::nullopt};
    auto inner = read_options(std::span(data).subspan(kIaAddressFixed), kIaAddressFixed, "IA Address");
    if (!inner.ok()) return Error{inner.error()};
    for (const Option& o : *inner)
        if (o.code == option::kStatusCode) {
            auto s = read_status(o.data);
            if (!s.ok()) return Error{"IA Address " + a.address.str() + ": " + s.error()};
            a.status = *s;
        }
    return a;
}

Result<IaNa> read_ia_na(const std::vector<uint8_t>& data) {
    if (data.size() < kIaNaFixed) return Error{"IA_NA option of " + std::to_string(data.size()) + " bytes"};
    IaNa ia{be32(data.data()), be32(&data[4]), be32(&data[8]), {}, std::nullopt};
    auto inner = read_options(std::span(data).subspan(kIaNaFixed), kIaNaFixed, "IA_NA");
    if (!inner.ok()) return Error{inner.error()};
    for (const Option& o : *inner) {
        if (o.code == option::kIaAddress) {
            auto a = read_ia_address(o.data);
            if (!a.ok()) return Error{"IA_NA " + std::to_string(ia.iaid) + ": " + a.error()};
            ia.addresses.push_back(std::move(*a));
        } else if (o.code == option::kStatusCode) {
            auto s = read_status(o.data);
            if (!s.ok()) return Error{"IA_NA " + std::to_string(ia.iaid) + ": " + s.error()};
            ia.status = *s;
        }
    }
    return ia;
}

}  // namespace

std::string message_type_name(MessageType type) {
    static constexpr std::array<const char*, 14> names = {
        nullptr, "SOLICIT", "ADVERTISE", "REQUEST", "CONFIRM", "RENEW", "REBIND", "REPLY",
        "RELEASE", "DECLINE", "RECONFIGURE", "INFORMATION-REQUEST", "RELAY-FORW", "RELAY-REPL"};
    auto value = static_cast<size_t>(type);
    if (value >= 1 && value < names.size()) return names[value];
    return "message type " + std::to_string(value);
}

std::string status_name(uint16_t code) {
    static constexpr std::array<const char*, 6> names = {"Success",   "UnspecFail", "NoAddrsAvail",
                                                         "NoBinding", "NotOnLink",  "UseMulticast"};
    if (code < names.size()) return names[code];
    return "status " + std::to_string(code);
}

const std::vector<uint8_t>* Message::find(uint16_t code) const {
    for (const Option& o : options)
        if (o.code == code) return &o.data;
    return nullptr;
}

std::vector<uint8_t> encode(const Message& message) {
    std::vector<uint8_t> out;
    out.push_back(static_cast<uint8_t>(message.type));
    out.push_back(static_cast<uint8_t>(message.xid >> 16));
    out.push_back(static_cast<uint8_t>(message.xid >> 8));
    out.push_back(static_cast<uint8_t>(message.xid));
    for (const Option& o : message.options) put_option(out, o.code, o.data);
    return out;
}

Result<Message> decode(std::span<const uint8_t> bytes) {
    if (bytes.size() < kHeaderSize) return Error{"DHCPv6 message of " + std::to_string(bytes.size()) + " bytes"};
    Message m;
    m.type = static_cast<MessageType>(bytes[0]);
    if (m.type == MessageType::RelayForward || m.type == MessageType::RelayReply)
        return Error{"a relay message (" + message_type_name(m.type) + ") is not for a client"};
    m.xid = uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 | bytes[3];
    auto options = read_options(bytes.subspan(kHeaderSize), kHeaderSize, message_type_name(m.type));
    if (!options.ok()) return Error{options.error()};
    m.options = std::move(*options);
    return m;
}

std::vector<uint8_t> encode_ia_na(const IaNa& ia) {
    std::vector<uint8_t> out;
    put32(out, ia.iaid);
    put32(out, ia.t1);
    put32(out, ia.t2);
    for (const IaAddress& a : ia.addresses) {
        std::vector<uint8_t> inner(a.address.bytes.begin(), a.address.bytes.end());
        put32(inner, a.preferred);
        put32(inner, a.valid);
        if (a.status) put_option(inner, option::kStatusCode, encode_status(*a.status));
        put_option(out, option::kIaAddress, inner);
    }
    if (ia.status) put_option(out, option::kStatusCode, encode_status(*ia.status));
    return out;
}

Result<std::vector<IaNa>> ia_nas(const Message& message) {
    std::vector<IaNa> out;
    for (const Option& o : message.options) {
        if (o.code != option::kIaNa) continue;
        auto ia = read_ia_na(o.data);
        if (!ia.ok()) return Error{ia.error()};
        out.push_back(std::move(*ia));
    }
    return out;
}

Result<std::optional<Status>> status(const Message& message) {
    const auto* data = message.find(option::kStatusCode);
    if (!data) return std::optional<Status>{};
    auto s = read_status(*data);
    if (!s.ok()) return Error{s.error()};
    return std::optional<Status>{*s};
}

std::vector<uint8_t> encode_status(const Status& status) {
    std::vector<uint8_t> out;
    put16(out, status.code);
    out.insert(out.end(), status.message.begin(), status.message.end());
    return out;
}

Result<uint8_t> preference(const Message& message) {
    const auto* data = message.find(option::kPreference);
    if (!data) return uint8_t{0};
    if (data->size() != 1) return Error{"preference option of " + std::to_string(data->size()) + " bytes"};
    return (*data)[0];
}

Result<std::vector<state::IpAddress>> dns_servers(const Message& message) {
    std::vector<state::IpAddress> out;
    const auto* data = message.find(option::kDnsServers);
    if (!data) return out;
    if (data->empty() || data->size() % 16 != 0)
        return Error{"DNS servers option of " + std::to_string(data->size()) + " bytes, not a multiple of 16"};
    for (size_t p = 0; p < data->size(); p += 16) out.push_back(ipv6_at(&(*data)[p]));
    return out;
}

Result<std::vector<std::string>> domain_list(const Message& message) {
    std::vector<std::string> names;
    const auto* data = message.find(option::kDomainList);
    if (!data) return names;
    auto fail = [](size_t at, const std::string& what) {
        return Error{"domain list option at offset " + std::to_string(at) + ": " + what};
    };
    size_t p = 0;
    while (p < data->size()) {
        std::string name;
        size_t wire = 1;
        for (;;) {
            if (p >= data->size()) return fail(p, "the name runs past the end of the option");
            uint8_t len = (*data)[p];
            if (len == 0) {
                ++p;
                break;
            }
            if (len > kMaxLabel) return fail(p, "label length " + std::to_string(len) + " (compression is not allowed here)");
            if (p + 1 + len > data->size()) return fail(p, "label of " + std::to_string(len) + " bytes runs past the end");
            wire += 1 + len;
            if (wire > kMaxWireName) return fail(p, "name longer than 255 bytes");
            if (!name.empty()) name += '.';
            name.append(data->begin() + static_cast<long>(p + 1), data->begin() + static_cast<long>(p + 1 + len));
            p += 1 + len;
        }
        names.push_back(std::move(name));
    }
    return names;
}

std::vector<uint8_t> encode_domain_list(const std::vector<std::string>& names) {
    std::vector<uint8_t> out;
    for (const std::string& name : names) {
        size_t start = 0;
        while (start < name.size()) {
            size_t dot = name.find('.', start);
            if (dot == std::string::npos) dot = name.size();
            out.push_back(static_cast<uint8_t>(dot - start));
            out.insert(out.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
            start = dot + 1;
        }
        out.push_back(0);
    }
    return out;
}

std::vector<uint8_t> encode_address_list(const std::vector<state::IpAddress>& addresses) {
    std::vector<uint8_t> out;
    for (const state::IpAddress& a : addresses) out.insert(out.end(), a.bytes.begin(), a.bytes.end());
    return out;
}

std::vector<uint8_t> encode_option_request(const std::vector<uint16_t>& codes) {
    std::vector<uint8_t> out;
    for (uint16_t c : codes) put16(out, c);
    return out;
}

std::vector<uint8_t> encode_u16(uint16_t value) {
    std::vector<uint8_t> out;
    put16(out, value);
    return out;
}

std::vector<uint8_t> duid_ll(std::span<const uint8_t, 6> mac) {
    // Sized first: GCC 12 misreads an insert after an initializer list as out of bounds.
    std::vector<uint8_t> duid(4 + mac.size());
    duid[1] = 3;  // DUID-LL
    duid[3] = 1;  // Ethernet
    std::copy(mac.begin(), mac.end(), duid.begin() + 4);
    return duid;
}

std::string hex_colon(std::span<const uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (uint8_t b : bytes) {
        if (!s.empty()) s += ':';
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

}  // namespace nodenet::dhcp::v6
