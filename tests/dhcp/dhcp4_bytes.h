// Hand-assembled DHCPv4 packets for the dhcp tests: a header written field by field, then the
// magic cookie and options given as raw bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace nodenet::dhcp::testing {

struct Header {
    uint8_t op = 2;
    uint8_t hlen = 6;
    uint32_t xid = 0x00003d1d;
    uint32_t ciaddr = 0;
    uint32_t yiaddr = 0;
    uint32_t siaddr = 0;
    std::vector<uint8_t> chaddr = {0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42};
};

inline void put32(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// The 236-byte BOOTP header (sname and file zero).
inline std::vector<uint8_t> header(const Header& h = {}) {
    std::vector<uint8_t> out = {h.op, 0x01, h.hlen, 0x00};
    put32(out, h.xid);
    out.insert(out.end(), {0x00, 0x00, 0x00, 0x00});  // secs, flags
    put32(out, h.ciaddr);
    put32(out, h.yiaddr);
    put32(out, h.siaddr);
    put32(out, 0);  // giaddr
    std::vector<uint8_t> chaddr = h.chaddr;
    chaddr.resize(16, 0);
    out.insert(out.end(), chaddr.begin(), chaddr.end());
    out.resize(236, 0);  // sname, file
    return out;
}

// Header + magic cookie + `options` as given (End and padding included by the caller).
inline std::vector<uint8_t> packet(std::initializer_list<uint8_t> options, const Header& h = {}) {
    std::vector<uint8_t> out = header(h);
    out.insert(out.end(), {99, 130, 83, 99});
    out.insert(out.end(), options);
    return out;
}

// The DHCPOFFER of Wireshark's classic dhcp.pcap sample, byte for byte: server 192.168.0.1 offers
// 192.168.0.10 to 00:0b:82:01:fc:42, xid 0x00003d1d, with mask, T1, T2, lease time and server id.
inline std::vector<uint8_t> sample_offer() {
    std::vector<uint8_t> out = {
        0x02, 0x01, 0x06, 0x00, 0x00, 0x00, 0x3d, 0x1d,  // op, htype, hlen, hops, xid
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // secs, flags, ciaddr
        0xc0, 0xa8, 0x00, 0x0a, 0xc0, 0xa8, 0x00, 0x01,  // yiaddr 192.168.0.10, siaddr 192.168.0.1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x82, 0x01,  // giaddr, chaddr
        0xfc, 0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
        0x00, 0x00, 0x00, 0x00,                          // chaddr padding
    };
    out.resize(236, 0);  // sname, file
    std::vector<uint8_t> options = {
        0x63, 0x82, 0x53, 0x63,              // magic cookie
        0x35, 0x01, 0x02,                    // 53: DHCPOFFER
        0x01, 0x04, 0xff, 0xff, 0xff, 0x00,  // 1: 255.255.255.0
        0x3a, 0x04, 0x00, 0x00, 0x07, 0x08,  // 58: T1 1800
        0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e,  // 59: T2 3150
        0x33, 0x04, 0x00, 0x00, 0x0e, 0x10,  // 51: lease 3600
        0x36, 0x04, 0xc0, 0xa8, 0x00, 0x01,  // 54: server 192.168.0.1
        0xff,                                // End
    };
    out.insert(out.end(), options.begin(), options.end());
    out.resize(300, 0);  // padding, as on the wire
    return out;
}

}  // namespace nodenet::dhcp::testing
