// The byte level of DHCPv6 (RFC 8415 §8, §21): a client/server message as a value, its options
// as a flat list of TLVs, the option formats nodenet reads and sends (IA_NA, IA Address, Status
// Code, DUIDs, DNS servers, domain list), and decoders that survive any bytes a network delivers.
// No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "state/ip.h"

namespace nodenet::dhcp::v6 {

constexpr uint16_t kClientPort = 546;
constexpr uint16_t kServerPort = 547;
constexpr uint32_t kInfinity = 0xFFFFFFFF;  // a lifetime, T1 or T2 that never runs out
constexpr size_t kMaxDuidSize = 130;        // type (2) and up to 128 bytes (RFC 8415 §11.1)

enum class MessageType : uint8_t {
    Solicit = 1,
    Advertise = 2,
    Request = 3,
    Confirm = 4,
    Renew = 5,
    Rebind = 6,
    Reply = 7,
    Release = 8,
    Decline = 9,
    Reconfigure = 10,
    InformationRequest = 11,
    RelayForward = 12,
    RelayReply = 13,
};
// "SOLICIT"; "message type 42" for values RFC 8415 does not name.
std::string message_type_name(MessageType type);

namespace option {
constexpr uint16_t kClientId = 1;
constexpr uint16_t kServerId = 2;
constexpr uint16_t kIaNa = 3;
constexpr uint16_t kIaAddress = 5;
constexpr uint16_t kOptionRequest = 6;
constexpr uint16_t kPreference = 7;
constexpr uint16_t kElapsedTime = 8;
constexpr uint16_t kStatusCode = 13;
constexpr uint16_t kRapidCommit = 14;
constexpr uint16_t kDnsServers = 23;  // RFC 3646
constexpr uint16_t kDomainList = 24;
constexpr uint16_t kSolMaxRt = 82;
}  // namespace option

enum class StatusCode : uint16_t {
    Success = 0,
    UnspecFail = 1,
    NoAddrsAvail = 2,
    NoBinding = 3,
    NotOnLink = 4,
    UseMulticast = 5,
};
std::string status_name(uint16_t code);

struct Option {
    uint16_t code = 0;
    std::vector<uint8_t> data;
    bool operator==(const Option&) const = default;
};

struct Message {
    MessageType type = MessageType::Solicit;
    uint32_t xid = 0;  // 24 bits
    std::vector<Option> options;  // in wire order; an option may appear more than once (IA_NA)

    const std::vector<uint8_t>* find(uint16_t code) const;  // the first instance
    bool has(uint16_t code) const { return find(code) != nullptr; }
    void add(uint16_t code, std::vector<uint8_t> data) { options.push_back({code, std::move(data)}); }
    bool operator==(const Message&) const = default;
};

std::vector<uint8_t> encode(const Message& message);
// Any bytes to a message, or an error naming what is wrong and at which byte: shorter than the
// header, an option running past the end. Relay messages are refused: a client never gets one.
Result<Message> decode(std::span<const uint8_t> bytes);

// --- option formats ------------------------------------------------------------------------------

struct Status {
    uint16_t code = 0;
    std::string message;  // UTF-8 from the server: for logs only, after printable_ascii() (common/printable.h)
    bool ok() const { return code == static_cast<uint16_t>(StatusCode::Success); }
    bool operator==(const Status&) const = default;
};

struct IaAddress {
    state::IpAddress address;
    uint32_t preferred = 0;
    uint32_t valid = 0;
    std::optional<Status> status;
    bool operator==(const IaAddress&) const = default;
};

struct IaNa {
    uint32_t iaid = 0;
    uint32_t t1 = 0;
    uint32_t t2 = 0;
    std::vector<IaAddress> addresses;
    std::optional<Status> status;
    bool operator==(const IaNa&) const = default;
};

std::vector<uint8_t> encode_ia_na(const IaNa& ia);
// Every IA_NA of a message. A malformed IA_NA, or a malformed option inside one, is an error.
Result<std::vector<IaNa>> ia_nas(const Message& message);
// The message-level Status Code option; nullopt when absent (which means Success).
Result<std::optional<Status>> status(const Message& message);
std::vector<uint8_t> encode_status(const Status& status);
// Option 7; 0 when absent.
Result<uint8_t> preference(const Message& message);
// Option 23: at least one address, 16 bytes each.
Result<std::vector<state::IpAddress>> dns_servers(const Message& message);
// Option 24: uncompressed RFC 1035 names (RFC 8415 §10), raw: check with valid_dns_name() before use.
Result<std::vector<std::string>> domain_list(const Message& message);
// RFC 1035 wire form, no compression.
std::vector<uint8_t> encode_domain_list(const std::vector<std::string>& names);
std::vector<uint8_t> encode_address_list(const std::vector<state::IpAddress>& addresses);
std::vector<uint8_t> encode_option_request(const std::vector<uint16_t>& codes);
std::vector<uint8_t> encode_u16(uint16_t value);

// DUID-LL (RFC 8415 §11.4): type 3, hardware type 1 (Ethernet), the MAC. Stable across boots,
// unlike DUID-LLT, which changes whenever it is regenerated (Talos #10909).
std::vector<uint8_t> duid_ll(std::span<const uint8_t, 6> mac);
// "00:03:00:01:52:54:00:12:34:56"
std::string hex_colon(std::span<const uint8_t> bytes);

}  // namespace nodenet::dhcp::v6
