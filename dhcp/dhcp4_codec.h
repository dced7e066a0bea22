// The byte level of DHCPv4 (RFC 2131, RFC 2132, RFC 3396): a BOOTP message as a value, its encoding
// and a decoding that survives any bytes a network can deliver. No I/O.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "state/ip.h"

namespace nodenet::dhcp {

constexpr size_t kBootpHeaderSize = 236;  // op … file, before the magic cookie
constexpr size_t kOptionsOffset = 240;    // after the magic cookie
constexpr size_t kMinPacketSize = 300;    // BOOTP's minimum (RFC 1542 §2.1): some relays drop shorter
constexpr size_t kMaxPacketSize = 65507;  // the largest UDP payload an IPv4 datagram carries
constexpr size_t kSnameSize = 64;
constexpr size_t kFileSize = 128;
constexpr size_t kChaddrSize = 16;
constexpr std::array<uint8_t, 4> kMagicCookie = {99, 130, 83, 99};

constexpr uint8_t kBootRequest = 1;
constexpr uint8_t kBootReply = 2;
constexpr uint8_t kHtypeEthernet = 1;
constexpr uint16_t kBroadcastFlag = 0x8000;

constexpr uint8_t kOptionPad = 0;
constexpr uint8_t kOptionOverload = 52;
constexpr uint8_t kOptionEnd = 255;

struct Option {
    uint8_t code = 0;
    std::vector<uint8_t> data;
    bool operator==(const Option&) const = default;
};

// The options of a message in order of first appearance. An option that appears several times is
// one option whose data is the concatenation of every instance (RFC 3396), so long options (121,
// 119) are whole here however the sender split them.
class Options {
public:
    const std::vector<uint8_t>* find(uint8_t code) const;
    bool has(uint8_t code) const { return find(code) != nullptr; }
    void set(uint8_t code, std::vector<uint8_t> data);         // replaces, keeping the position
    void append(uint8_t code, std::span<const uint8_t> data);  // concatenates (RFC 3396)
    void erase(uint8_t code);
    const std::vector<Option>& items() const { return items_; }
    bool operator==(const Options&) const = default;

private:
    std::vector<Option> items_;
};

struct Message {
    uint8_t op = kBootRequest;
    uint8_t htype = kHtypeEthernet;
    uint8_t hlen = 6;
    uint8_t hops = 0;
    uint32_t xid = 0;
    uint16_t secs = 0;
    uint16_t flags = 0;
    state::IpAddress ciaddr;  // IPv4 only, as every address of this module
    state::IpAddress yiaddr;
    state::IpAddress siaddr;
    state::IpAddress giaddr;
    std::array<uint8_t, kChaddrSize> chaddr{};
    // Up to the first NUL. Empty when the field carries options (overload, option 52): those are in
    // `options`, merged as RFC 3396 says.
    std::string sname;
    std::string file;
    Options options;

    bool broadcast() const { return (flags & kBroadcastFlag) != 0; }
    void set_broadcast(bool on) { flags = on ? (flags | kBroadcastFlag) : (flags & ~kBroadcastFlag); }
    // The first hlen bytes of chaddr (decode guarantees hlen <= 16).
    std::span<const uint8_t> hardware_address() const { return {chaddr.data(), std::min<size_t>(hlen, kChaddrSize)}; }
    bool operator==(const Message&) const = default;
};

// An IPv4 address from 4 bytes in network order, and back.
state::IpAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
state::IpAddress ipv4_from_bytes(const uint8_t* bytes);
// "99.130.83.99"
std::string ipv4_text(std::span<const uint8_t> four);

// The wire form: header, magic cookie, options (each longer than 255 bytes split into instances,
// RFC 3396), End, zero padding up to 300 bytes. Options 0, 52 and 255 are wire markers and are not
// written from `options`; sname and file longer than their fields are cut to fit.
std::vector<uint8_t> encode(const Message& message);

// Any bytes to a message, or an error naming what is wrong and at which byte. Options come from the
// options field, then `file`, then `sname` when option 52 says they are overloaded (RFC 2131 §4.1);
// bytes after End are padding. A missing End at the end of a field is accepted.
Result<Message> decode(std::span<const uint8_t> bytes);

}  // namespace nodenet::dhcp
