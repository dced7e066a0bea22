// Typed access to the DHCPv4 options nodenet requests and honours (RFC 2132, RFC 3397, RFC 3442),
// and the builders for the ones it sends. No I/O.
//
// Every accessor tells three cases apart: absent (nullopt or an empty list), present and well
// formed, and present but malformed (an Error naming the option and the fault), so that a caller
// can ignore one bad option with a warning instead of refusing the whole message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dhcp/dhcp4_codec.h"
#include "dns/dns_name.h"
#include "state/ip.h"

namespace nodenet::dhcp {

namespace option {
constexpr uint8_t kSubnetMask = 1;
constexpr uint8_t kRouter = 3;
constexpr uint8_t kDnsServers = 6;
constexpr uint8_t kHostname = 12;
constexpr uint8_t kDomainName = 15;
constexpr uint8_t kInterfaceMtu = 26;
constexpr uint8_t kBroadcastAddress = 28;
constexpr uint8_t kNtpServers = 42;
constexpr uint8_t kRequestedIp = 50;
constexpr uint8_t kLeaseTime = 51;
constexpr uint8_t kMessageType = 53;
constexpr uint8_t kServerId = 54;
constexpr uint8_t kParameterRequestList = 55;
constexpr uint8_t kMaxMessageSize = 57;
constexpr uint8_t kRenewalTime = 58;    // T1
constexpr uint8_t kRebindingTime = 59;  // T2
constexpr uint8_t kClientId = 61;
constexpr uint8_t kDomainSearch = 119;
constexpr uint8_t kClasslessRoutes = 121;
constexpr uint8_t kMsClasslessRoutes = 249;  // Microsoft's number for the same format, before RFC 3442
}  // namespace option

constexpr uint32_t kInfiniteTime = 0xFFFFFFFF;  // a lease, T1 or T2 that never runs out
constexpr uint16_t kMinMtu = 576;               // RFC 2132 §5.1 and §9.10: smaller values are invalid
constexpr uint16_t kMinMessageSize = 576;

enum class MessageType : uint8_t {
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8,
};
// "DHCPOFFER"; "DHCP message type 42" for values RFC 2132 does not name.
std::string message_type_name(MessageType type);

// One RFC 3442 route. A gateway of 0.0.0.0 means the destination is on the link.
struct ClasslessRoute {
    state::IpPrefix destination;  // host bits cleared
    state::IpAddress gateway;
    auto operator<=>(const ClasslessRoute&) const = default;
};

// --- accessors -----------------------------------------------------------------------------------

Result<std::optional<MessageType>> message_type(const Options& options);
// Option 1 as a prefix length; a mask whose one-bits are not contiguous is an error.
Result<std::optional<uint8_t>> subnet_prefix(const Options& options);
// Lists of addresses (3, 6, 42): empty when absent; at least one address when present.
Result<std::vector<state::IpAddress>> address_list(const Options& options, uint8_t code);
Result<std::optional<state::IpAddress>> address(const Options& options, uint8_t code);  // 28, 50, 54
// Durations in seconds (51, 58, 59); kInfiniteTime means forever.
Result<std::optional<uint32_t>> time_seconds(const Options& options, uint8_t code);
// 26 and 57: a value below 576 is an error (RFC 2132 §5.1, §9.10), so that it is ignored.
Result<std::optional<uint16_t>> interface_mtu(const Options& options);
Result<std::optional<uint16_t>> max_message_size(const Options& options);
// Names as the network sent them (12, 15), only trailing NULs removed: check them with
// valid_dns_name() before they reach a file or the kernel.
Result<std::optional<std::string>> text(const Options& options, uint8_t code);
// 55: the codes, in order.
std::vector<uint8_t> parameter_request_list(const Options& options);
// 61: at least 2 bytes (type and identifier, RFC 2132 §9.14).
Result<std::optional<std::vector<uint8_t>>> client_id(const Options& options);
// 119: the names in order, labels joined with dots, raw bytes. RFC 1035 compression is followed
// only backwards, each pointer before the previous target, so a pointer loop is an error, not a hang.
Result<std::vector<std::string>> domain_search(const Options& options);
// 121 or 249: empty when absent. A prefix length over 32 or a truncated entry is an error.
Result<std::vector<ClasslessRoute>> classless_routes(const Options& options, uint8_t code);

using dns::valid_dns_name;  // every name from the network passes it (dns/dns_name.h)

// --- builders ------------------------------------------------------------------------------------

void set_message_type(Options& options, MessageType type);
void set_subnet_prefix(Options& options, uint8_t length);
void set_address(Options& options, uint8_t code, const state::IpAddress& ip);
void set_address_list(Options& options, uint8_t code, const std::vector<state::IpAddress>& ips);
void set_u32(Options& options, uint8_t code, uint32_t value);
void set_u16(Options& options, uint8_t code, uint16_t value);
void set_text(Options& options, uint8_t code, std::string_view value);
void set_classless_routes(Options& options, uint8_t code, const std::vector<ClasslessRoute>& routes);
// RFC 1035 wire form with compression: a suffix already written is replaced by a pointer to it.
// Names must be valid (valid_dns_name); an empty name is the root.
std::vector<uint8_t> encode_domain_search(const std::vector<std::string>& names);

}  // namespace nodenet::dhcp
