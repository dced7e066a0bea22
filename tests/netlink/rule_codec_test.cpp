// Policy routing rules at the byte level: the dump request, the kernel's RTM_NEWRULE answers and
// the RTM_NEWRULE / RTM_DELRULE requests nodenet sends, checked against exact bytes (little-endian
// host, as every machine nodenet runs on). No root needed.
#include <gtest/gtest.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include <cstring>
#include <vector>

#include "netlink/message_builder.h"
#include "netlink/rtnl_codec.h"
#include "plan/operation.h"

namespace nodenet::netlink {
namespace {

using Bytes = std::vector<uint8_t>;

// The bytes as a message the decoder can take (aligned, owned by the test).
struct RawMessage {
    explicit RawMessage(const Bytes& bytes) : storage((bytes.size() + 3) / 4) {
        std::memcpy(storage.data(), bytes.data(), bytes.size());
    }
    nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(storage.data()); }
    std::vector<uint32_t> storage;
};

Bytes bytes_of(nl_msg* msg) {
    const auto* h = nlmsg_hdr(msg);
    const auto* p = reinterpret_cast<const uint8_t*>(h);
    return Bytes(p, p + h->nlmsg_len);
}

state::RoutingRule kubespan_rule(state::Family family) {
    state::RoutingRule r;
    r.family = family;
    r.priority = 32500;
    r.table = 180;
    r.fwmark = 0x40;
    r.fwmask = 0x60;
    return r;
}

Bytes build_one(const plan::Change& change, uint32_t seq) {
    auto msgs = build_requests(plan::Operation{change, "test"}, [](const std::string&) { return 0; }, seq);
    EXPECT_TRUE(msgs.ok()) << (msgs.ok() ? "" : msgs.error());
    if (!msgs.ok() || msgs->size() != 1) return {};
    return (*msgs)[0];
}

TEST(RuleCodec, DumpRequestIsAnEmptyHeaderOfEveryFamily) {
    NlMsgPtr msg = rule_dump_request();
    ASSERT_TRUE(msg);
    Bytes b = bytes_of(msg.get());
    // Strict checking refuses anything but the family in a rule dump request.
    Bytes expected = {0x1c, 0x00, 0x00, 0x00,  // nlmsg_len 28
                      0x22, 0x00,              // RTM_GETRULE
                      0x00, 0x03,              // NLM_F_DUMP (libnl adds NLM_F_REQUEST when sending)
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};  // fib_rule_hdr
    // libnl fills in sequence and port when sending: compare all but those.
    std::memset(b.data() + 8, 0, 8);
    EXPECT_EQ(b, expected);
}

TEST(RuleCodec, KubespanRuleRequestExactBytes) {
    Bytes add = build_one(plan::AddRule{kubespan_rule(state::Family::V4)}, 100);
    Bytes expected = {
        0x44, 0x00, 0x00, 0x00,  // nlmsg_len 68
        0x20, 0x00,              // RTM_NEWRULE
        0x05, 0x06,              // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
        0x64, 0x00, 0x00, 0x00,  // seq 100
        0x00, 0x00, 0x00, 0x00,  // port
        0x02, 0x00, 0x00, 0x00,  // AF_INET, dst_len 0, src_len 0, tos 0
        0xb4, 0x00, 0x00, 0x01,  // table 180, reserved, reserved, FR_ACT_TO_TBL
        0x00, 0x00, 0x00, 0x00,  // flags
        0x08, 0x00, 0x06, 0x00, 0xf4, 0x7e, 0x00, 0x00,  // FRA_PRIORITY 32500
        0x08, 0x00, 0x0f, 0x00, 0xb4, 0x00, 0x00, 0x00,  // FRA_TABLE 180
        0x08, 0x00, 0x0a, 0x00, 0x40, 0x00, 0x00, 0x00,  // FRA_FWMARK 0x40
        0x08, 0x00, 0x10, 0x00, 0x60, 0x00, 0x00, 0x00,  // FRA_FWMASK 0x60
        0x05, 0x00, 0x15, 0x00, 0x6e, 0x00, 0x00, 0x00,  // FRA_PROTOCOL 110, padded
    };
    EXPECT_EQ(add, expected);

    // The delete names the same rule, without NLM_F_CREATE | NLM_F_EXCL.
    Bytes del = build_one(plan::DeleteRule{kubespan_rule(state::Family::V4)}, 100);
    expected[4] = RTM_DELRULE;
    expected[6] = 0x05;
    expected[7] = 0x00;
    EXPECT_EQ(del, expected);
}

TEST(RuleCodec, Ipv6SelectorsAndActionsWithoutTable) {
    state::RoutingRule r;
    r.family = state::Family::V6;
    r.priority = 1000;
    r.action = state::RuleAction::Unreachable;
    r.source = state::parse_ip_prefix("fd00:1::5/64");  // host bits are not sent
    r.iif = "eth0";
    r.fwmark = 0x7;  // no mask: the kernel's "all bits"
    Bytes add = build_one(plan::AddRule{r}, 1);
    Bytes expected = {
        0x54, 0x00, 0x00, 0x00, 0x20, 0x00, 0x05, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x0a, 0x00, 0x40, 0x00,  // AF_INET6, dst_len 0, src_len 64, tos 0
        0x00, 0x00, 0x00, 0x07,  // no table, FR_ACT_UNREACHABLE
        0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x06, 0x00, 0xe8, 0x03, 0x00, 0x00,  // FRA_PRIORITY 1000
        0x14, 0x00, 0x02, 0x00,                          // FRA_SRC fd00:1::
        0xfd, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x09, 0x00, 0x03, 0x00, 'e', 't', 'h', '0', 0x00, 0x00, 0x00, 0x00,  // FRA_IIFNAME "eth0"
        0x08, 0x00, 0x0a, 0x00, 0x07, 0x00, 0x00, 0x00,  // FRA_FWMARK 7
        0x05, 0x00, 0x15, 0x00, 0x6e, 0x00, 0x00, 0x00,  // FRA_PROTOCOL 110
    };
    EXPECT_EQ(add, expected);
}

// What `ip -6 rule add from fd00:1::/64 iif eth0 fwmark 0x40/0x60 lookup 1000 pref 200 proto 110`
// reads back as, in a dump.
const Bytes kIpv6Rule = {
    0x6c, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // NLM_F_MULTI
    0x0a, 0x00, 0x40, 0x00,  // AF_INET6, src_len 64
    0xfc, 0x00, 0x00, 0x01,  // RT_TABLE_COMPAT: the table is above 255
    0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x0f, 0x00, 0xe8, 0x03, 0x00, 0x00,  // FRA_TABLE 1000
    0x08, 0x00, 0x0e, 0x00, 0xff, 0xff, 0xff, 0xff,  // FRA_SUPPRESS_PREFIXLEN -1: sent with every rule
    0x08, 0x00, 0x06, 0x00, 0xc8, 0x00, 0x00, 0x00,  // FRA_PRIORITY 200
    0x14, 0x00, 0x02, 0x00, 0xfd, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00,                                                           // FRA_SRC fd00:1::
    0x09, 0x00, 0x03, 0x00, 'e', 't', 'h', '0', 0x00, 0x00, 0x00, 0x00,  // FRA_IIFNAME
    0x08, 0x00, 0x0a, 0x00, 0x40, 0x00, 0x00, 0x00,                      // FRA_FWMARK
    0x08, 0x00, 0x10, 0x00, 0x60, 0x00, 0x00, 0x00,                      // FRA_FWMASK
    0x05, 0x00, 0x15, 0x00, 0x6e, 0x00, 0x00, 0x00,                      // FRA_PROTOCOL 110
};

TEST(RuleCodec, DecodesEveryFieldWithFraTableOverTheHeader) {
    RawMessage m(kIpv6Rule);
    auto decoded = decode_rule(m.hdr());
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    ASSERT_TRUE(*decoded);
    const state::ObservedRule& r = **decoded;
    EXPECT_EQ(r.family, state::Family::V6);
    EXPECT_EQ(r.priority, 200u);
    EXPECT_EQ(r.action, state::RuleAction::Lookup);
    EXPECT_EQ(r.table, 1000u);
    ASSERT_TRUE(r.source);
    EXPECT_EQ(r.source->str(), "fd00:1::/64");
    EXPECT_FALSE(r.destination);
    EXPECT_EQ(r.iif, "eth0");
    EXPECT_EQ(r.oif, "");
    EXPECT_EQ(r.fwmark, 0x40u);
    EXPECT_EQ(r.fwmask, 0x60u);
    EXPECT_EQ(r.protocol, 110);
    EXPECT_FALSE(r.other_selectors);
    EXPECT_EQ(r.key(), (state::RuleKey{state::Family::V6, 200}));
}

TEST(RuleCodec, KernelDefaultRuleWithoutPriorityIsPriorityZero) {
    // `0: from all lookup local`: the kernel leaves FRA_PRIORITY out when it is 0.
    const Bytes local = {
        0x2c, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x0f, 0x00, 0xff, 0x00, 0x00, 0x00,  // FRA_TABLE 255
        0x05, 0x00, 0x15, 0x00, 0x02, 0x00, 0x00, 0x00,  // FRA_PROTOCOL kernel
    };
    RawMessage m(local);
    auto decoded = decode_rule(m.hdr());
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    ASSERT_TRUE(*decoded);
    EXPECT_EQ((*decoded)->priority, 0u);
    EXPECT_EQ((*decoded)->table, 255u);
    EXPECT_EQ((*decoded)->family, state::Family::V4);
    EXPECT_EQ((*decoded)->protocol, 2);
    EXPECT_FALSE((*decoded)->source);
}

TEST(RuleCodec, UnmodelledSelectorsAndActionsAreFlagged) {
    Bytes inverted = kIpv6Rule;
    inverted[24] = FIB_RULE_INVERT;  // `not`
    RawMessage a(inverted);
    auto not_rule = decode_rule(a.hdr());
    ASSERT_TRUE(not_rule.ok() && *not_rule);
    EXPECT_TRUE((*not_rule)->other_selectors);

    Bytes with_ipproto = kIpv6Rule;
    with_ipproto[0] += 8;
    static_assert(FRA_IP_PROTO == 0x16);
    for (uint8_t b : {0x05, 0x00, 0x16, 0x00, 0x06, 0x00, 0x00, 0x00}) with_ipproto.push_back(b);  // ipproto tcp
    RawMessage b(with_ipproto);
    auto ipproto = decode_rule(b.hdr());
    ASSERT_TRUE(ipproto.ok() && *ipproto);
    EXPECT_TRUE((*ipproto)->other_selectors);

    Bytes suppress = kIpv6Rule;
    suppress[40] = 0;  // `suppress_prefixlength 0`
    suppress[41] = suppress[42] = suppress[43] = 0;
    RawMessage s(suppress);
    auto suppressing = decode_rule(s.hdr());
    ASSERT_TRUE(suppressing.ok() && *suppressing);
    EXPECT_TRUE((*suppressing)->other_selectors);

    Bytes nop = kIpv6Rule;
    nop[23] = FR_ACT_NOP;
    RawMessage c(nop);
    auto nop_rule = decode_rule(c.hdr());
    ASSERT_TRUE(nop_rule.ok() && *nop_rule);
    EXPECT_TRUE((*nop_rule)->other_selectors);
}

TEST(RuleCodec, OtherFamiliesAreSkippedAndBadMessagesRejected) {
    Bytes ipmr = kIpv6Rule;
    ipmr[16] = RTNL_FAMILY_IPMR;
    RawMessage a(ipmr);
    auto skipped = decode_rule(a.hdr());
    ASSERT_TRUE(skipped.ok());
    EXPECT_FALSE(*skipped);

    Bytes short_source = kIpv6Rule;
    short_source[18] = 129;  // longer than an IPv6 address
    RawMessage b(short_source);
    auto too_long = decode_rule(b.hdr());
    ASSERT_FALSE(too_long.ok());
    EXPECT_NE(too_long.error().find("IPv6 rule 200"), std::string::npos) << too_long.error();

    Bytes truncated(kIpv6Rule.begin(), kIpv6Rule.begin() + 20);
    truncated[0] = 20;
    RawMessage c(truncated);
    EXPECT_FALSE(decode_rule(c.hdr()).ok());

    Bytes bad_priority = kIpv6Rule;
    bad_priority[44] = 6;  // FRA_PRIORITY of 2 bytes
    RawMessage d(bad_priority);
    auto malformed = decode_rule(d.hdr());
    ASSERT_FALSE(malformed.ok());
    EXPECT_NE(malformed.error().find("malformed"), std::string::npos) << malformed.error();
}

}  // namespace
}  // namespace nodenet::netlink
