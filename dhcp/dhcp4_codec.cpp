#include "dhcp/dhcp4_codec.h"

#include <algorithm>

namespace nodenet::dhcp {

namespace {

constexpr size_t kSnameOffset = 44;
constexpr size_t kFileOffset = 108;
constexpr size_t kChaddrOffset = 28;
constexpr size_t kMaxOptionChunk = 255;

// Option overload (RFC 2132 §9.3): which of file and sname carry options.
constexpr uint8_t kOverloadFile = 1;
constexpr uint8_t kOverloadSname = 2;

Error packet_error(const std::string& what) { return Error{"DHCP packet: " + what}; }

uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t read_u32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
void put_u32(std::vector<uint8_t>& out, uint32_t v) {
    put_u16(out, static_cast<uint16_t>(v >> 16));
    put_u16(out, static_cast<uint16_t>(v));
}
void put_ip(std::vector<uint8_t>& out, const state::IpAddress& ip) {
    out.insert(out.end(), ip.bytes.begin(), ip.bytes.begin() + 4);
}

// A fixed-size field: the text, cut to the field, then zeros.
void put_field(std::vector<uint8_t>& out, const std::string& text, size_t size) {
    size_t n = std::min(text.size(), size);
    out.insert(out.end(), text.begin(), text.begin() + static_cast<long>(n));
    out.insert(out.end(), size - n, 0);
}

std::string read_field(std::span<const uint8_t> field) {
    auto nul = std::find(field.begin(), field.end(), uint8_t{0});
    return std::string(field.begin(), nul);
}

// One area holding options: the options field, or file / sname when overloaded.
struct Area {
    size_t begin;
    size_t end;
    const char* name;  // for errors
};

std::string where(uint8_t code, size_t at, const Area& area) {
    std::string text = "option " + std::to_string(code) + " at byte " + std::to_string(at);
    if (area.begin != kOptionsOffset) text += std::string(" (in the overloaded ") + area.name + " field)";
    return text;
}

// Appends every option of `area` to `options`; stops at End or at the end of the area.
Status read_area(std::span<const uint8_t> bytes, const Area& area, Options& options) {
    size_t i = area.begin;
    while (i < area.end) {
        uint8_t code = bytes[i];
        if (code == kOptionPad) {
            ++i;
            continue;
        }
        if (code == kOptionEnd) return success();
        if (i + 1 >= area.end)
            return packet_error(where(code, i, area) + ": truncated, the " + area.name +
                                " field ends before its length byte");
        size_t length = bytes[i + 1];
        size_t left = area.end - (i + 2);
        if (length > left)
            return packet_error(where(code, i, area) + ": length " + std::to_string(length) + " runs past the end (" +
                                std::to_string(left) + " bytes left)");
        options.append(code, bytes.subspan(i + 2, length));
        i += 2 + length;
    }
    return success();
}

// The value of option 52 as found in the options field: 0 when absent.
Result<uint8_t> overload_of(const Options& options) {
    const auto* data = options.find(kOptionOverload);
    if (data == nullptr) return uint8_t{0};
    if (data->size() != 1)
        return packet_error("option 52 (option overload): length " + std::to_string(data->size()) + ", expected 1");
    uint8_t value = (*data)[0];
    if (value < 1 || value > 3)
        return packet_error("option 52 (option overload): value " + std::to_string(value) +
                            " is not 1 (file), 2 (sname) or 3 (both)");
    return value;
}

Status check_frame(std::span<const uint8_t> bytes) {
    if (bytes.size() < kBootpHeaderSize)
        return packet_error(std::to_string(bytes.size()) + " bytes is shorter than the 236-byte BOOTP header");
    if (bytes.size() > kMaxPacketSize)
        return packet_error(std::to_string(bytes.size()) + " bytes is more than the " + std::to_string(kMaxPacketSize) +
                            " a UDP datagram carries");
    if (bytes.size() < kOptionsOffset)
        return packet_error("no magic cookie: the packet ends at byte " + std::to_string(bytes.size()) +
                            ", a BOOTP message without DHCP options");
    if (!std::equal(kMagicCookie.begin(), kMagicCookie.end(), bytes.begin() + kBootpHeaderSize))
        return packet_error("wrong magic cookie " + ipv4_text(bytes.subspan(kBootpHeaderSize, 4)) +
                            " at byte 236, expected 99.130.83.99");
    uint8_t hlen = bytes[2];
    if (hlen > kChaddrSize)
        return packet_error("hlen " + std::to_string(hlen) + " at byte 2 is more than the 16 bytes of chaddr");
    return success();
}

Message read_header(std::span<const uint8_t> bytes) {
    const uint8_t* p = bytes.data();
    Message m;
    m.op = p[0];
    m.htype = p[1];
    m.hlen = p[2];
    m.hops = p[3];
    m.xid = read_u32(p + 4);
    m.secs = read_u16(p + 8);
    m.flags = read_u16(p + 10);
    m.ciaddr = ipv4_from_bytes(p + 12);
    m.yiaddr = ipv4_from_bytes(p + 16);
    m.siaddr = ipv4_from_bytes(p + 20);
    m.giaddr = ipv4_from_bytes(p + 24);
    std::copy_n(p + kChaddrOffset, kChaddrSize, m.chaddr.begin());
    return m;
}

}  // namespace

const std::vector<uint8_t>* Options::find(uint8_t code) const {
    for (const auto& option : items_)
        if (option.code == code) return &option.data;
    return nullptr;
}

void Options::set(uint8_t code, std::vector<uint8_t> data) {
    for (auto& option : items_)
        if (option.code == code) {
            option.data = std::move(data);
            return;
        }
    items_.push_back(Option{code, std::move(data)});
}

void Options::append(uint8_t code, std::span<const uint8_t> data) {
    for (auto& option : items_)
        if (option.code == code) {
            option.data.insert(option.data.end(), data.begin(), data.end());
            return;
        }
    items_.push_back(Option{code, std::vector<uint8_t>(data.begin(), data.end())});
}

void Options::erase(uint8_t code) {
    std::erase_if(items_, [code](const Option& o) { return o.code == code; });
}

state::IpAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    state::IpAddress ip;
    ip.family = state::Family::V4;
    ip.bytes[0] = a;
    ip.bytes[1] = b;
    ip.bytes[2] = c;
    ip.bytes[3] = d;
    return ip;
}

state::IpAddress ipv4_from_bytes(const uint8_t* bytes) { return ipv4(bytes[0], bytes[1], bytes[2], bytes[3]); }

std::string ipv4_text(std::span<const uint8_t> four) {
    std::string text;
    for (size_t i = 0; i < four.size(); ++i) text += (i ? "." : "") + std::to_string(four[i]);
    return text;
}

std::vector<uint8_t> encode(const Message& m) {
    std::vector<uint8_t> out;
    out.reserve(kMinPacketSize);
    out.insert(out.end(), {m.op, m.htype, m.hlen, m.hops});
    put_u32(out, m.xid);
    put_u16(out, m.secs);
    put_u16(out, m.flags);
    for (const auto* ip : {&m.ciaddr, &m.yiaddr, &m.siaddr, &m.giaddr}) put_ip(out, *ip);
    out.insert(out.end(), m.chaddr.begin(), m.chaddr.end());
    put_field(out, m.sname, kSnameSize);
    put_field(out, m.file, kFileSize);
    out.insert(out.end(), kMagicCookie.begin(), kMagicCookie.end());
    for (const auto& option : m.options.items()) {
        if (option.code == kOptionPad || option.code == kOptionOverload || option.code == kOptionEnd) continue;
        size_t at = 0;
        do {  // an empty option is still one instance (rapid commit and friends have no data)
            size_t n = std::min(option.data.size() - at, kMaxOptionChunk);
            out.push_back(option.code);
            out.push_back(static_cast<uint8_t>(n));
            out.insert(out.end(), option.data.begin() + static_cast<long>(at),
                       option.data.begin() + static_cast<long>(at + n));
            at += n;
        } while (at < option.data.size());
    }
    out.push_back(kOptionEnd);
    if (out.size() < kMinPacketSize) out.resize(kMinPacketSize, 0);
    return out;
}

Result<Message> decode(std::span<const uint8_t> bytes) {
    if (auto frame = check_frame(bytes); !frame) return Error{frame.error()};
    Message m = read_header(bytes);

    Options options;
    if (auto s = read_area(bytes, {kOptionsOffset, bytes.size(), "options"}, options); !s) return Error{s.error()};
    auto overload = overload_of(options);
    if (!overload) return Error{overload.error()};

    // RFC 2131 §4.1: file first, then sname; the concatenation follows the same order (RFC 3396).
    auto file = bytes.subspan(kFileOffset, kFileSize);
    auto sname = bytes.subspan(kSnameOffset, kSnameSize);
    if (*overload & kOverloadFile) {
        if (auto s = read_area(bytes, {kFileOffset, kFileOffset + kFileSize, "file"}, options); !s)
            return Error{s.error()};
    } else {
        m.file = read_field(file);
    }
    if (*overload & kOverloadSname) {
        if (auto s = read_area(bytes, {kSnameOffset, kSnameOffset + kSnameSize, "sname"}, options); !s)
            return Error{s.error()};
    } else {
        m.sname = read_field(sname);
    }
    // A wire marker, not a parameter: the merged options no longer need it, and encode() never
    // overloads. An option 52 inside file or sname means nothing (it must be in the options field).
    options.erase(kOptionOverload);
    m.options = std::move(options);
    return m;
}

}  // namespace nodenet::dhcp
