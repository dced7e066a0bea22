// The prefix set behind peers' allowed IPs and the routed set. Expected splits were computed with
// Python's ipaddress (address_exclude, summarize_address_range), which netipx.IPSet.Prefixes agrees with.
#include "kubespan/prefix_set.h"

#include <gtest/gtest.h>

namespace nodenet::kubespan {
namespace {

std::vector<state::IpPrefix> prefixes(std::initializer_list<const char*> texts) {
    std::vector<state::IpPrefix> out;
    for (const char* t : texts) out.push_back(*state::parse_ip_prefix(t));
    return out;
}

std::string text(const PrefixSet& set) {
    std::string out;
    for (const auto& p : set.prefixes()) out += (out.empty() ? "" : " ") + p.str();
    return out;
}

TEST(PrefixSet, MergesAdjacentAndContainedPrefixes) {
    EXPECT_EQ(text(PrefixSet(prefixes({"10.0.0.0/25", "10.0.0.128/25"}))), "10.0.0.0/24");
    EXPECT_EQ(text(PrefixSet(prefixes({"10.0.0.0/24", "10.0.0.7/32", "10.0.0.0/16"}))), "10.0.0.0/16");
    // Host bits are ignored; IPv4 comes first.
    EXPECT_EQ(text(PrefixSet(prefixes({"fd00::5/64", "10.1.2.3/24"}))), "10.1.2.0/24 fd00::/64");
    // Adjacent but not alignable: two prefixes.
    EXPECT_EQ(text(PrefixSet(prefixes({"10.0.0.128/25", "10.0.1.0/25"}))), "10.0.0.128/25 10.0.1.0/25");
    // A range of 3 addresses: the largest aligned blocks in order.
    EXPECT_EQ(text(PrefixSet(prefixes({"10.0.0.1", "10.0.0.2", "10.0.0.3"}))), "10.0.0.1/32 10.0.0.2/31");
    EXPECT_EQ(text(PrefixSet(prefixes({"0.0.0.0/1", "128.0.0.0/1", "::/0"}))), "0.0.0.0/0 ::/0");
    EXPECT_TRUE(PrefixSet().empty());
}

TEST(PrefixSet, RemovingAPrefixSplitsTheNetwork) {
    PrefixSet s(prefixes({"10.0.0.0/24"}));
    s.remove(*state::parse_ip_prefix("10.0.0.64/26"));
    EXPECT_EQ(text(s), "10.0.0.0/26 10.0.0.128/25");
    s.remove(*state::parse_ip_prefix("10.0.0.1/32"));
    EXPECT_EQ(text(s), "10.0.0.0/32 10.0.0.2/31 10.0.0.4/30 10.0.0.8/29 10.0.0.16/28 10.0.0.32/27 10.0.0.128/25");
    // Removing what is not there, or another family, changes nothing.
    s.remove(*state::parse_ip_prefix("192.168.0.0/16"));
    s.remove(*state::parse_ip_prefix("::/0"));
    EXPECT_EQ(text(s), "10.0.0.0/32 10.0.0.2/31 10.0.0.4/30 10.0.0.8/29 10.0.0.16/28 10.0.0.32/27 10.0.0.128/25");
    s.remove(*state::parse_ip_prefix("0.0.0.0/0"));
    EXPECT_TRUE(s.empty());

    PrefixSet all(prefixes({"::/0"}));
    all.remove(*state::parse_ip_prefix("8000::/1"));
    EXPECT_EQ(text(all), "::/1");
    PrefixSet top(prefixes({"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"}));
    top.remove(*state::parse_ip_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"));
    EXPECT_EQ(text(top), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128");
}

TEST(PrefixSet, IntersectionOverlapsAndContains) {
    PrefixSet a(prefixes({"10.0.0.0/24", "fd00::/64"}));
    PrefixSet b(prefixes({"10.0.0.128/25", "10.1.0.0/16", "fd00::1"}));
    EXPECT_EQ(text(a.intersection(b)), "10.0.0.128/25 fd00::1/128");
    EXPECT_TRUE(a.overlaps(b));
    EXPECT_FALSE(a.overlaps(PrefixSet(prefixes({"10.0.1.0/24", "fd01::/64"}))));
    EXPECT_TRUE(a.contains(*state::parse_ip_address("10.0.0.255")));
    EXPECT_FALSE(a.contains(*state::parse_ip_address("10.0.1.0")));
    EXPECT_FALSE(PrefixSet(prefixes({"0.0.0.0/0"})).contains(*state::parse_ip_address("::ffff:10.0.0.1")));

    PrefixSet c = a;
    c.remove(b);
    EXPECT_EQ(text(c), "10.0.0.0/25 fd00::/128 fd00::2/127 fd00::4/126 fd00::8/125 fd00::10/124 fd00::20/123 "
                       "fd00::40/122 fd00::80/121 fd00::100/120 fd00::200/119 fd00::400/118 fd00::800/117 "
                       "fd00::1000/116 fd00::2000/115 fd00::4000/114 fd00::8000/113 fd00::1:0/112 fd00::2:0/111 "
                       "fd00::4:0/110 fd00::8:0/109 fd00::10:0/108 fd00::20:0/107 fd00::40:0/106 fd00::80:0/105 "
                       "fd00::100:0/104 fd00::200:0/103 fd00::400:0/102 fd00::800:0/101 fd00::1000:0/100 "
                       "fd00::2000:0/99 fd00::4000:0/98 fd00::8000:0/97 fd00::1:0:0/96 fd00::2:0:0/95 "
                       "fd00::4:0:0/94 fd00::8:0:0/93 fd00::10:0:0/92 fd00::20:0:0/91 fd00::40:0:0/90 "
                       "fd00::80:0:0/89 fd00::100:0:0/88 fd00::200:0:0/87 fd00::400:0:0/86 fd00::800:0:0/85 "
                       "fd00::1000:0:0/84 fd00::2000:0:0/83 fd00::4000:0:0/82 fd00::8000:0:0/81 fd00::1:0:0:0/80 "
                       "fd00::2:0:0:0/79 fd00::4:0:0:0/78 fd00::8:0:0:0/77 fd00::10:0:0:0/76 fd00::20:0:0:0/75 "
                       "fd00::40:0:0:0/74 fd00::80:0:0:0/73 fd00::100:0:0:0/72 fd00::200:0:0:0/71 "
                       "fd00::400:0:0:0/70 fd00::800:0:0:0/69 fd00::1000:0:0:0/68 fd00::2000:0:0:0/67 "
                       "fd00::4000:0:0:0/66 fd00::8000:0:0:0/65");
    PrefixSet d;
    d.add(c);
    d.add(b);
    d.add(a);
    EXPECT_EQ(text(d), "10.0.0.0/24 10.1.0.0/16 fd00::/64");
}

}  // namespace
}  // namespace nodenet::kubespan
