// The DHCPv4 codec on hand-assembled bytes: a real OFFER, the exact layout of what nodenet sends,
// round trips, and every malformed packet the decoder must refuse or tolerate, by name.
#include "dhcp/dhcp4_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dhcp/dhcp4_options.h"
#include "tests/dhcp/dhcp4_bytes.h"

namespace nodenet::dhcp {
namespace {

using testing::Header;
using testing::packet;

std::string decode_error(const std::vector<uint8_t>& bytes) {
    auto m = decode(bytes);
    EXPECT_FALSE(m.ok());
    return m.ok() ? std::string() : m.error();
}

std::vector<uint8_t> data(const Message& m, uint8_t code) {
    const auto* d = m.options.find(code);
    return d ? *d : std::vector<uint8_t>{};
}

TEST(Dhcp4Codec, DecodesWiresharkSampleOffer) {
    auto m = decode(testing::sample_offer());
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->op, kBootReply);
    EXPECT_EQ(m->htype, 1);
    EXPECT_EQ(m->hlen, 6);
    EXPECT_EQ(m->xid, 0x3d1du);
    EXPECT_FALSE(m->broadcast());
    EXPECT_EQ(m->yiaddr, ipv4(192, 168, 0, 10));
    EXPECT_EQ(m->siaddr, ipv4(192, 168, 0, 1));
    EXPECT_TRUE(m->ciaddr.is_unspecified());
    std::vector<uint8_t> mac(m->hardware_address().begin(), m->hardware_address().end());
    EXPECT_EQ(mac, (std::vector<uint8_t>{0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42}));
    EXPECT_EQ(m->sname, "");
    EXPECT_EQ(m->file, "");
    ASSERT_EQ(m->options.items().size(), 6u);
    EXPECT_EQ(*message_type(m->options), MessageType::Offer);
    EXPECT_EQ(**subnet_prefix(m->options), 24);
    EXPECT_EQ(**time_seconds(m->options, option::kRenewalTime), 1800u);
    EXPECT_EQ(**time_seconds(m->options, option::kRebindingTime), 3150u);
    EXPECT_EQ(**time_seconds(m->options, option::kLeaseTime), 3600u);
    EXPECT_EQ(**address(m->options, option::kServerId), ipv4(192, 168, 0, 1));
}

TEST(Dhcp4Codec, ReencodesSampleOfferByteForByte) {
    auto bytes = testing::sample_offer();
    auto m = decode(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(encode(*m), bytes);
}

TEST(Dhcp4Codec, EncodesRequestLayout) {
    Message m;
    m.xid = 0xdeadbeef;
    m.secs = 3;
    m.set_broadcast(true);
    m.ciaddr = ipv4(10, 0, 0, 5);
    m.chaddr = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    set_message_type(m.options, MessageType::Request);
    set_address(m.options, option::kRequestedIp, ipv4(10, 0, 0, 5));
    auto bytes = encode(m);
    ASSERT_EQ(bytes.size(), kMinPacketSize);  // padded to BOOTP's 300 bytes
    EXPECT_EQ((std::vector<uint8_t>(bytes.begin(), bytes.begin() + 16)),
              (std::vector<uint8_t>{1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef, 0, 3, 0x80, 0, 10, 0, 0, 5}));
    EXPECT_EQ(bytes[28], 0x52);
    EXPECT_EQ(bytes[33], 0x56);
    EXPECT_EQ((std::vector<uint8_t>(bytes.begin() + 236, bytes.begin() + 250)),
              (std::vector<uint8_t>{99, 130, 83, 99, 53, 1, 3, 50, 4, 10, 0, 0, 5, 255}));
    EXPECT_TRUE(std::all_of(bytes.begin() + 250, bytes.end(), [](uint8_t b) { return b == 0; }));
}

TEST(Dhcp4Codec, RoundTripsEveryField) {
    Message m;
    m.op = kBootReply;
    m.hops = 2;
    m.xid = 0x01020304;
    m.secs = 65535;
    m.flags = 0x8001;
    m.ciaddr = ipv4(1, 2, 3, 4);
    m.yiaddr = ipv4(5, 6, 7, 8);
    m.siaddr = ipv4(9, 10, 11, 12);
    m.giaddr = ipv4(13, 14, 15, 16);
    m.hlen = 16;
    for (size_t i = 0; i < 16; ++i) m.chaddr[i] = static_cast<uint8_t>(i + 1);
    m.sname = std::string(64, 's');  // a full field without NUL survives
    m.file = "pxelinux.0";
    m.options.set(80, {});                                                  // an empty option (rapid commit) is kept
    m.options.set(option::kClasslessRoutes, std::vector<uint8_t>(600, 7));  // split in 3 and joined again
    m.options.set(option::kHostname, {'h', 'o', 's', 't'});
    auto back = decode(encode(m));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, m);
}

TEST(Dhcp4Codec, EncodeSplitsLongOptions) {
    Message m;
    m.options.set(option::kDomainSearch, std::vector<uint8_t>(300, 'a'));
    auto bytes = encode(m);
    EXPECT_EQ(bytes[240], 119);
    EXPECT_EQ(bytes[241], 255);
    EXPECT_EQ(bytes[240 + 2 + 255], 119);
    EXPECT_EQ(bytes[240 + 2 + 255 + 1], 45);
}

TEST(Dhcp4Codec, EncodeSkipsWireMarkersAndCutsOversizedFields) {
    Message m;
    m.options.set(kOptionOverload, {3});  // would make the receiver parse sname and file as options
    m.options.set(kOptionPad, {1});
    m.sname = std::string(100, 'x');
    m.file = std::string(200, 'y');
    auto bytes = encode(m);
    EXPECT_EQ(bytes[240], kOptionEnd);
    auto back = decode(bytes);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->sname, std::string(64, 'x'));
    EXPECT_EQ(back->file, std::string(128, 'y'));
    EXPECT_TRUE(back->options.items().empty());
}

// --- malformed packets ---------------------------------------------------------------------------

TEST(Dhcp4CodecMalformed, EmptyPacket) {
    EXPECT_EQ(decode_error({}), "DHCP packet: 0 bytes is shorter than the 236-byte BOOTP header");
}

TEST(Dhcp4CodecMalformed, ShorterThanBootpHeader) {
    auto bytes = testing::header();
    bytes.pop_back();
    EXPECT_EQ(decode_error(bytes), "DHCP packet: 235 bytes is shorter than the 236-byte BOOTP header");
}

TEST(Dhcp4CodecMalformed, MissingMagicCookie) {
    EXPECT_EQ(decode_error(testing::header()),
              "DHCP packet: no magic cookie: the packet ends at byte 236, a BOOTP message without DHCP options");
    auto partial = testing::header();
    partial.insert(partial.end(), {99, 130, 83});
    EXPECT_NE(decode_error(partial).find("no magic cookie"), std::string::npos);
}

TEST(Dhcp4CodecMalformed, WrongMagicCookie) {
    auto bytes = testing::header();
    bytes.insert(bytes.end(), {99, 130, 83, 98, 255});
    EXPECT_EQ(decode_error(bytes), "DHCP packet: wrong magic cookie 99.130.83.98 at byte 236, expected 99.130.83.99");
}

TEST(Dhcp4CodecMalformed, HlenOver16) {
    Header h;
    h.hlen = 17;
    EXPECT_EQ(decode_error(packet({255}, h)), "DHCP packet: hlen 17 at byte 2 is more than the 16 bytes of chaddr");
}

TEST(Dhcp4CodecMalformed, OversizedPacket) {
    auto bytes = packet({255});
    bytes.resize(kMaxPacketSize + 1, 0);
    EXPECT_EQ(decode_error(bytes), "DHCP packet: 65508 bytes is more than the 65507 a UDP datagram carries");
    bytes.resize(kMaxPacketSize);  // the largest datagram, all padding: fine
    EXPECT_TRUE(decode(bytes).ok());
}

TEST(Dhcp4CodecMalformed, OptionLengthRunsPastTheEnd) {
    auto bytes = packet({53, 1, 5});
    bytes.insert(bytes.end(), 27, 0);  // pad up to byte 270
    bytes.insert(bytes.end(), {121, 40});
    bytes.insert(bytes.end(), 12, 0xAA);
    EXPECT_EQ(decode_error(bytes), "DHCP packet: option 121 at byte 270: length 40 runs past the end (12 bytes left)");
}

TEST(Dhcp4CodecMalformed, TruncatedOptionWithoutLengthByte) {
    EXPECT_EQ(decode_error(packet({53, 1, 5, 54})),
              "DHCP packet: option 54 at byte 243: truncated, the options field ends before its length byte");
}

TEST(Dhcp4CodecMalformed, PadsAreSkippedAndEndStops) {
    // Pads before, between and after options; garbage after End is padding, not options.
    auto m = decode(packet({0, 0, 53, 1, 5, 0, 0, 0, 1, 4, 255, 255, 255, 0, 255, 121, 200, 1, 2}));
    ASSERT_TRUE(m.ok()) << m.error();
    ASSERT_EQ(m->options.items().size(), 2u);
    EXPECT_EQ(m->options.items()[0].code, 53);
    EXPECT_EQ(m->options.items()[1].code, 1);
    EXPECT_FALSE(m->options.has(0));
}

TEST(Dhcp4CodecMalformed, MissingEndIsAccepted) {
    auto m = decode(packet({53, 1, 5, 54, 4, 10, 0, 0, 1}));
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->options.items().size(), 2u);
}

TEST(Dhcp4CodecMalformed, NoOptionsAtAll) {
    auto m = decode(packet({}));
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_TRUE(m->options.items().empty());
}

TEST(Dhcp4CodecMalformed, RepeatedOptionsAreConcatenated) {
    // RFC 3396 §5: a long option sent as several instances is one option.
    auto m = decode(packet({121, 5, 24, 10, 0, 0, 10, 53, 1, 5, 121, 3, 0, 0, 1, 255}));
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(data(*m, 121), (std::vector<uint8_t>{24, 10, 0, 0, 10, 0, 0, 1}));
    EXPECT_EQ(m->options.items()[0].code, 121);  // the order of first appearance
    EXPECT_EQ(m->options.items()[1].code, 53);
}

TEST(Dhcp4CodecMalformed, RepeatedFixedOptionBecomesTooLong) {
    auto m = decode(packet({53, 1, 2, 53, 1, 5, 255}));
    ASSERT_TRUE(m.ok());
    auto type = message_type(m->options);
    ASSERT_FALSE(type.ok());
    EXPECT_EQ(type.error(), "option 53 (message type): length 2, expected 1");
}

// Writes options into the file (108..235) or sname (44..107) field of a packet.
void fill(std::vector<uint8_t>& bytes, size_t offset, std::initializer_list<uint8_t> options) {
    std::copy(options.begin(), options.end(), bytes.begin() + static_cast<long>(offset));
}

TEST(Dhcp4CodecMalformed, OverloadFileCarriesOptions) {
    auto bytes = packet({53, 1, 5, 52, 1, 1, 255});
    fill(bytes, 108, {3, 4, 10, 0, 0, 1, 255});
    fill(bytes, 44, {'s', 'r', 'v'});
    auto m = decode(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(data(*m, 3), (std::vector<uint8_t>{10, 0, 0, 1}));
    EXPECT_EQ(m->file, "");
    EXPECT_EQ(m->sname, "srv");  // not overloaded: still a name
    EXPECT_FALSE(m->options.has(kOptionOverload));
}

TEST(Dhcp4CodecMalformed, OverloadSnameCarriesOptions) {
    auto bytes = packet({53, 1, 5, 52, 1, 2, 255});
    fill(bytes, 44, {15, 3, 'l', 'a', 'n', 255});
    fill(bytes, 108, {'b', 'o', 'o', 't'});
    auto m = decode(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(**text(m->options, option::kDomainName), "lan");
    EXPECT_EQ(m->file, "boot");
    EXPECT_EQ(m->sname, "");
}

TEST(Dhcp4CodecMalformed, OverloadBothConcatenatesOptionsThenFileThenSname) {
    // RFC 3396 §6 order: options field, file, sname.
    auto bytes = packet({52, 1, 3, 121, 2, 24, 10, 255});
    fill(bytes, 44, {121, 4, 10, 0, 10, 1});       // sname: last part
    fill(bytes, 108, {0, 0, 121, 2, 0, 10, 255});  // file: middle part, after pads
    auto m = decode(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(data(*m, 121), (std::vector<uint8_t>{24, 10, 0, 10, 10, 0, 10, 1}));
    auto routes = classless_routes(m->options, option::kClasslessRoutes);
    ASSERT_TRUE(routes.ok()) << routes.error();
    ASSERT_EQ(routes->size(), 1u);
    EXPECT_EQ((*routes)[0].destination.str(), "10.0.10.0/24");
    EXPECT_EQ((*routes)[0].gateway, ipv4(10, 0, 10, 1));
}

TEST(Dhcp4CodecMalformed, OverloadedFieldOptionRunsPastItsField) {
    auto bytes = packet({52, 1, 1, 255});
    bytes[108 + 126] = 6;
    bytes[108 + 127] = 8;  // 8 bytes claimed, the file field ends here
    EXPECT_EQ(decode_error(bytes),
              "DHCP packet: option 6 at byte 234 (in the overloaded file field): length 8 runs past the end (0 "
              "bytes left)");
}

TEST(Dhcp4CodecMalformed, OverloadedFieldTruncatedOption) {
    auto bytes = packet({52, 1, 2, 255});
    std::fill(bytes.begin() + 44, bytes.begin() + 107, 0);
    bytes[107] = 3;  // the sname field's last byte is an option code
    EXPECT_EQ(decode_error(bytes),
              "DHCP packet: option 3 at byte 107 (in the overloaded sname field): truncated, the sname field ends "
              "before its length byte");
}

TEST(Dhcp4CodecMalformed, OverloadWithBadLength) {
    EXPECT_EQ(decode_error(packet({52, 2, 1, 1, 255})),
              "DHCP packet: option 52 (option overload): length 2, expected 1");
}

TEST(Dhcp4CodecMalformed, OverloadWithBadValue) {
    EXPECT_EQ(decode_error(packet({52, 1, 4, 255})),
              "DHCP packet: option 52 (option overload): value 4 is not 1 (file), 2 (sname) or 3 (both)");
}

TEST(Dhcp4CodecMalformed, OverloadInsideFileIsIgnored) {
    // Option 52 must be in the options field; one inside the file field does not pull in sname.
    auto bytes = packet({52, 1, 1, 255});
    fill(bytes, 108, {52, 1, 2, 255});
    fill(bytes, 44, {'n', 'a', 'm', 'e'});
    auto m = decode(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->sname, "name");
    EXPECT_FALSE(m->options.has(kOptionOverload));
}

TEST(Dhcp4CodecMalformed, NamesStopAtNulAndFillWholeFields) {
    auto bytes = packet({255});
    std::fill(bytes.begin() + 44, bytes.begin() + 108, 'a');  // no NUL at all
    fill(bytes, 108, {'f', 0, 'x'});
    auto m = decode(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->sname, std::string(64, 'a'));
    EXPECT_EQ(m->file, "f");
}

TEST(Dhcp4CodecMalformed, ZeroLengthOptionAtTheVeryEnd) {
    auto m = decode(packet({80, 0}));
    ASSERT_TRUE(m.ok()) << m.error();
    ASSERT_TRUE(m->options.has(80));
    EXPECT_TRUE(m->options.find(80)->empty());
}

}  // namespace
}  // namespace nodenet::dhcp
