// A lease from an ACK: which routes win (RFC 3442), T1/T2 defaults and repairs, what refuses an ACK
// and what is only a warning; and its JSON form rebased across a reboot.
#include "dhcp/dhcp4_lease.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/dhcp/dhcp4_fake_server.h"

namespace nodenet::dhcp {
namespace {

using namespace std::chrono_literals;
using testing::rich_ack;

const TimePoint kNow = TimePoint{} + 5000s;

Lease lease_of(const Message& ack) {
    auto lease = lease_from_ack(ack, kNow);
    EXPECT_TRUE(lease.ok()) << lease.error();
    return lease.ok() ? *lease : Lease{};
}

std::string refusal(const Message& ack) {
    auto lease = lease_from_ack(ack, kNow);
    EXPECT_FALSE(lease.ok());
    return lease.ok() ? std::string() : lease.error();
}

bool has_warning(const Lease& lease, const std::string& part) {
    for (const auto& w : lease.warnings)
        if (w.find(part) != std::string::npos) return true;
    return false;
}

TEST(Dhcp4Lease, EveryFieldFromARichAck) {
    Lease lease = lease_of(rich_ack());
    EXPECT_EQ(lease.address.str(), "10.1.2.3/24");
    EXPECT_EQ(lease.server_id, ipv4(10, 1, 2, 1));
    EXPECT_EQ(lease.routers, (std::vector<state::IpAddress>{ipv4(10, 1, 2, 1), ipv4(10, 1, 2, 254)}));
    EXPECT_TRUE(lease.classless_routes.empty());
    EXPECT_EQ(lease.dns, (std::vector<state::IpAddress>{ipv4(10, 1, 2, 53), ipv4(9, 9, 9, 9)}));
    EXPECT_EQ(lease.ntp, std::vector<state::IpAddress>{ipv4(10, 1, 2, 123)});
    EXPECT_EQ(lease.search_domains, (std::vector<std::string>{"lab.example", "example"}));
    EXPECT_EQ(lease.domain, "lab.example");
    EXPECT_EQ(lease.hostname, "node-7");
    EXPECT_EQ(lease.mtu, 9000);
    EXPECT_EQ(lease.broadcast, ipv4(10, 1, 2, 255));
    EXPECT_EQ(lease.lease_time, 7200s);
    EXPECT_EQ(lease.t1, 3600s);  // 0.5 × lease
    EXPECT_EQ(lease.t2, 6300s);  // 0.875 × lease
    EXPECT_EQ(lease.acquired_at, kNow);
    EXPECT_EQ(lease.renew_at(), kNow + 3600s);
    EXPECT_EQ(lease.rebind_at(), kNow + 6300s);
    EXPECT_EQ(lease.expires_at(), kNow + 7200s);
    EXPECT_TRUE(lease.warnings.empty());
    ASSERT_EQ(lease.routes().size(), 2u);  // a default route through each router
    EXPECT_EQ(lease.routes()[0].destination.str(), "0.0.0.0/0");
    EXPECT_EQ(lease.routes()[1].gateway, ipv4(10, 1, 2, 254));
}

TEST(Dhcp4Lease, ClasslessRoutesOverrideRouters) {
    Message ack = rich_ack();
    set_classless_routes(ack.options, option::kClasslessRoutes,
                         {{state::IpPrefix{ipv4(0, 0, 0, 0), 0}, ipv4(10, 1, 2, 9)},
                          {state::IpPrefix{ipv4(172, 16, 0, 0), 12}, ipv4(0, 0, 0, 0)}});
    set_classless_routes(ack.options, option::kMsClasslessRoutes,
                         {{state::IpPrefix{ipv4(0, 0, 0, 0), 0}, ipv4(1, 1, 1, 1)}});
    Lease lease = lease_of(ack);
    EXPECT_TRUE(lease.routers.empty());  // RFC 3442 §3
    ASSERT_EQ(lease.classless_routes.size(), 2u);
    EXPECT_EQ(lease.classless_routes[0].gateway, ipv4(10, 1, 2, 9));
    EXPECT_EQ(lease.routes(), lease.classless_routes);
}

TEST(Dhcp4Lease, MicrosoftRoutesWhen121IsAbsent) {
    Message ack = rich_ack();
    set_classless_routes(ack.options, option::kMsClasslessRoutes,
                         {{state::IpPrefix{ipv4(10, 9, 0, 0), 16}, ipv4(10, 1, 2, 7)}});
    Lease lease = lease_of(ack);
    EXPECT_TRUE(lease.routers.empty());
    ASSERT_EQ(lease.classless_routes.size(), 1u);
    EXPECT_EQ(lease.classless_routes[0].destination.str(), "10.9.0.0/16");
}

TEST(Dhcp4Lease, MalformedClasslessRoutesFallBackWithAWarning) {
    Message ack = rich_ack();
    ack.options.set(option::kClasslessRoutes, {40, 1, 2, 3, 4, 5, 6, 7, 8});
    Lease lease = lease_of(ack);
    EXPECT_TRUE(has_warning(lease, "option 121 (classless static routes): route at offset 0: prefix length 40"));
    EXPECT_EQ(lease.routers.size(), 2u);  // a broken 121 is no 121, and 249 is absent

    set_classless_routes(ack.options, option::kMsClasslessRoutes,
                         {{state::IpPrefix{ipv4(0, 0, 0, 0), 0}, ipv4(10, 1, 2, 2)}});
    lease = lease_of(ack);
    ASSERT_EQ(lease.classless_routes.size(), 1u);  // then 249 is next in line
    EXPECT_EQ(lease.classless_routes[0].gateway, ipv4(10, 1, 2, 2));
    EXPECT_TRUE(lease.routers.empty());
}

TEST(Dhcp4Lease, GivenT1AndT2AreHonoured) {
    Message ack = rich_ack();
    set_u32(ack.options, option::kRenewalTime, 1000);
    set_u32(ack.options, option::kRebindingTime, 2000);
    Lease lease = lease_of(ack);
    EXPECT_EQ(lease.t1, 1000s);
    EXPECT_EQ(lease.t2, 2000s);
    EXPECT_TRUE(lease.warnings.empty());
}

TEST(Dhcp4Lease, T2PastLeaseFallsBackToDefault) {
    Message ack = rich_ack();
    set_u32(ack.options, option::kRebindingTime, 9000);
    Lease lease = lease_of(ack);
    EXPECT_EQ(lease.t2, 6300s);
    EXPECT_EQ(lease.t1, 3600s);
    EXPECT_TRUE(has_warning(lease, "T2 9000s is past the lease time"));
}

TEST(Dhcp4Lease, T1PastT2FallsBackToDefaults) {
    Message ack = rich_ack();
    set_u32(ack.options, option::kRenewalTime, 5000);
    set_u32(ack.options, option::kRebindingTime, 4000);
    Lease lease = lease_of(ack);
    EXPECT_EQ(lease.t1, 3600s);
    EXPECT_EQ(lease.t2, 6300s);
    EXPECT_TRUE(has_warning(lease, "T1 5000s is past T2 4000s"));
    // T2 alone below the default T1: both defaults again.
    ack.options.erase(option::kRenewalTime);
    set_u32(ack.options, option::kRebindingTime, 100);
    lease = lease_of(ack);
    EXPECT_EQ(lease.t1, 3600s);
    EXPECT_EQ(lease.t2, 6300s);
}

TEST(Dhcp4Lease, ZeroT1AndT2AreIgnored) {
    Message ack = rich_ack();
    set_u32(ack.options, option::kRenewalTime, 0);
    set_u32(ack.options, option::kRebindingTime, 0);
    Lease lease = lease_of(ack);
    EXPECT_EQ(lease.t1, 3600s);
    EXPECT_EQ(lease.t2, 6300s);
    EXPECT_TRUE(has_warning(lease, "T1 of 0s ignored"));
    EXPECT_TRUE(has_warning(lease, "T2 of 0s ignored"));
}

TEST(Dhcp4Lease, VeryShortLeaseIsRaisedToTwentySeconds) {
    Message ack = rich_ack();
    set_u32(ack.options, option::kLeaseTime, 1);
    Lease lease = lease_of(ack);
    EXPECT_EQ(lease.lease_time, 20s);
    EXPECT_EQ(lease.t1, 10s);
    EXPECT_EQ(lease.t2, 17s);
    EXPECT_TRUE(has_warning(lease, "lease time 1s is below 20s; using 20s"));
}

TEST(Dhcp4Lease, InfiniteLeaseNeverRenews) {
    Message ack = rich_ack();
    set_u32(ack.options, option::kLeaseTime, kInfiniteTime);
    set_u32(ack.options, option::kRenewalTime, 100);
    Lease lease = lease_of(ack);
    EXPECT_TRUE(lease.infinite());
    EXPECT_EQ(lease.renew_at(), TimePoint::max());
    EXPECT_EQ(lease.expires_at(), TimePoint::max());
}

TEST(Dhcp4Lease, MissingLeaseTimeDefaultsToThirtyMinutes) {
    Message ack = rich_ack();
    ack.options.erase(option::kLeaseTime);
    Lease lease = lease_of(ack);
    EXPECT_EQ(lease.lease_time, 1800s);
    EXPECT_EQ(lease.t1, 900s);
    EXPECT_TRUE(has_warning(lease, "no lease time (option 51)"));
}

TEST(Dhcp4Lease, MissingMaskIsClassful) {
    Message ack = rich_ack();
    ack.options.erase(option::kSubnetMask);
    EXPECT_EQ(lease_of(ack).address.str(), "10.1.2.3/8");
    ack.yiaddr = ipv4(172, 16, 0, 9);
    EXPECT_EQ(lease_of(ack).address.str(), "172.16.0.9/16");
    ack.yiaddr = ipv4(192, 168, 0, 9);
    EXPECT_EQ(lease_of(ack).address.str(), "192.168.0.9/24");
    EXPECT_TRUE(has_warning(lease_of(ack), "no subnet mask (option 1); assuming the classful /24"));
}

TEST(Dhcp4Lease, BadOptionalOptionsAreWarnings) {
    Message ack = rich_ack();
    set_u16(ack.options, option::kInterfaceMtu, 500);
    ack.options.set(option::kDnsServers, {1, 2, 3});
    ack.options.set(option::kDomainSearch, {0xC0, 0x00});
    Lease lease = lease_of(ack);
    EXPECT_FALSE(lease.mtu);
    EXPECT_TRUE(lease.dns.empty());
    EXPECT_TRUE(lease.search_domains.empty());
    EXPECT_TRUE(has_warning(lease, "option 26 (interface MTU): 500 is below the minimum 576; ignored"));
    EXPECT_TRUE(has_warning(lease, "option 6 (DNS servers): length 3"));
    EXPECT_TRUE(has_warning(lease, "(a loop)"));
}

TEST(Dhcp4Lease, RefusedAcks) {
    Message offer = rich_ack();
    set_message_type(offer.options, MessageType::Offer);
    EXPECT_EQ(refusal(offer), "not a DHCPACK but a DHCPOFFER");

    Message untyped = rich_ack();
    untyped.options.erase(option::kMessageType);
    EXPECT_EQ(refusal(untyped), "not a usable DHCPACK: no message type (option 53)");

    Message anonymous = rich_ack();
    anonymous.options.erase(option::kServerId);
    EXPECT_EQ(refusal(anonymous), "DHCPACK without a server identifier (option 54)");

    Message zero_lease = rich_ack();
    set_u32(zero_lease.options, option::kLeaseTime, 0);
    EXPECT_EQ(refusal(zero_lease), "DHCPACK grants a lease time of 0 seconds");

    for (auto bad : {ipv4(0, 0, 0, 0), ipv4(127, 0, 0, 1), ipv4(224, 0, 0, 1), ipv4(255, 255, 255, 255)}) {
        Message ack = rich_ack();
        ack.yiaddr = bad;
        EXPECT_EQ(refusal(ack), "DHCPACK offers " + bad.str() + ", not an address a host can use");
    }
}

TEST(Dhcp4LeaseJson, RoundTripsAcrossAReboot) {
    Message ack = rich_ack();
    set_classless_routes(ack.options, option::kClasslessRoutes,
                         {{state::IpPrefix{ipv4(0, 0, 0, 0), 0}, ipv4(10, 1, 2, 1)}});
    Lease lease = lease_of(ack);
    lease.warnings.clear();
    const WallTime wall = WallTime{} + 1'700'000'000s;
    // Written 100 s after acquisition; read 3600 s later on the wall clock, on a new boot whose
    // monotonic clock started over at 20 s.
    std::string text = to_json(lease, kNow + 100s, wall);
    auto back = from_json(text, TimePoint{} + 20s, wall + 3600s);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->acquired_at, TimePoint{} + 20s - 3700s);
    back->acquired_at = lease.acquired_at;
    EXPECT_EQ(*back, lease);
    EXPECT_NE(text.find("\"acquired_at_unix_ms\": 1699999900000"), std::string::npos) << text;
}

TEST(Dhcp4LeaseJson, OptionalFieldsAbsent) {
    Lease lease = lease_of(testing::reply_to(Message{}, {}));
    lease.warnings.clear();
    auto back = from_json(to_json(lease, kNow, WallTime{} + 1000s), kNow, WallTime{} + 1000s);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, lease);
    EXPECT_FALSE(back->hostname);
    EXPECT_FALSE(back->mtu);
}

TEST(Dhcp4LeaseJson, FromTheFutureCountsAsAcquiredNow) {
    Lease lease = lease_of(rich_ack());
    auto back = from_json(to_json(lease, kNow, WallTime{} + 5000s), kNow, WallTime{} + 4000s);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->acquired_at, kNow);
}

TEST(Dhcp4LeaseJson, RefusesBrokenFiles) {
    const TimePoint now = kNow;
    const WallTime wall = WallTime{} + 1000s;
    std::string good = to_json(lease_of(rich_ack()), now, wall);
    auto error_of = [&](const std::string& text) {
        auto lease = from_json(text, now, wall);
        EXPECT_FALSE(lease.ok()) << text;
        return lease.ok() ? std::string() : lease.error();
    };
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string text = good;
        auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return text.replace(at, from.size(), to);
    };
    EXPECT_EQ(error_of("{"), "lease JSON: not valid JSON");
    EXPECT_EQ(error_of("[]"), "lease JSON: not an object");
    EXPECT_EQ(error_of("{}"), "lease JSON: \"address\": missing");
    EXPECT_EQ(error_of(replaced("10.1.2.3/24", "2001:db8::1/64")),
              "lease JSON: \"address\": not an IPv4 address with a prefix length");
    EXPECT_EQ(error_of(replaced("\"server_id\": \"10.1.2.1\"", "\"server_id\": 5")),
              "lease JSON: \"server_id\": not an IPv4 address");
    EXPECT_EQ(error_of(replaced("\"dns\": [", "\"dns\": [1, ")), "lease JSON: \"dns\": not a list of IPv4 addresses");
    EXPECT_EQ(error_of(replaced("\"mtu\": 9000", "\"mtu\": 100")), "lease JSON: \"mtu\": out of range");
    EXPECT_EQ(error_of(replaced("\"lease_seconds\": 7200", "\"lease_seconds\": 18446744073709551615")),
              "lease JSON: \"lease_seconds\": out of range");
    EXPECT_EQ(error_of(replaced("\"t1_seconds\": 3600", "\"t1_seconds\": 7000")),
              "lease JSON: T1 <= T2 <= lease time does not hold");
    EXPECT_EQ(error_of(replaced("\"acquired_at_unix_ms\"", "\"acquired\"")),
              "lease JSON: \"acquired_at_unix_ms\": missing");
    EXPECT_EQ(error_of(replaced("\"search_domains\": [", "\"search_domains\": [1,")),
              "lease JSON: \"search_domains\": not a list of strings");
}

}  // namespace
}  // namespace nodenet::dhcp
