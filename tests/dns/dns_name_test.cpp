// The one name check: what passes, and for what fails, the reason a log line shows.
#include <gtest/gtest.h>

#include "dns/dns_name.h"

namespace nodenet::dns {
namespace {

TEST(DnsName, ReasonsNameTheProblem) {
    EXPECT_EQ(dns_name_problem("node-1.example.com"), std::nullopt);
    EXPECT_EQ(dns_name_problem("example.com."), std::nullopt);
    EXPECT_EQ(dns_name_problem("evil\nnameserver 6.6.6.6"), "contains a line break");
    EXPECT_EQ(dns_name_problem("my host"), "contains whitespace");
    EXPECT_EQ(dns_name_problem("a#b"), "contains '#', which starts a comment in resolv.conf and /etc/hosts");
    EXPECT_EQ(dns_name_problem("a;b"), "contains ';', which starts a comment in resolv.conf");
    EXPECT_EQ(dns_name_problem(std::string("a\0b", 3)), "contains a control character");
    EXPECT_EQ(dns_name_problem("caf\xC3\xA9"), "contains a character outside ASCII");
    EXPECT_EQ(dns_name_problem("a_b"), "contains '_'; only letters, digits, hyphens and dots are allowed");
    EXPECT_EQ(dns_name_problem(""), "is empty");
    EXPECT_EQ(dns_name_problem("a..b"), "has an empty label");
    EXPECT_EQ(dns_name_problem("-a"), "label \"-a\" starts with a hyphen");
    EXPECT_EQ(dns_name_problem(std::string(300, 'a')), "is 300 characters long, over the limit of 253");
    EXPECT_EQ(dns_name_problem(std::string(64, 'a') + ".com"),
              "label \"aaaaaaaaaaaaaaaaaaaa...\" is 64 characters long, over the limit of 63");
}

TEST(DnsName, QuotedNameIsOneSafeLine) {
    EXPECT_EQ(quoted_name("a\nb\tc\x01\"\\"), "\"a\\nb\\tc\\x01\\\"\\\\\"");
}

}  // namespace
}  // namespace nodenet::dns
