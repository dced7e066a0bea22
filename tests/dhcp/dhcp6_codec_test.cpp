#include "dhcp/dhcp6_codec.h"

#include <gtest/gtest.h>

#include "common/printable.h"

namespace nodenet::dhcp::v6 {
namespace {

state::IpAddress ip(const char* text) { return *state::parse_ip_address(text); }

TEST(Dhcp6Codec, DecodesAHandMadeAdvertise) {
    const std::vector<uint8_t> bytes = {
        2, 0x12, 0x34, 0x56,                                   // ADVERTISE, xid
        0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0, 0xab, 0xcd, 1,  // client id: DUID-LL
        0, 2, 0, 4, 0, 2, 0xaa, 0xbb,                          // server id
        0, 7, 0, 1, 200,                                       // preference
        0, 3, 0, 40,                                           // IA_NA
        0, 0, 0, 9, 0, 0, 0, 60, 0, 0, 0, 96,                  // iaid 9, T1 60, T2 96
        0, 5, 0, 24,                                           // IA Address
        0xfd, 0, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x23,
        0, 0, 0, 100, 0, 0, 0, 120,                            // preferred 100, valid 120
    };
    auto m = decode(bytes);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->type, MessageType::Advertise);
    EXPECT_EQ(m->xid, 0x123456u);
    EXPECT_EQ(*m->find(option::kClientId), (std::vector<uint8_t>{0, 3, 0, 1, 0x52, 0x54, 0, 0xab, 0xcd, 1}));
    EXPECT_EQ(*preference(*m), 200);
    auto ias = ia_nas(*m);
    ASSERT_TRUE(ias.ok()) << ias.error();
    ASSERT_EQ(ias->size(), 1u);
    EXPECT_EQ((*ias)[0].iaid, 9u);
    EXPECT_EQ((*ias)[0].t1, 60u);
    EXPECT_EQ((*ias)[0].t2, 96u);
    ASSERT_EQ((*ias)[0].addresses.size(), 1u);
    EXPECT_EQ((*ias)[0].addresses[0].address, ip("fd00:77::123"));
    EXPECT_EQ((*ias)[0].addresses[0].preferred, 100u);
    EXPECT_EQ((*ias)[0].addresses[0].valid, 120u);
    EXPECT_EQ(encode(*m), bytes);
}

TEST(Dhcp6Codec, RoundTripsEveryOptionItWrites) {
    Message m;
    m.type = MessageType::Reply;
    m.xid = 0xabcdef;
    m.add(option::kClientId, {0, 3, 0, 1, 1, 2, 3, 4, 5, 6});
    m.add(option::kServerId, {0, 1, 9});
    IaNa ia{7, 10, 20, {{ip("2001:db8::5"), 30, 60, Status{0, "ok"}}}, Status{2, "none left"}};
    m.add(option::kIaNa, encode_ia_na(ia));
    m.add(option::kStatusCode, encode_status({1, "busy"}));
    m.add(option::kDnsServers, encode_address_list({ip("2001:db8::53"), ip("fd00::1")}));
    m.add(option::kDomainList, encode_domain_list({"example.com", "corp.example.org"}));
    m.add(option::kRapidCommit, {});
    auto back = decode(encode(m));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, m);
    EXPECT_EQ(ia_nas(*back)->at(0), ia);
    EXPECT_EQ(**status(*back), (Status{1, "busy"}));
    EXPECT_EQ(*dns_servers(*back), (std::vector<state::IpAddress>{ip("2001:db8::53"), ip("fd00::1")}));
    EXPECT_EQ(*domain_list(*back), (std::vector<std::string>{"example.com", "corp.example.org"}));
    EXPECT_TRUE(back->has(option::kRapidCommit));
}

TEST(Dhcp6Codec, RefusesMalformedMessagesNamingTheFault) {
    auto error = [](std::vector<uint8_t> bytes) {
        auto m = decode(bytes);
        return m.ok() ? std::string("decoded") : m.error();
    };
    EXPECT_EQ(error({7, 0, 0}), "DHCPv6 message of 3 bytes");
    EXPECT_EQ(error({7, 0, 0, 1, 0, 1, 0}), "REPLY: option header cut off at byte 4");
    EXPECT_EQ(error({7, 0, 0, 1, 0, 2, 0, 9, 1, 2}), "REPLY: option 2 at byte 4 claims 9 bytes, 2 are left");
    EXPECT_EQ(error({13, 0, 0, 1}), "a relay message (RELAY-REPL) is not for a client");
    EXPECT_EQ(error({7, 0, 0, 1}), "decoded");  // options are optional at this level
}

TEST(Dhcp6Codec, RefusesMalformedOptionsInside) {
    Message m;
    m.type = MessageType::Reply;
    m.add(option::kIaNa, {0, 0, 0, 1, 0, 0});
    EXPECT_EQ(ia_nas(m).error(), "IA_NA option of 6 bytes");

    Message a;
    a.add(option::kIaNa, {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 2, 1, 2});
    EXPECT_EQ(ia_nas(a).error(), "IA_NA 1: IA Address option of 2 bytes");

    Message b;
    b.add(option::kIaNa, {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 0, 9, 0});
    EXPECT_EQ(ia_nas(b).error(), "IA_NA: option 13 at byte 12 claims 9 bytes, 1 are left");

    Message c;
    c.add(option::kStatusCode, {0});
    EXPECT_EQ(status(c).error(), "status code option of 1 bytes");

    Message d;
    d.add(option::kDnsServers, std::vector<uint8_t>(15, 1));
    EXPECT_EQ(dns_servers(d).error(), "DNS servers option of 15 bytes, not a multiple of 16");

    Message e;
    e.add(option::kPreference, {1, 2});
    EXPECT_EQ(preference(e).error(), "preference option of 2 bytes");
}

TEST(Dhcp6Codec, DomainListRefusesCompressionAndTruncation) {
    auto error = [](std::vector<uint8_t> data) {
        Message m;
        m.add(option::kDomainList, std::move(data));
        auto names = domain_list(m);
        return names.ok() ? std::string("decoded") : names.error();
    };
    EXPECT_EQ(error({3, 'c', 'o', 'm', 0xC0, 0}),
              "domain list option at offset 4: label length 192 (compression is not allowed here)");
    EXPECT_EQ(error({5, 'a', 'b'}), "domain list option at offset 0: label of 5 bytes runs past the end");
    EXPECT_EQ(error({1, 'a'}), "domain list option at offset 2: the name runs past the end of the option");
    std::vector<uint8_t> long_name;
    for (int i = 0; i < 5; ++i) {
        long_name.push_back(63);
        long_name.insert(long_name.end(), 63, 'x');
    }
    long_name.push_back(0);
    EXPECT_EQ(error(long_name), "domain list option at offset 192: name longer than 255 bytes");
    // A name with a newline decodes: it is raw, and valid_dns_name() refuses it before any file.
    Message m;
    m.add(option::kDomainList, {4, 'e', 'v', '\n', 'l', 0});
    EXPECT_EQ(domain_list(m)->at(0), "ev\nl");
}

TEST(Dhcp6Codec, DuidLlIsTypeThreeWithTheMac) {
    const std::array<uint8_t, 6> mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    EXPECT_EQ(hex_colon(duid_ll(mac)), "00:03:00:01:52:54:00:12:34:56");
}

TEST(Dhcp6Codec, NamesMessagesAndStatuses) {
    EXPECT_EQ(message_type_name(MessageType::Solicit), "SOLICIT");
    EXPECT_EQ(message_type_name(static_cast<MessageType>(42)), "message type 42");
    EXPECT_EQ(status_name(2), "NoAddrsAvail");
    EXPECT_EQ(status_name(99), "status 99");
    EXPECT_EQ(printable_ascii("a\nb\x7f"), "a?b?");
}

}  // namespace
}  // namespace nodenet::dhcp::v6
