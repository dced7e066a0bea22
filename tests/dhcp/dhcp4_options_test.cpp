// Typed DHCPv4 options: RFC 3397's domain search example and pointer loops, RFC 3442's classless
// route encodings, the MTU floor, and the name check consumers apply to server-sent names.
#include "dhcp/dhcp4_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodenet::dhcp {
namespace {

Options with(uint8_t code, std::vector<uint8_t> data) {
    Options o;
    o.set(code, std::move(data));
    return o;
}

std::string search_error(std::vector<uint8_t> data) {
    auto names = domain_search(with(option::kDomainSearch, std::move(data)));
    EXPECT_FALSE(names.ok());
    return names.ok() ? std::string() : names.error();
}

// RFC 3397 §3: "eng.apple.com." and "marketing.apple.com.", the second compressed.
const std::vector<uint8_t> kRfc3397Example = {
    0x03, 'e',  'n', 'g', 0x05, 'a', 'p', 'p', 'l', 'e', 0x03, 'c',  'o',  'm',
    0x00, 0x09, 'm', 'a', 'r',  'k', 'e', 't', 'i', 'n', 'g',  0xC0, 0x04,
};

TEST(Dhcp4DomainSearch, DecodesRfc3397Example) {
    auto names = domain_search(with(option::kDomainSearch, kRfc3397Example));
    ASSERT_TRUE(names.ok()) << names.error();
    EXPECT_EQ(*names, (std::vector<std::string>{"eng.apple.com", "marketing.apple.com"}));
}

TEST(Dhcp4DomainSearch, EncodesRfc3397ExampleWithCompression) {
    EXPECT_EQ(encode_domain_search({"eng.apple.com.", "marketing.apple.com."}), kRfc3397Example);
}

TEST(Dhcp4DomainSearch, RoundTripsWithRepeatedAndNestedSuffixes) {
    std::vector<std::string> names = {"a.example.com", "b.a.example.com", "example.com", "a.example.com", "org"};
    auto bytes = encode_domain_search(names);
    auto back = domain_search(with(option::kDomainSearch, bytes));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, names);
    EXPECT_LT(bytes.size(), 40u);  // compressed: "example.com" is written once
}

TEST(Dhcp4DomainSearch, ChainedPointersBackwardsAreFollowed) {
    // "a" at 0; "b" + pointer to 0 at 3; pointer to 3 at 7: three names through two jumps.
    auto names = domain_search(with(option::kDomainSearch, {1, 'a', 0, 1, 'b', 0xC0, 0, 0xC0, 3}));
    ASSERT_TRUE(names.ok()) << names.error();
    EXPECT_EQ(*names, (std::vector<std::string>{"a", "b.a", "b.a"}));
}

TEST(Dhcp4DomainSearch, PointerToItselfIsALoop) {
    EXPECT_EQ(search_error({0xC0, 0x00}),
              "option 119 (domain search): at offset 0: compression pointer to offset 0 does not point back before "
              "offset 0 (a loop)");
}

TEST(Dhcp4DomainSearch, PointerBackToTheStartOfItsOwnNameIsALoop) {
    // "a" then a pointer to the "a": following it would read the pointer again, forever.
    EXPECT_NE(search_error({1, 'a', 0xC0, 0x00}).find("(a loop)"), std::string::npos);
    // The same inside the second name of the list.
    EXPECT_NE(search_error({1, 'x', 0, 1, 'a', 0xC0, 0x03}).find("(a loop)"), std::string::npos);
}

TEST(Dhcp4DomainSearch, TwoPointersAtEachOtherAreALoop) {
    // 0: pointer to 2; 2: pointer to 0. The first points forward: refused before any cycle.
    EXPECT_NE(search_error({0xC0, 0x02, 0xC0, 0x00}).find("(a loop)"), std::string::npos);
    // A pointer hidden inside a label: name 1 is the label "x\xC0\x05"; name 2 at 5 jumps back to
    // offset 2, where those bytes read as a pointer to 5 again. Without the rule: 5 → 2 → 5 → …
    EXPECT_EQ(search_error({3, 'x', 0xC0, 0x05, 0, 0xC0, 0x02}),
              "option 119 (domain search): at offset 2: compression pointer to offset 5 does not point back before "
              "offset 2 (a loop)");
}

TEST(Dhcp4DomainSearch, MalformedNames) {
    EXPECT_EQ(search_error({3, 'c', 'o', 'm'}),
              "option 119 (domain search): at offset 4: the name runs past the end of the option");
    EXPECT_EQ(search_error({5, 'a', 'b'}),
              "option 119 (domain search): at offset 0: label of 5 bytes runs past the end");
    EXPECT_EQ(search_error({1, 'a', 0xC0}), "option 119 (domain search): at offset 2: compression pointer cut off");
    EXPECT_EQ(search_error({0x40, 'a', 0}), "option 119 (domain search): at offset 0: label type 1 is reserved");
    EXPECT_EQ(search_error({0x80, 'a', 0}), "option 119 (domain search): at offset 0: label type 2 is reserved");
}

TEST(Dhcp4DomainSearch, NameOver255BytesIsRefused) {
    std::vector<uint8_t> data;
    for (int i = 0; i < 5; ++i) {
        data.push_back(63);
        data.insert(data.end(), 63, 'x');
    }
    data.push_back(0);
    EXPECT_NE(search_error(data).find("name longer than 255 bytes"), std::string::npos);
}

TEST(Dhcp4DomainSearch, AbsentAndRootOnly) {
    EXPECT_TRUE(domain_search(Options{})->empty());
    auto root = domain_search(with(option::kDomainSearch, {0}));
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, std::vector<std::string>{""});  // raw: the consumer's name check drops it
}

// RFC 3442 §1's table of destination descriptors, each with router 10.0.0.1.
struct Rfc3442Case {
    const char* prefix;
    std::vector<uint8_t> descriptor;
};
const std::vector<Rfc3442Case> kRfc3442Table = {
    {"0.0.0.0/0", {0}},
    {"10.0.0.0/8", {8, 10}},
    {"10.0.0.0/24", {24, 10, 0, 0}},
    {"10.17.0.0/16", {16, 10, 17}},
    {"10.27.129.0/24", {24, 10, 27, 129}},
    {"10.229.0.128/25", {25, 10, 229, 0, 128}},
    {"10.198.122.47/32", {32, 10, 198, 122, 47}},
};

TEST(Dhcp4ClasslessRoutes, DecodesRfc3442Table) {
    for (uint8_t code : {option::kClasslessRoutes, option::kMsClasslessRoutes}) {
        std::vector<uint8_t> data;
        for (const auto& c : kRfc3442Table) {
            data.insert(data.end(), c.descriptor.begin(), c.descriptor.end());
            data.insert(data.end(), {10, 0, 0, 1});
        }
        auto routes = classless_routes(with(code, data), code);
        ASSERT_TRUE(routes.ok()) << routes.error();
        ASSERT_EQ(routes->size(), kRfc3442Table.size());
        for (size_t i = 0; i < routes->size(); ++i) {
            EXPECT_EQ((*routes)[i].destination.str(), kRfc3442Table[i].prefix);
            EXPECT_EQ((*routes)[i].gateway, ipv4(10, 0, 0, 1));
        }
        Options built;
        set_classless_routes(built, code, *routes);
        EXPECT_EQ(*built.find(code), data) << "option " << int(code);
    }
}

TEST(Dhcp4ClasslessRoutes, OnLinkGatewayAndHostBitsCleared) {
    auto routes =
        classless_routes(with(option::kClasslessRoutes, {24, 192, 168, 5, 0, 0, 0, 0, 20, 10, 1, 255, 1, 2, 3, 4}),
                         option::kClasslessRoutes);
    ASSERT_TRUE(routes.ok()) << routes.error();
    EXPECT_EQ((*routes)[0].destination.str(), "192.168.5.0/24");
    EXPECT_TRUE((*routes)[0].gateway.is_unspecified());
    EXPECT_EQ((*routes)[1].destination.str(), "10.1.240.0/20");  // 10.1.255 with /20: host bits dropped
}

TEST(Dhcp4ClasslessRoutes, PrefixLengthOver32IsRefused) {
    auto routes =
        classless_routes(with(option::kClasslessRoutes, {24, 10, 0, 0, 10, 0, 0, 1, 33, 1, 2, 3, 4, 5, 1, 2, 3, 4}),
                         option::kClasslessRoutes);
    ASSERT_FALSE(routes.ok());
    EXPECT_EQ(routes.error(),
              "option 121 (classless static routes): route at offset 8: prefix length 33 is more than 32");
}

TEST(Dhcp4ClasslessRoutes, TruncatedAndEmpty) {
    auto cut = classless_routes(with(option::kMsClasslessRoutes, {24, 10, 0, 0, 10, 0}), option::kMsClasslessRoutes);
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error(),
              "option 249 (Microsoft classless static routes): route at offset 0: /24 needs 8 bytes, 6 left");
    auto empty = classless_routes(with(option::kClasslessRoutes, {}), option::kClasslessRoutes);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error(), "option 121 (classless static routes): length 0, expected at least 5");
    EXPECT_TRUE(classless_routes(Options{}, option::kClasslessRoutes)->empty());
}

TEST(Dhcp4Options, InterfaceMtuBelow576IsRefused) {
    auto small = interface_mtu(with(option::kInterfaceMtu, {0x01, 0xF4}));
    ASSERT_FALSE(small.ok());
    EXPECT_EQ(small.error(), "option 26 (interface MTU): 500 is below the minimum 576");
    EXPECT_EQ(**interface_mtu(with(option::kInterfaceMtu, {0x02, 0x40})), 576);
    EXPECT_EQ(**interface_mtu(with(option::kInterfaceMtu, {0x23, 0x28})), 9000);
    EXPECT_FALSE(interface_mtu(with(option::kInterfaceMtu, {0x05, 0xDC, 0})).ok());
    EXPECT_FALSE(interface_mtu(Options{})->has_value());
}

TEST(Dhcp4Options, MaxMessageSizeFloor) {
    EXPECT_FALSE(max_message_size(with(option::kMaxMessageSize, {0x01, 0x00})).ok());
    EXPECT_EQ(**max_message_size(with(option::kMaxMessageSize, {0x05, 0xDC})), 1500);
}

TEST(Dhcp4Options, SubnetMask) {
    EXPECT_EQ(**subnet_prefix(with(option::kSubnetMask, {255, 255, 255, 0})), 24);
    EXPECT_EQ(**subnet_prefix(with(option::kSubnetMask, {255, 255, 255, 255})), 32);
    EXPECT_EQ(**subnet_prefix(with(option::kSubnetMask, {0, 0, 0, 0})), 0);
    EXPECT_EQ(**subnet_prefix(with(option::kSubnetMask, {255, 255, 254, 0})), 23);
    auto holes = subnet_prefix(with(option::kSubnetMask, {255, 0, 255, 0}));
    ASSERT_FALSE(holes.ok());
    EXPECT_EQ(holes.error(), "option 1 (subnet mask): 255.0.255.0 is not a contiguous mask");
    EXPECT_EQ(subnet_prefix(with(option::kSubnetMask, {255, 255, 255})).error(),
              "option 1 (subnet mask): length 3, expected 4");
    Options built;
    set_subnet_prefix(built, 20);
    EXPECT_EQ(*built.find(option::kSubnetMask), (std::vector<uint8_t>{255, 255, 240, 0}));
}

TEST(Dhcp4Options, AddressLists) {
    auto dns = address_list(with(option::kDnsServers, {1, 1, 1, 1, 8, 8, 8, 8}), option::kDnsServers);
    ASSERT_TRUE(dns.ok());
    EXPECT_EQ(*dns, (std::vector<state::IpAddress>{ipv4(1, 1, 1, 1), ipv4(8, 8, 8, 8)}));
    EXPECT_EQ(address_list(with(option::kRouter, {10, 0, 0}), option::kRouter).error(),
              "option 3 (routers): length 3, expected a multiple of 4");
    EXPECT_FALSE(address_list(with(option::kNtpServers, {}), option::kNtpServers).ok());
    EXPECT_TRUE(address_list(Options{}, option::kRouter)->empty());
}

TEST(Dhcp4Options, TimesAndServerId) {
    EXPECT_EQ(**time_seconds(with(option::kLeaseTime, {0xFF, 0xFF, 0xFF, 0xFF}), option::kLeaseTime), kInfiniteTime);
    EXPECT_EQ(time_seconds(with(option::kLeaseTime, {0, 0, 1}), option::kLeaseTime).error(),
              "option 51 (lease time): length 3, expected 4");
    EXPECT_EQ(**address(with(option::kServerId, {10, 0, 0, 1}), option::kServerId), ipv4(10, 0, 0, 1));
    EXPECT_EQ(address(with(option::kServerId, {10, 0, 0, 1, 2}), option::kServerId).error(),
              "option 54 (server identifier): length 5, expected 4");
}

TEST(Dhcp4Options, MessageTypeAndNames) {
    EXPECT_EQ(**message_type(with(option::kMessageType, {5})), MessageType::Ack);
    EXPECT_EQ(message_type_name(MessageType::Nak), "DHCPNAK");
    EXPECT_EQ(message_type_name(static_cast<MessageType>(42)), "DHCP message type 42");
    EXPECT_FALSE(message_type(with(option::kMessageType, {})).ok());
}

TEST(Dhcp4Options, TextKeepsRawBytesAndTrimsTrailingNuls) {
    EXPECT_EQ(**text(with(option::kHostname, {'n', 'o', 'd', 'e', 0, 0}), option::kHostname), "node");
    EXPECT_EQ(**text(with(option::kDomainName, {'a', ';', ' ', 'b'}), option::kDomainName), "a; b");  // raw
    EXPECT_EQ(text(with(option::kHostname, {0}), option::kHostname).error(), "option 12 (hostname): empty");
}

TEST(Dhcp4Options, ClientIdAndParameterList) {
    EXPECT_EQ(client_id(with(option::kClientId, {1})).error(),
              "option 61 (client identifier): length 1, expected at least 2");
    EXPECT_EQ(**client_id(with(option::kClientId, {1, 2})), (std::vector<uint8_t>{1, 2}));
    EXPECT_EQ(parameter_request_list(with(option::kParameterRequestList, {1, 3, 6})), (std::vector<uint8_t>{1, 3, 6}));
}

TEST(Dhcp4DnsName, AcceptsHostnamesAndDomains) {
    for (const char* name : {"node-1", "a", "example.com", "example.com.", "x1.y2.z3", "A-b.C"})
        EXPECT_TRUE(valid_dns_name(name)) << name;
    EXPECT_TRUE(valid_dns_name(std::string(63, 'a') + ".com"));
    std::string longest = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                          std::string(61, 'd');  // 253 bytes
    EXPECT_TRUE(valid_dns_name(longest));
    EXPECT_FALSE(valid_dns_name(longest + "d"));
}

TEST(Dhcp4DnsName, RefusesWhatCouldEscapeAConfigLine) {
    for (const char* name : {"", ".", "a..b", ".a", "a b", "a\tb", "a\nnameserver 6.6.6.6", "a#b", "a;b", "-a", "a-",
                             "a.-b", "a_b", "caf\xC3\xA9", "a/b", "a\\b", "a.."})
        EXPECT_FALSE(valid_dns_name(name)) << name;
    EXPECT_FALSE(valid_dns_name(std::string("a\0b", 3)));
    EXPECT_FALSE(valid_dns_name(std::string(64, 'a')));
}

}  // namespace
}  // namespace nodenet::dhcp
