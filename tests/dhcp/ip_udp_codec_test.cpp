// IPv4/UDP framing of the DHCP client's packet socket: exact bytes (checksums computed by an
// independent implementation), round trips, and every malformed frame refused with its reason.
#include "dhcp/ip_udp_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/dhcp/dhcp4_bytes.h"

namespace nodenet::dhcp {
namespace {

const std::vector<uint8_t> kPayload = {1, 2, 3, 4, 5};

// 0.0.0.0:68 -> 255.255.255.255:67 carrying kPayload, checksums from a separate implementation.
const std::vector<uint8_t> kBroadcastFrame = {
    0x45, 0xc0, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x7a, 0x0d, 0x00, 0x00, 0x00, 0x00, 0xff,
    0xff, 0xff, 0xff, 0x00, 0x44, 0x00, 0x43, 0x00, 0x0d, 0xf6, 0x47, 0x01, 0x02, 0x03, 0x04, 0x05};
// 10.77.0.57:68 -> 10.77.0.1:67, the same payload.
const std::vector<uint8_t> kUnicastFrame = {
    0x45, 0xc0, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x65, 0x39, 0x0a, 0x4d, 0x00, 0x39, 0x0a,
    0x4d, 0x00, 0x01, 0x00, 0x44, 0x00, 0x43, 0x00, 0x0d, 0xe1, 0x73, 0x01, 0x02, 0x03, 0x04, 0x05};

// A frame addressed to the client (ports swapped), as a server's reply.
std::vector<uint8_t> reply_frame(const std::vector<uint8_t>& payload = kPayload) {
    auto frame = build_udp_frame(payload, UdpEndpoints{ipv4(10, 77, 0, 1), kServerPort, ipv4(10, 77, 0, 57), kClientPort});
    EXPECT_TRUE(frame.ok());
    return frame.ok() ? *frame : std::vector<uint8_t>{};
}

void fix_header_checksum(std::vector<uint8_t>& frame) {
    size_t header = size_t{frame[0] & 0x0Fu} * 4;
    frame[10] = frame[11] = 0;
    uint16_t sum = internet_checksum(std::span(frame).first(header));
    frame[10] = static_cast<uint8_t>(sum >> 8);
    frame[11] = static_cast<uint8_t>(sum);
}

std::string parse_error(const std::vector<uint8_t>& frame, bool verify = true) {
    auto d = parse_udp_frame(frame, kClientPort, verify);
    EXPECT_FALSE(d.ok());
    return d.ok() ? std::string() : d.error();
}

TEST(DhcpIpUdpCodec, ChecksumOfRfc1071Example) {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
    EXPECT_EQ(internet_checksum(std::vector<uint8_t>{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}), 0x220d);
    EXPECT_EQ(internet_checksum(std::vector<uint8_t>{0x01}), 0xfeff);  // an odd byte is padded with zero
}

TEST(DhcpIpUdpCodec, BuildsBroadcastFrameByteForByte) {
    auto frame = build_udp_frame(kPayload, UdpEndpoints{});
    ASSERT_TRUE(frame.ok()) << frame.error();
    EXPECT_EQ(*frame, kBroadcastFrame);
}

TEST(DhcpIpUdpCodec, BuildsUnicastFrameFromTheLeasedAddress) {
    auto frame = build_udp_frame(kPayload, UdpEndpoints{ipv4(10, 77, 0, 57), kClientPort, ipv4(10, 77, 0, 1), kServerPort});
    ASSERT_TRUE(frame.ok()) << frame.error();
    EXPECT_EQ(*frame, kUnicastFrame);
}

TEST(DhcpIpUdpCodec, RefusesWhatCannotBeFramed) {
    std::vector<uint8_t> huge(kMaxPacketSize + 1, 0);
    auto big = build_udp_frame(huge, UdpEndpoints{});
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error(), "IPv4/UDP frame: a payload of 65508 bytes does not fit one datagram");
    EXPECT_TRUE(build_udp_frame(std::vector<uint8_t>(kMaxPacketSize, 0), UdpEndpoints{}).ok());
    UdpEndpoints v6;
    v6.destination = *state::parse_ip_address("ff02::1:2");
    EXPECT_FALSE(build_udp_frame(kPayload, v6).ok());
}

TEST(DhcpIpUdpCodec, ParsesWhatItBuilds) {
    std::vector<uint8_t> offer = testing::sample_offer();
    std::vector<uint8_t> frame = reply_frame(offer);
    auto d = parse_udp_frame(frame, kClientPort);
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(d->endpoints, (UdpEndpoints{ipv4(10, 77, 0, 1), kServerPort, ipv4(10, 77, 0, 57), kClientPort}));
    EXPECT_EQ(std::vector<uint8_t>(d->payload.begin(), d->payload.end()), offer);
    auto m = decode(d->payload);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->yiaddr, ipv4(192, 168, 0, 10));
}

TEST(DhcpIpUdpCodec, IgnoresEthernetPaddingAfterTheDatagram) {
    std::vector<uint8_t> frame = reply_frame();
    frame.resize(60, 0);  // the minimum Ethernet payload, zero-padded by the sender's driver
    auto d = parse_udp_frame(frame, kClientPort);
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(std::vector<uint8_t>(d->payload.begin(), d->payload.end()), kPayload);
}

TEST(DhcpIpUdpCodec, SkipsIpOptions) {
    std::vector<uint8_t> frame = reply_frame();
    frame.insert(frame.begin() + kIpv4HeaderSize, {0x01, 0x01, 0x01, 0x00});  // NOP NOP NOP End
    frame[0] = 0x46;
    frame[3] = static_cast<uint8_t>(frame.size());
    fix_header_checksum(frame);
    auto d = parse_udp_frame(frame, kClientPort);
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(std::vector<uint8_t>(d->payload.begin(), d->payload.end()), kPayload);
}

TEST(DhcpIpUdpCodec, ZeroUdpChecksumMeansNone) {
    std::vector<uint8_t> frame = reply_frame();
    frame[26] = frame[27] = 0;
    EXPECT_TRUE(parse_udp_frame(frame, kClientPort).ok());
}

TEST(DhcpIpUdpCodec, UnfinishedOffloadChecksumIsSkippedWhenTold) {
    std::vector<uint8_t> frame = reply_frame();
    frame[26] ^= 0x5A;  // what a veth peer's CHECKSUM_PARTIAL leaves: a partial sum, not a checksum
    EXPECT_EQ(parse_error(frame), "IPv4/UDP frame: wrong UDP checksum");
    EXPECT_TRUE(parse_udp_frame(frame, kClientPort, false).ok());
}

TEST(DhcpIpUdpCodec, RefusesMalformedHeaders) {
    std::vector<uint8_t> good = reply_frame();
    EXPECT_EQ(parse_error({good.begin(), good.begin() + 19}), "IPv4/UDP frame: 19 bytes, shorter than an IPv4 header");

    auto v6 = good;
    v6[0] = 0x65;
    EXPECT_EQ(parse_error(v6), "IPv4/UDP frame: IP version 6, not 4");

    auto short_ihl = good;
    short_ihl[0] = 0x44;
    EXPECT_EQ(parse_error(short_ihl), "IPv4/UDP frame: header length 16 does not fit 33 bytes");
    auto long_ihl = good;
    long_ihl[0] = 0x4F;
    EXPECT_EQ(parse_error(long_ihl), "IPv4/UDP frame: header length 60 does not fit 33 bytes");

    auto bad_sum = good;
    bad_sum[8] = 63;  // TTL changed after the checksum was computed
    EXPECT_EQ(parse_error(bad_sum), "IPv4/UDP frame: wrong IPv4 header checksum");
}

TEST(DhcpIpUdpCodec, RefusesWrongLengths) {
    std::vector<uint8_t> good = reply_frame();
    auto too_long = good;
    too_long[3] = 34;
    fix_header_checksum(too_long);
    EXPECT_EQ(parse_error(too_long), "IPv4/UDP frame: total length 34 does not fit 33 bytes with a UDP header");
    auto too_short = good;
    too_short[3] = 27;
    fix_header_checksum(too_short);
    EXPECT_EQ(parse_error(too_short), "IPv4/UDP frame: total length 27 does not fit 33 bytes with a UDP header");

    auto udp_short = good;
    udp_short[25] = 7;
    EXPECT_EQ(parse_error(udp_short), "IPv4/UDP frame: UDP length 7 does not fit the 13 bytes after the IPv4 header");
    auto udp_long = good;
    udp_long[25] = 14;
    EXPECT_EQ(parse_error(udp_long), "IPv4/UDP frame: UDP length 14 does not fit the 13 bytes after the IPv4 header");
}

TEST(DhcpIpUdpCodec, RefusesFragmentsOtherProtocolsAndPorts) {
    std::vector<uint8_t> good = reply_frame();
    auto more_fragments = good;
    more_fragments[6] = 0x20;
    fix_header_checksum(more_fragments);
    EXPECT_EQ(parse_error(more_fragments), "IPv4/UDP frame: a fragment (refused)");
    auto later_fragment = good;
    later_fragment[7] = 0x01;
    fix_header_checksum(later_fragment);
    EXPECT_EQ(parse_error(later_fragment), "IPv4/UDP frame: a fragment (refused)");
    auto dont_fragment = good;
    dont_fragment[6] = 0x40;  // DF is no fragment
    fix_header_checksum(dont_fragment);
    EXPECT_TRUE(parse_udp_frame(dont_fragment, kClientPort).ok());

    auto tcp = good;
    tcp[9] = 6;
    fix_header_checksum(tcp);
    EXPECT_EQ(parse_error(tcp), "IPv4/UDP frame: IP protocol 6, not UDP");

    auto d = parse_udp_frame(good, kServerPort);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error(), "IPv4/UDP frame: UDP port 68, not 67");
}

TEST(DhcpIpUdpCodec, RefusesCorruptedPayload) {
    std::vector<uint8_t> frame = reply_frame();
    frame.back() ^= 0x01;
    EXPECT_EQ(parse_error(frame), "IPv4/UDP frame: wrong UDP checksum");
}

}  // namespace
}  // namespace nodenet::dhcp
