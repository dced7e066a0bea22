#include "dhcp/dhcp4_options.h"

#include <array>
#include <map>

namespace nodenet::dhcp {

namespace {

constexpr size_t kMaxWireName = 255;  // RFC 1035 §3.1, length bytes and the root included
constexpr uint8_t kPointerBits = 0xC0;

const char* option_name(uint8_t code) {
    switch (code) {
        case option::kSubnetMask: return "subnet mask";
        case option::kRouter: return "routers";
        case option::kDnsServers: return "DNS servers";
        case option::kHostname: return "hostname";
        case option::kDomainName: return "domain name";
        case option::kInterfaceMtu: return "interface MTU";
        case option::kBroadcastAddress: return "broadcast address";
        case option::kNtpServers: return "NTP servers";
        case option::kRequestedIp: return "requested IP";
        case option::kLeaseTime: return "lease time";
        case option::kMessageType: return "message type";
        case option::kServerId: return "server identifier";
        case option::kMaxMessageSize: return "maximum message size";
        case option::kRenewalTime: return "T1";
        case option::kRebindingTime: return "T2";
        case option::kClientId: return "client identifier";
        case option::kDomainSearch: return "domain search";
        case option::kClasslessRoutes: return "classless static routes";
        case option::kMsClasslessRoutes: return "Microsoft classless static routes";
        default: return "unknown";
    }
}

Error option_error(uint8_t code, const std::string& what) {
    return Error{"option " + std::to_string(code) + " (" + option_name(code) + "): " + what};
}

Error length_error(uint8_t code, size_t got, const std::string& expected) {
    return option_error(code, "length " + std::to_string(got) + ", expected " + expected);
}

// The data of a fixed-size option, or an error when its length is not `size`.
Result<const std::vector<uint8_t>*> fixed(const Options& options, uint8_t code, size_t size) {
    const auto* data = options.find(code);
    if (data != nullptr && data->size() != size) return length_error(code, data->size(), std::to_string(size));
    return data;
}

uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

// Reads one possibly compressed name of option 119 starting at `pos`; moves `pos` past it.
Result<std::string> read_name(const std::vector<uint8_t>& data, size_t& pos) {
    auto fail = [](size_t at, const std::string& what) {
        return option_error(option::kDomainSearch, "at offset " + std::to_string(at) + ": " + what);
    };
    std::string name;
    size_t wire = 1;     // the root byte
    size_t limit = pos;  // every pointer must land before this: no loop can form
    bool jumped = false;
    for (size_t p = pos;;) {
        if (p >= data.size()) return fail(p, "the name runs past the end of the option");
        uint8_t len = data[p];
        if (len == 0) {
            if (!jumped) pos = p + 1;
            return name;
        }
        if ((len & kPointerBits) == kPointerBits) {
            if (p + 1 >= data.size()) return fail(p, "compression pointer cut off");
            size_t target = static_cast<size_t>(len & ~kPointerBits) << 8 | data[p + 1];
            if (target >= limit)
                return fail(p, "compression pointer to offset " + std::to_string(target) +
                                   " does not point back before offset " + std::to_string(limit) + " (a loop)");
            if (!jumped) pos = p + 2;
            jumped = true;
            limit = target;
            p = target;
            continue;
        }
        if ((len & kPointerBits) != 0) return fail(p, "label type " + std::to_string(len >> 6) + " is reserved");
        if (p + 1 + len > data.size()) return fail(p, "label of " + std::to_string(len) + " bytes runs past the end");
        wire += 1 + len;
        if (wire > kMaxWireName) return fail(p, "name longer than 255 bytes");
        if (!name.empty()) name += '.';
        name.append(data.begin() + static_cast<long>(p + 1), data.begin() + static_cast<long>(p + 1 + len));
        p += 1 + len;
    }
}

void put_ip(std::vector<uint8_t>& out, const state::IpAddress& ip) {
    out.insert(out.end(), ip.bytes.begin(), ip.bytes.begin() + 4);
}

}  // namespace

std::string message_type_name(MessageType type) {
    static constexpr std::array<const char*, 9> names = {nullptr,       "DHCPDISCOVER", "DHCPOFFER",
                                                         "DHCPREQUEST", "DHCPDECLINE",  "DHCPACK",
                                                         "DHCPNAK",     "DHCPRELEASE",  "DHCPINFORM"};
    auto value = static_cast<size_t>(type);
    if (value >= 1 && value < names.size()) return names[value];
    return "DHCP message type " + std::to_string(value);
}

Result<std::optional<MessageType>> message_type(const Options& options) {
    auto data = fixed(options, option::kMessageType, 1);
    if (!data) return Error{data.error()};
    if (*data == nullptr) return std::optional<MessageType>{};
    return std::optional<MessageType>{static_cast<MessageType>((**data)[0])};
}

Result<std::optional<uint8_t>> subnet_prefix(const Options& options) {
    auto data = fixed(options, option::kSubnetMask, 4);
    if (!data) return Error{data.error()};
    if (*data == nullptr) return std::optional<uint8_t>{};
    uint32_t mask = be32((*data)->data());
    uint8_t length = 0;
    while (length < 32 && (mask & (0x80000000u >> length))) ++length;
    if (length < 32 && (mask << length) != 0)
        return option_error(option::kSubnetMask, ipv4_text(**data) + " is not a contiguous mask");
    return std::optional<uint8_t>{length};
}

Result<std::vector<state::IpAddress>> address_list(const Options& options, uint8_t code) {
    std::vector<state::IpAddress> ips;
    const auto* data = options.find(code);
    if (data == nullptr) return ips;
    if (data->empty() || data->size() % 4 != 0) return length_error(code, data->size(), "a multiple of 4");
    for (size_t i = 0; i < data->size(); i += 4) ips.push_back(ipv4_from_bytes(data->data() + i));
    return ips;
}

Result<std::optional<state::IpAddress>> address(const Options& options, uint8_t code) {
    auto data = fixed(options, code, 4);
    if (!data) return Error{data.error()};
    if (*data == nullptr) return std::optional<state::IpAddress>{};
    return std::optional<state::IpAddress>{ipv4_from_bytes((*data)->data())};
}

Result<std::optional<uint32_t>> time_seconds(const Options& options, uint8_t code) {
    auto data = fixed(options, code, 4);
    if (!data) return Error{data.error()};
    if (*data == nullptr) return std::optional<uint32_t>{};
    return std::optional<uint32_t>{be32((*data)->data())};
}

namespace {
Result<std::optional<uint16_t>> at_least(const Options& options, uint8_t code, uint16_t minimum) {
    auto data = fixed(options, code, 2);
    if (!data) return Error{data.error()};
    if (*data == nullptr) return std::optional<uint16_t>{};
    auto value = static_cast<uint16_t>((**data)[0] << 8 | (**data)[1]);
    if (value < minimum)
        return option_error(code, std::to_string(value) + " is below the minimum " + std::to_string(minimum));
    return std::optional<uint16_t>{value};
}
}  // namespace

Result<std::optional<uint16_t>> interface_mtu(const Options& options) {
    return at_least(options, option::kInterfaceMtu, kMinMtu);
}

Result<std::optional<uint16_t>> max_message_size(const Options& options) {
    return at_least(options, option::kMaxMessageSize, kMinMessageSize);
}

Result<std::optional<std::string>> text(const Options& options, uint8_t code) {
    const auto* data = options.find(code);
    if (data == nullptr) return std::optional<std::string>{};
    std::string value(data->begin(), data->end());
    // Some servers count a C string's terminator in the length (Talos trims these too).
    while (!value.empty() && value.back() == '\0') value.pop_back();
    if (value.empty()) return option_error(code, "empty");
    return std::optional<std::string>{std::move(value)};
}

std::vector<uint8_t> parameter_request_list(const Options& options) {
    const auto* data = options.find(option::kParameterRequestList);
    return data ? *data : std::vector<uint8_t>{};
}

Result<std::optional<std::vector<uint8_t>>> client_id(const Options& options) {
    const auto* data = options.find(option::kClientId);
    if (data == nullptr) return std::optional<std::vector<uint8_t>>{};
    if (data->size() < 2) return length_error(option::kClientId, data->size(), "at least 2");
    return std::optional<std::vector<uint8_t>>{*data};
}

Result<std::vector<std::string>> domain_search(const Options& options) {
    std::vector<std::string> names;
    const auto* data = options.find(option::kDomainSearch);
    if (data == nullptr) return names;
    for (size_t pos = 0; pos < data->size();) {
        auto name = read_name(*data, pos);
        if (!name) return Error{name.error()};
        names.push_back(std::move(*name));
    }
    return names;
}

Result<std::vector<ClasslessRoute>> classless_routes(const Options& options, uint8_t code) {
    std::vector<ClasslessRoute> routes;
    const auto* data = options.find(code);
    if (data == nullptr) return routes;
    if (data->empty()) return length_error(code, 0, "at least 5");
    for (size_t i = 0; i < data->size();) {
        uint8_t width = (*data)[i];
        if (width > 32)
            return option_error(code, "route at offset " + std::to_string(i) + ": prefix length " +
                                          std::to_string(width) + " is more than 32");
        size_t significant = (width + 7u) / 8u;
        size_t need = 1 + significant + 4;
        if (i + need > data->size())
            return option_error(code, "route at offset " + std::to_string(i) + ": /" + std::to_string(width) +
                                          " needs " + std::to_string(need) + " bytes, " +
                                          std::to_string(data->size() - i) + " left");
        state::IpAddress destination = ipv4(0, 0, 0, 0);
        std::copy_n(data->begin() + static_cast<long>(i + 1), significant, destination.bytes.begin());
        // Host bits past the prefix are meaningless (RFC 3442 §2); cleared so routes compare equal.
        ClasslessRoute route{state::IpPrefix{destination, width}.masked(),
                             ipv4_from_bytes(data->data() + i + 1 + significant)};
        routes.push_back(route);
        i += need;
    }
    return routes;
}

void set_message_type(Options& options, MessageType type) {
    options.set(option::kMessageType, {static_cast<uint8_t>(type)});
}

void set_subnet_prefix(Options& options, uint8_t length) {
    uint32_t mask = length == 0 ? 0 : 0xFFFFFFFFu << (32 - std::min<uint8_t>(length, 32));
    set_u32(options, option::kSubnetMask, mask);
}

void set_address(Options& options, uint8_t code, const state::IpAddress& ip) { set_address_list(options, code, {ip}); }

void set_address_list(Options& options, uint8_t code, const std::vector<state::IpAddress>& ips) {
    std::vector<uint8_t> data;
    for (const auto& ip : ips) put_ip(data, ip);
    options.set(code, std::move(data));
}

void set_u32(Options& options, uint8_t code, uint32_t value) {
    options.set(code, {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                       static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)});
}

void set_u16(Options& options, uint8_t code, uint16_t value) {
    options.set(code, {static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)});
}

void set_text(Options& options, uint8_t code, std::string_view value) {
    options.set(code, std::vector<uint8_t>(value.begin(), value.end()));
}

void set_classless_routes(Options& options, uint8_t code, const std::vector<ClasslessRoute>& routes) {
    std::vector<uint8_t> data;
    for (const auto& route : routes) {
        uint8_t width = std::min<uint8_t>(route.destination.len, 32);
        data.push_back(width);
        auto network = state::IpPrefix{route.destination.addr, width}.masked().addr;
        data.insert(data.end(), network.bytes.begin(), network.bytes.begin() + (width + 7) / 8);
        put_ip(data, route.gateway);
    }
    options.set(code, std::move(data));
}

std::vector<uint8_t> encode_domain_search(const std::vector<std::string>& names) {
    std::vector<uint8_t> out;
    std::map<std::string, size_t> written;  // suffix ("b.example") → offset of its first label
    for (const auto& full : names) {
        std::string_view rest = full;
        if (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
        bool pointed = false;
        while (!rest.empty()) {
            if (auto it = written.find(std::string(rest)); it != written.end() && it->second < 0x4000) {
                out.push_back(static_cast<uint8_t>(kPointerBits | it->second >> 8));
                out.push_back(static_cast<uint8_t>(it->second));
                pointed = true;
                break;
            }
            written.emplace(std::string(rest), out.size());
            size_t dot = rest.find('.');
            std::string_view label = rest.substr(0, dot);
            out.push_back(static_cast<uint8_t>(std::min(label.size(), dns::kMaxLabel)));
            out.insert(out.end(), label.begin(), label.begin() + static_cast<long>(std::min(label.size(), dns::kMaxLabel)));
            rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
        }
        if (!pointed) out.push_back(0);
    }
    return out;
}

}  // namespace nodenet::dhcp
