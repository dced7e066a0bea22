// The RFC 2131 state machine driven by a fake clock and a scripted server: DORA, renewing, rebinding,
// expiry, NAKs, lost packets and their timing, INIT-REBOOT, link flaps, RFC 5227 declines, release.
#include "dhcp/dhcp4_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "dhcp/dhcp4_options.h"
#include "tests/dhcp/dhcp4_client_harness.h"

namespace nodenet::dhcp {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // the harness and the fake server

TEST(Dhcp4Client, FullDora) {
    Harness h;
    h.feed(Start{});
    EXPECT_EQ(h.client.state(), ClientState::Selecting);
    ASSERT_TRUE(h.has<SendBroadcast>());
    Message discover = h.sent();
    EXPECT_EQ(type_of(discover), MessageType::Discover);
    EXPECT_EQ(discover.op, kBootRequest);
    EXPECT_TRUE(std::equal(kMac.begin(), kMac.end(), discover.chaddr.begin()));
    EXPECT_EQ(option_bytes(discover, option::kClientId), (std::vector<uint8_t>{1, 0x52, 0x54, 0x00, 0xab, 0xcd, 0x01}));
    EXPECT_EQ(option_bytes(discover, option::kParameterRequestList),
              (std::vector<uint8_t>{1, 3, 6, 12, 15, 26, 28, 42, 51, 54, 58, 59, 119, 121, 249}));
    EXPECT_EQ(option_bytes(discover, option::kMaxMessageSize), (std::vector<uint8_t>{0x05, 0xDC}));
    EXPECT_FALSE(discover.options.has(option::kRequestedIp));
    EXPECT_FALSE(discover.options.has(option::kHostname));
    EXPECT_FALSE(discover.broadcast());
    EXPECT_EQ(h.timer, h.now + 4s);  // no 1–10 s start-up delay: the DISCOVER goes out at once

    h.now += 2s;
    h.receive(reply_to(discover, {.type = MessageType::Offer}));
    EXPECT_EQ(h.client.state(), ClientState::Requesting);
    Message request = h.sent();
    EXPECT_TRUE(h.has<SendBroadcast>());
    EXPECT_EQ(type_of(request), MessageType::Request);
    EXPECT_EQ(request.xid, discover.xid);  // one exchange, one xid
    EXPECT_EQ(request.secs, 2);
    EXPECT_EQ(option_ip(request, option::kRequestedIp), kAddress);
    EXPECT_EQ(option_ip(request, option::kServerId), kServer);
    EXPECT_TRUE(request.ciaddr.is_unspecified());
    const TimePoint requested_at = h.now;

    h.now += 1s;
    h.receive(reply_to(request));
    ASSERT_TRUE(h.has<ApplyLease>());
    const Lease& lease = h.find<ApplyLease>()->lease;
    EXPECT_EQ(lease.address.str(), "192.168.1.50/24");
    EXPECT_EQ(lease.acquired_at, requested_at);  // RFC 2131 §4.4.1: from when the REQUEST went out
    EXPECT_EQ(h.client.state(), ClientState::Bound);
    EXPECT_EQ(h.timer, requested_at + 1800s);
    EXPECT_FALSE(h.has<RemoveLease>());
    EXPECT_EQ(h.client.lease()->address, lease.address);
}

TEST(Dhcp4Client, RenewsAtT1ByUnicast) {
    Harness h;
    Lease lease = h.bind();
    uint32_t old_xid = h.bound_xid;
    h.fire();
    EXPECT_EQ(h.now, lease.renew_at());
    EXPECT_EQ(h.client.state(), ClientState::Renewing);
    const auto* unicast = h.find<SendUnicast>();
    ASSERT_NE(unicast, nullptr);
    EXPECT_EQ(unicast->server, kServer);
    EXPECT_EQ(type_of(unicast->message), MessageType::Request);
    EXPECT_EQ(unicast->message.ciaddr, kAddress);
    EXPECT_FALSE(unicast->message.options.has(option::kRequestedIp));  // RFC 2131 §4.3.2
    EXPECT_FALSE(unicast->message.options.has(option::kServerId));
    EXPECT_NE(unicast->message.xid, old_xid);
    EXPECT_EQ(h.timer, h.now + 675s);  // half of the 1350 s left to T2

    h.now += 1s;
    h.receive(reply_to(unicast->message, {.lease_seconds = 7200}));
    ASSERT_TRUE(h.has<ApplyLease>());
    EXPECT_FALSE(h.has<RemoveLease>());
    EXPECT_EQ(h.find<ApplyLease>()->lease.lease_time, 7200s);
    EXPECT_EQ(h.client.state(), ClientState::Bound);
    EXPECT_EQ(h.timer, lease.renew_at() + 3600s);
}

TEST(Dhcp4Client, RetransmitsWhileRenewingThenRebindsAtT2ByBroadcast) {
    Harness h;
    Lease lease = h.bind();
    h.fire();  // T1
    std::vector<TimePoint> sends = {h.now};
    while (true) {
        h.fire();
        if (h.client.state() != ClientState::Renewing) break;
        ASSERT_TRUE(h.has<SendUnicast>());
        sends.push_back(h.now);
    }
    // 675 s, 337 s, 168 s, then 60 s floors until less than 60 s remain: T2 comes next.
    for (size_t i = 1; i < sends.size(); ++i) EXPECT_GE(sends[i] - sends[i - 1], 60s);
    EXPECT_EQ(sends[1] - sends[0], 675s);
    EXPECT_EQ(h.client.state(), ClientState::Rebinding);
    EXPECT_EQ(h.now, lease.rebind_at());
    ASSERT_TRUE(h.has<SendBroadcast>());
    Message rebind = h.sent();
    EXPECT_EQ(type_of(rebind), MessageType::Request);
    EXPECT_EQ(rebind.ciaddr, kAddress);
    EXPECT_FALSE(rebind.options.has(option::kServerId));
    EXPECT_EQ(h.timer, h.now + 225s);  // half of the 450 s left before expiry

    // Any server may answer a rebinding client.
    h.receive(reply_to(rebind, {.server = ipv4(192, 168, 1, 2)}));
    ASSERT_TRUE(h.has<ApplyLease>());
    EXPECT_EQ(h.find<ApplyLease>()->lease.server_id, ipv4(192, 168, 1, 2));
    EXPECT_EQ(h.client.state(), ClientState::Bound);
}

TEST(Dhcp4Client, ExpiryRemovesTheLeaseAndStartsOver) {
    Harness h;
    Lease lease = h.bind();
    while (!h.has<RemoveLease>()) {
        ASSERT_LT(h.now, lease.expires_at() + 1s);
        h.fire();
    }
    EXPECT_EQ(h.now, lease.expires_at());
    EXPECT_EQ(h.find<RemoveLease>()->lease.address, lease.address);
    EXPECT_FALSE(h.client.lease());
    EXPECT_EQ(h.client.state(), ClientState::Selecting);
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
    EXPECT_EQ(option_ip(h.sent(), option::kRequestedIp), kAddress);  // asks for it back
}

TEST(Dhcp4Client, DiscoverBackoffWithinJitterThenNewXid) {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        Harness h(seeded_config(seed));
        h.feed(Start{});
        uint32_t xid = h.sent().xid;
        for (auto base : {4s, 8s, 16s, 32s, 64s}) {
            TimePoint before = h.now;
            h.fire();
            EXPECT_GE(h.now - before, base - 1s) << "seed " << seed;
            EXPECT_LE(h.now - before, base + 1s) << "seed " << seed;
            EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
        }
        EXPECT_NE(h.sent().xid, xid) << "after 5 DISCOVERs a fresh start";
        TimePoint before = h.now;
        h.fire();
        EXPECT_LE(h.now - before, 5s) << "back-off starts over at 4 s";
    }
}

TEST(Dhcp4Client, RetransmissionsKeepTheXidAndCountSecs) {
    Harness h;
    h.feed(Start{});
    uint32_t xid = h.sent().xid;
    h.fire();
    h.fire();
    EXPECT_EQ(h.sent().xid, xid);
    EXPECT_EQ(h.sent().secs, 12);  // 4 s + 8 s since the exchange began
    EXPECT_EQ(h.timer, h.now + 16s);
}

TEST(Dhcp4Client, LostAcksBackToDiscover) {
    Harness h;
    h.feed(Start{});
    h.receive(reply_to(h.sent(), {.type = MessageType::Offer}));
    uint32_t xid = h.sent().xid;
    for (auto wait : {4s, 8s, 16s}) {
        TimePoint before = h.now;
        h.fire();
        EXPECT_EQ(h.now - before, wait);
        EXPECT_EQ(type_of(h.sent()), MessageType::Request);
        EXPECT_EQ(h.sent().xid, xid);
    }
    h.fire();  // the 4th REQUEST went unanswered too
    EXPECT_EQ(h.client.state(), ClientState::Selecting);
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
    EXPECT_NE(h.sent().xid, xid);
}

TEST(Dhcp4Client, NakWhileRequestingRestartsDiscovery) {
    Harness h;
    h.feed(Start{});
    h.receive(reply_to(h.sent(), {.type = MessageType::Offer}));
    Message request = h.sent();
    h.receive(reply_to(request, {.type = MessageType::Nak}));
    EXPECT_FALSE(h.has<RemoveLease>());
    EXPECT_FALSE(h.has<ApplyLease>());
    EXPECT_EQ(h.client.state(), ClientState::Selecting);
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
    EXPECT_NE(h.sent().xid, request.xid);
    EXPECT_FALSE(h.sent().options.has(option::kRequestedIp));
}

TEST(Dhcp4Client, NakWhileRenewingRemovesTheLease) {
    Harness h;
    Lease lease = h.bind();
    h.fire();
    h.receive(reply_to(h.find<SendUnicast>()->message, {.type = MessageType::Nak}));
    ASSERT_TRUE(h.has<RemoveLease>());
    EXPECT_EQ(h.find<RemoveLease>()->lease.address, lease.address);
    EXPECT_EQ(h.client.state(), ClientState::Selecting);
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
    EXPECT_FALSE(h.client.lease());
}

TEST(Dhcp4Client, RepeatedNaksAreSpacedOut) {
    Harness h;
    h.feed(Start{});
    for (int i = 0; i < 2; ++i) {
        h.receive(reply_to(h.sent(), {.type = MessageType::Offer}));
        h.receive(reply_to(h.sent(), {.type = MessageType::Nak}));
    }
    EXPECT_EQ(h.client.state(), ClientState::Init);
    EXPECT_FALSE(h.has<SendBroadcast>());
    EXPECT_EQ(h.timer, h.now + 4s);
    h.fire();
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
}

TEST(Dhcp4Client, InitRebootAccepted) {
    Harness first;
    Lease persisted = first.bind();
    Harness h;
    h.now = persisted.acquired_at + 600s;
    h.feed(Start{persisted});
    EXPECT_EQ(h.client.state(), ClientState::Rebooting);
    Message request = h.sent();
    EXPECT_TRUE(h.has<SendBroadcast>());
    EXPECT_EQ(type_of(request), MessageType::Request);
    EXPECT_EQ(option_ip(request, option::kRequestedIp), kAddress);
    EXPECT_FALSE(request.options.has(option::kServerId));  // RFC 2131 §4.3.2 INIT-REBOOT
    EXPECT_TRUE(request.ciaddr.is_unspecified());
    h.receive(reply_to(request));
    ASSERT_TRUE(h.has<ApplyLease>());
    EXPECT_EQ(h.find<ApplyLease>()->lease.address, persisted.address);
    EXPECT_EQ(h.client.state(), ClientState::Bound);
}

TEST(Dhcp4Client, InitRebootRefused) {
    Harness first;
    Lease persisted = first.bind();
    Harness h;
    h.now = persisted.acquired_at + 600s;
    h.feed(Start{persisted});
    h.receive(reply_to(h.sent(), {.type = MessageType::Nak}));
    // Not applied by this client, but an earlier run may have left it configured: it goes.
    ASSERT_TRUE(h.has<RemoveLease>());
    EXPECT_EQ(h.find<RemoveLease>()->lease.address, persisted.address);
    EXPECT_FALSE(h.client.lease());
    EXPECT_EQ(h.client.state(), ClientState::Selecting);
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
    EXPECT_FALSE(h.sent().options.has(option::kRequestedIp));  // refused: not asked for again
}

TEST(Dhcp4Client, ExpiredPersistedLeaseIsOnlyAHint) {
    Harness first;
    Lease persisted = first.bind();
    Harness h;
    h.now = persisted.expires_at() + 1s;
    h.feed(Start{persisted});
    EXPECT_EQ(h.client.state(), ClientState::Selecting);
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
    EXPECT_EQ(option_ip(h.sent(), option::kRequestedIp), kAddress);
}

TEST(Dhcp4Client, RepliesNotForThisExchangeAreIgnored) {
    Harness h;
    h.feed(Start{});
    Message discover = h.sent();
    Message offer = reply_to(discover, {.type = MessageType::Offer});

    Message wrong_xid = offer;
    wrong_xid.xid ^= 1;
    EXPECT_TRUE(h.receive(wrong_xid).empty());
    Message wrong_mac = offer;
    wrong_mac.chaddr[5] ^= 1;
    EXPECT_TRUE(h.receive(wrong_mac).empty());
    Message request_op = offer;
    request_op.op = kBootRequest;
    EXPECT_TRUE(h.receive(request_op).empty());
    Message other_client_id = offer;
    other_client_id.options.set(option::kClientId, {1, 2, 3, 4, 5, 6, 7});
    EXPECT_TRUE(h.receive(other_client_id).empty());
    Message ack_now = reply_to(discover);  // an ACK while selecting
    EXPECT_TRUE(h.receive(ack_now).empty());
    EXPECT_EQ(h.client.state(), ClientState::Selecting);

    h.receive(offer);
    Message request = h.sent();
    Message foreign_ack = reply_to(request, {.server = ipv4(192, 168, 1, 9)});
    h.receive(foreign_ack);
    EXPECT_FALSE(h.has<ApplyLease>());
    EXPECT_FALSE(h.has<SendBroadcast>());
    Message foreign_nak = reply_to(request, {.type = MessageType::Nak, .server = ipv4(192, 168, 1, 9)});
    EXPECT_TRUE(h.receive(foreign_nak).empty());
    EXPECT_EQ(h.client.state(), ClientState::Requesting);
    h.receive(reply_to(request));
    EXPECT_TRUE(h.has<ApplyLease>());
}

TEST(Dhcp4Client, LinkFlapKeepsTheAddressThroughInitReboot) {
    Harness h;
    Lease lease = h.bind();
    h.now += 100s;
    h.feed(LinkDown{});
    EXPECT_FALSE(h.has<RemoveLease>());
    EXPECT_EQ(h.client.state(), ClientState::WaitingForLink);
    EXPECT_EQ(h.timer, lease.expires_at());  // expiry still counts while the link is down
    h.now += 5s;
    h.feed(LinkUp{});
    EXPECT_EQ(h.client.state(), ClientState::Rebooting);
    Message request = h.sent();
    EXPECT_EQ(option_ip(request, option::kRequestedIp), kAddress);
    EXPECT_FALSE(request.options.has(option::kServerId));
    h.receive(reply_to(request));
    EXPECT_FALSE(h.has<RemoveLease>());
    ASSERT_TRUE(h.has<ApplyLease>());
    EXPECT_EQ(h.find<ApplyLease>()->lease.address, lease.address);
    EXPECT_EQ(h.client.state(), ClientState::Bound);
}

TEST(Dhcp4Client, LinkDownPastExpiryRemovesTheLease) {
    Harness h;
    Lease lease = h.bind();
    h.feed(LinkDown{});
    h.fire();
    EXPECT_EQ(h.now, lease.expires_at());
    EXPECT_TRUE(h.has<RemoveLease>());
    EXPECT_FALSE(h.has<SendBroadcast>());
    h.feed(LinkUp{});
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
}

TEST(Dhcp4Client, UnansweredInitRebootAfterAFlapKeepsTheLease) {
    Harness h;
    Lease lease = h.bind();
    h.feed(LinkDown{});
    h.feed(LinkUp{});
    for (int i = 0; i < 4; ++i) h.fire();
    EXPECT_FALSE(h.has<RemoveLease>());
    EXPECT_EQ(h.client.state(), ClientState::Bound);  // RFC 2131 §3.2: usable until the lease ends
    EXPECT_EQ(h.timer, lease.renew_at());
}

TEST(Dhcp4Client, DeclinesOnProbeConflict) {
    ClientConfig config = exact_config();
    config.probe_address = true;
    Harness h(config);
    h.feed(Start{});
    h.receive(reply_to(h.sent(), {.type = MessageType::Offer}));
    h.receive(reply_to(h.sent()));
    EXPECT_FALSE(h.has<ApplyLease>());
    ASSERT_TRUE(h.has<ProbeAddress>());
    EXPECT_EQ(h.find<ProbeAddress>()->address, kAddress);
    EXPECT_EQ(h.client.state(), ClientState::Probing);

    h.feed(ProbeResult{.conflict = true});
    EXPECT_FALSE(h.has<ApplyLease>());
    Message decline = h.sent();
    EXPECT_TRUE(h.has<SendBroadcast>());
    EXPECT_EQ(type_of(decline), MessageType::Decline);
    EXPECT_EQ(option_ip(decline, option::kRequestedIp), kAddress);
    EXPECT_EQ(option_ip(decline, option::kServerId), kServer);
    EXPECT_FALSE(decline.options.has(option::kParameterRequestList));  // RFC 2131 table 5
    EXPECT_EQ(h.client.state(), ClientState::Init);
    EXPECT_EQ(h.timer, h.now + 10s);
    h.fire();
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
    EXPECT_FALSE(h.sent().options.has(option::kRequestedIp));
}

TEST(Dhcp4Client, ProbeWithoutConflictOrAnswerApplies) {
    for (bool answered : {true, false}) {
        ClientConfig config = exact_config();
        config.probe_address = true;
        Harness h(config);
        h.feed(Start{});
        h.receive(reply_to(h.sent(), {.type = MessageType::Offer}));
        h.receive(reply_to(h.sent()));
        if (answered)
            h.feed(ProbeResult{.conflict = false});
        else
            h.fire();  // the adapter never answered
        ASSERT_TRUE(h.has<ApplyLease>()) << answered;
        EXPECT_EQ(h.client.state(), ClientState::Bound);
        // Renewing the same address needs no probe.
        h.fire();
        h.receive(reply_to(h.find<SendUnicast>()->message));
        EXPECT_TRUE(h.has<ApplyLease>());
        EXPECT_FALSE(h.has<ProbeAddress>());
    }
}

TEST(Dhcp4Client, ReleasesOnStopWhenConfigured) {
    ClientConfig config = exact_config();
    config.send_release = true;
    Harness h(config);
    Lease lease = h.bind();
    h.feed(Stop{});
    const auto* release = h.find<SendUnicast>();
    ASSERT_NE(release, nullptr);
    EXPECT_EQ(release->server, kServer);
    EXPECT_EQ(type_of(release->message), MessageType::Release);
    EXPECT_EQ(release->message.ciaddr, kAddress);
    EXPECT_EQ(option_ip(release->message, option::kServerId), kServer);
    EXPECT_FALSE(release->message.options.has(option::kRequestedIp));
    EXPECT_TRUE(h.has<RemoveLease>());
    EXPECT_TRUE(h.has<CancelTimer>());
    EXPECT_EQ(h.client.state(), ClientState::Stopped);
    EXPECT_TRUE(h.feed(TimerFired{}).empty());  // a stale timer after Stop does nothing
}

TEST(Dhcp4Client, StopWithoutReleaseKeepsTheAddress) {
    Harness h;
    h.bind();
    h.feed(Stop{});
    EXPECT_FALSE(h.has<SendUnicast>());
    EXPECT_FALSE(h.has<RemoveLease>());
    EXPECT_TRUE(h.client.lease());
    // Started again: INIT-REBOOT for the address still configured.
    h.feed(Start{});
    EXPECT_EQ(h.client.state(), ClientState::Rebooting);
}

TEST(Dhcp4Client, HostnameClientIdAndBroadcastFlag) {
    ClientConfig config = exact_config();
    config.hostname = "node-1";
    config.client_id = ClientIdMode::Duid;
    config.duid = {0xFF, 0, 0, 0, 1, 0, 4, 0xAA, 0xBB};
    config.request_broadcast = true;
    Harness h(config);
    h.feed(Start{});
    Message discover = h.sent();
    EXPECT_EQ(option_bytes(discover, option::kHostname), (std::vector<uint8_t>{'n', 'o', 'd', 'e', '-', '1'}));
    auto prl = option_bytes(discover, option::kParameterRequestList);
    EXPECT_EQ(std::count(prl.begin(), prl.end(), option::kHostname), 0);
    EXPECT_EQ(option_bytes(discover, option::kClientId), config.duid);
    EXPECT_TRUE(discover.broadcast());

    ClientConfig none = exact_config();
    none.client_id = ClientIdMode::None;
    Harness anonymous(none);
    anonymous.feed(Start{});
    EXPECT_FALSE(anonymous.sent().options.has(option::kClientId));
}

TEST(Dhcp4Client, InfiniteLeaseArmsNoTimer) {
    Harness h;
    h.bind({.lease_seconds = kInfiniteTime});
    EXPECT_TRUE(h.has<CancelTimer>());
    EXPECT_FALSE(h.timer);
    EXPECT_EQ(h.client.state(), ClientState::Bound);
}

TEST(Dhcp4Client, EarlyTimerIsArmedAgain) {
    Harness h;
    Lease lease = h.bind();
    h.now = lease.renew_at() - 1s;
    h.feed(TimerFired{});
    EXPECT_FALSE(h.has<SendUnicast>());
    ASSERT_TRUE(h.has<SetTimer>());
    EXPECT_EQ(h.find<SetTimer>()->at, lease.renew_at());
}

TEST(Dhcp4Client, NewAddressOnRenewReplacesTheOldOne) {
    Harness h;
    Lease lease = h.bind();
    h.fire();
    h.receive(reply_to(h.find<SendUnicast>()->message, {.yiaddr = ipv4(192, 168, 1, 77)}));
    ASSERT_TRUE(h.has<RemoveLease>());
    EXPECT_EQ(h.find<RemoveLease>()->lease.address, lease.address);
    ASSERT_TRUE(h.has<ApplyLease>());
    EXPECT_EQ(h.find<ApplyLease>()->lease.address.addr, ipv4(192, 168, 1, 77));
    // Removal comes before the new address.
    size_t removed = 0, applied = 0;
    for (size_t i = 0; i < h.actions.size(); ++i) {
        if (std::holds_alternative<RemoveLease>(h.actions[i])) removed = i;
        if (std::holds_alternative<ApplyLease>(h.actions[i])) applied = i;
    }
    EXPECT_LT(removed, applied);
}

TEST(Dhcp4Client, MalformedAckIsIgnoredAndRetried) {
    Harness h;
    h.feed(Start{});
    h.receive(reply_to(h.sent(), {.type = MessageType::Offer}));
    Message request = h.sent();
    Message broken = reply_to(request);
    set_u32(broken.options, option::kLeaseTime, 0);
    h.receive(broken);
    EXPECT_FALSE(h.has<ApplyLease>());
    ASSERT_TRUE(h.has<Log>());
    EXPECT_EQ(h.find<Log>()->message, "ignoring DHCPACK: DHCPACK grants a lease time of 0 seconds");
    EXPECT_EQ(h.client.state(), ClientState::Requesting);
}

TEST(Dhcp4Client, StartTwiceAndPacketsWhileStopped) {
    Harness h;
    EXPECT_TRUE(h.receive(Message{}).empty());
    h.feed(Start{});
    h.feed(Start{});
    EXPECT_FALSE(h.has<SendBroadcast>());
    EXPECT_TRUE(h.has<Log>());
}

TEST(Dhcp4Client, StartWhileLinkIsDownWaits) {
    Harness h;
    h.feed(LinkDown{});
    h.feed(Start{});
    EXPECT_FALSE(h.has<SendBroadcast>());
    EXPECT_EQ(h.client.state(), ClientState::WaitingForLink);
    h.feed(LinkUp{});
    EXPECT_EQ(type_of(h.sent()), MessageType::Discover);
}

}  // namespace
}  // namespace nodenet::dhcp
