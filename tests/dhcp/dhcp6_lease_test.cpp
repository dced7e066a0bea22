#include "dhcp/dhcp6_lease.h"

#include <gtest/gtest.h>

#include "tests/dhcp/dhcp6_fake_server.h"

namespace nodenet::dhcp::v6::testing {
namespace {

using namespace std::chrono_literals;

Message request(uint32_t iaid = 5) {
    Message m;
    m.type = MessageType::Request;
    m.xid = 1;
    m.add(option::kClientId, {0, 3, 0, 1, 1, 2, 3, 4, 5, 6});
    m.add(option::kIaNa, encode_ia_na({iaid, 0, 0, {}, std::nullopt}));
    return m;
}

const TimePoint kSent = TimePoint{} + 500s;

TEST(Dhcp6Lease, RefusesRepliesWithoutAUsableAddress) {
    auto error = [](const ServerAnswer& a, uint32_t iaid = 5) {
        auto l = lease_from_reply(answer(request(), a), iaid, kSent);
        return l.ok() ? std::string("leased") : l.error();
    };
    EXPECT_EQ(error({}), "leased");
    EXPECT_EQ(error({}, 6), "no IA_NA 6 in the REPLY");
    EXPECT_EQ(error({.ia_status = 2, .no_address = true}), "NoAddrsAvail (\"from the test\")");
    EXPECT_EQ(error({.no_address = true}), "no address with a valid lifetime in IA_NA 5");
    EXPECT_EQ(error({.preferred = 0, .valid = 0}), "no address with a valid lifetime in IA_NA 5");
    EXPECT_EQ(error({.preferred = 200, .valid = 100}), "no address with a valid lifetime in IA_NA 5");
    EXPECT_EQ(error({.t1 = 90, .t2 = 60}), "T1 90 > T2 60");
    EXPECT_EQ(error({.server = {}}), "no valid server identifier");
}

TEST(Dhcp6Lease, MalformedOptionalOptionsAreWarningsNotFailures) {
    Message reply = answer(request());
    for (Option& o : reply.options)
        if (o.code == option::kDnsServers) o.data.pop_back();
    auto lease = lease_from_reply(reply, 5, kSent);
    ASSERT_TRUE(lease.ok()) << lease.error();
    EXPECT_TRUE(lease->dns.empty());
    ASSERT_EQ(lease->warnings.size(), 1u);
    EXPECT_EQ(lease->warnings[0], "DNS servers option of 15 bytes, not a multiple of 16; ignored");
}

TEST(Dhcp6Lease, TimersAreCappedByTheValidLifetime) {
    auto lease = lease_from_reply(answer(request(), {.preferred = 50, .valid = 100, .t1 = 500, .t2 = 800}), 5, kSent);
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ(lease->t1, 100s);
    EXPECT_EQ(lease->t2, 100s);
    EXPECT_EQ(lease->expires_at(), kSent + 100s);
}

TEST(Dhcp6Lease, JsonRoundTripKeepsTheRemainingTimeAcrossClocks) {
    auto lease = lease_from_reply(answer(request()), 5, kSent);
    ASSERT_TRUE(lease.ok());
    WallTime wall = WallTime{} + std::chrono::hours(24 * 365 * 50);
    std::string json = to_json(*lease, kSent + 10s, wall);
    // Read back on another boot: the monotonic clock starts elsewhere, 20 s of wall time later.
    TimePoint other_now = TimePoint{} + 7s;
    auto back = from_json(json, other_now, wall + 20s);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->acquired_at, other_now - 30s);
    Lease expected = *lease;
    expected.acquired_at = back->acquired_at;
    EXPECT_EQ(*back, expected);
}

TEST(Dhcp6Lease, DamagedJsonIsRefusedNamingTheField) {
    auto error = [](const std::string& text) {
        auto l = from_json(text, kSent, WallTime{});
        return l.ok() ? std::string("read") : l.error();
    };
    EXPECT_EQ(error("{"), "lease JSON: not valid JSON");
    EXPECT_EQ(error("[]"), "lease JSON: not an object");
    EXPECT_EQ(error(R"({"address": "10.0.0.1"})"), "lease JSON: \"address\": not an IPv6 address");
    std::string good = R"({"address":"fd00::5","iaid":5,"server_id":"00:01:aa","preferred_seconds":10,)"
                       R"("valid_seconds":20,"t1_seconds":5,"t2_seconds":8,"acquired_at_unix_ms":0})";
    EXPECT_EQ(error(good), "read");
    std::string bad_duid = good;
    bad_duid.replace(bad_duid.find("00:01:aa"), 8, "zz");
    EXPECT_EQ(error(bad_duid), "lease JSON: \"server_id\": not a DUID in hex");
    std::string inverted = good;
    inverted.replace(inverted.find("\"preferred_seconds\":10"), 22, "\"preferred_seconds\":30");
    EXPECT_EQ(error(inverted), "lease JSON: preferred <= valid and T1 <= T2 do not hold");
}

}  // namespace
}  // namespace nodenet::dhcp::v6::testing
