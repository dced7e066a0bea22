// siderolabs/net FilterIPs semantics: ordered rules from an empty result (reference §3.5).
#include "kubespan/endpoint_filter.h"

#include <gtest/gtest.h>

namespace nodenet::kubespan {
namespace {

std::string filtered(std::initializer_list<const char*> ips, std::vector<std::string> rules) {
    std::vector<state::IpAddress> in;
    for (const char* t : ips) in.push_back(*state::parse_ip_address(t));
    auto out = filter_ips(in, rules);
    if (!out.ok()) return "error: " + out.error();
    std::string text = "[";
    for (const auto& ip : *out) text += (text.size() > 1 ? " " : "") + ip.str();
    return text + "]";
}

TEST(EndpointFilter, SiderolabsNetTestCases) {
    EXPECT_EQ(filtered({"10.3.4.6", "2001:db8::1"}, {"0.0.0.0/0", "::/0"}), "[10.3.4.6 2001:db8::1]");
    EXPECT_EQ(filtered({"10.3.4.6", "10.3.4.1", "172.20.0.1"}, {"10.0.0.0/8", "!10.3.4.1/32"}), "[10.3.4.6]");
    EXPECT_EQ(filtered({"10.3.4.6", "172.20.0.1"}, {"10.0.0.0/8", "0.0.0.0/0"}), "[10.3.4.6 172.20.0.1]");
}

TEST(EndpointFilter, NegationsAloneKeepNothing) {
    // Talos's surprise (§6 item 8): the result starts empty, a negation only removes.
    EXPECT_EQ(filtered({"10.3.4.6", "192.168.1.5", "2001:db8::1"}, {"!192.168.0.0/16"}), "[]");
    EXPECT_EQ(filtered({"10.3.4.6", "192.168.1.5", "2001:db8::1"}, {"!192.168.0.0/16", "!fd00::/8"}), "[]");
    // What to write instead.
    EXPECT_EQ(filtered({"10.3.4.6", "192.168.1.5", "2001:db8::1"}, {"0.0.0.0/0", "::/0", "!192.168.0.0/16"}),
              "[10.3.4.6 2001:db8::1]");
    // An empty list filters everything out too.
    EXPECT_EQ(filtered({"10.3.4.6"}, {}), "[]");
}

TEST(EndpointFilter, OutputFollowsTheRulesAndIsDeduplicated) {
    EXPECT_EQ(filtered({"10.0.0.1", "192.168.0.1", "2001:db8::1", "10.0.0.2"}, {"::/0", "192.168.0.0/16", "10.0.0.0/8"}),
              "[2001:db8::1 192.168.0.1 10.0.0.1 10.0.0.2]");
    EXPECT_EQ(filtered({"10.0.0.1", "10.0.0.1"}, {"10.0.0.1", "10.0.0.0/8"}), "[10.0.0.1]");
    // A removed address comes back with a later rule, at the end.
    EXPECT_EQ(filtered({"10.0.0.1", "10.0.0.2"}, {"10.0.0.0/8", "!10.0.0.1", "10.0.0.1/32"}), "[10.0.0.2 10.0.0.1]");
    // Host bits in a rule are ignored; a bare IP is a full-length prefix.
    EXPECT_EQ(filtered({"10.0.0.1", "10.0.1.1"}, {"10.0.0.77/24"}), "[10.0.0.1]");
    EXPECT_EQ(filtered({"2001:db8::1", "2001:db8::2"}, {"2001:db8::2"}), "[2001:db8::2]");
}

TEST(EndpointFilter, FamiliesNeverMix) {
    EXPECT_EQ(filtered({"::ffff:10.0.0.1", "10.0.0.1"}, {"0.0.0.0/0"}), "[10.0.0.1]");
    EXPECT_EQ(filtered({"::ffff:10.0.0.1", "10.0.0.1"}, {"::/0"}), "[::ffff:10.0.0.1]");
    EXPECT_EQ(filtered({"::ffff:10.0.0.1", "10.0.0.1"}, {"::ffff:0:0/96"}), "[::ffff:10.0.0.1]");
}

TEST(EndpointFilter, ParseErrorsAreValues) {
    EXPECT_EQ(filtered({"10.0.0.1"}, {"0.0.0.0/0", "10"}),
              "error: endpoint filter 2 \"10\": failed to parse subnet: netip.ParsePrefix(\"10\"): no '/'");
    EXPECT_EQ(filtered({"10.0.0.1"}, {"!!10.0.0.0/8"}),
              "error: endpoint filter 1 \"!!10.0.0.0/8\": failed to parse subnet: netip.ParsePrefix(\"!10.0.0.0/8\"): "
              "ParseAddr(\"!10.0.0.0\"): unexpected character (at \"!10.0.0.0\")");
    EXPECT_EQ(filtered({"10.0.0.1"}, {"123::/456"}),
              "error: endpoint filter 1 \"123::/456\": failed to parse subnet: netip.ParsePrefix(\"123::/456\"): "
              "prefix length out of range");
    // A zone: ParsePrefix refuses it, ParseAddr accepts it and PrefixFrom drops it.
    EXPECT_EQ(filtered({"fe80::1"}, {"fe80::1%eth0"}), "[fe80::1]");
}

}  // namespace
}  // namespace nodenet::kubespan
