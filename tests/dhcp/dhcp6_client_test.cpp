#include "dhcp/dhcp6_client.h"

#include <gtest/gtest.h>

#include "tests/dhcp/dhcp6_fake_server.h"

namespace nodenet::dhcp::v6::testing {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const std::array<uint8_t, 6> kMac = {0x52, 0x54, 0x00, 0xab, 0xcd, 0x01};

ClientConfig config(uint64_t seed = 1) {
    ClientConfig c;
    c.mac = kMac;
    c.seed = seed;
    return c;
}

struct Harness {
    explicit Harness(ClientConfig c = config()) : client(std::move(c)) {}

    const std::vector<Action>& feed(const Event& e) {
        actions = client.handle(e, now);
        for (const auto& a : actions) {
            if (const auto* t = std::get_if<SetTimer>(&a)) timer = t->at;
            if (std::holds_alternative<CancelTimer>(a)) timer.reset();
            if (const auto* s = std::get_if<Send>(&a)) last_sent = s->message;
        }
        return actions;
    }
    const std::vector<Action>& fire() {
        EXPECT_TRUE(timer.has_value());
        if (timer) now = *timer;
        return feed(TimerFired{});
    }
    const std::vector<Action>& reply(const ServerAnswer& a = {}) { return feed(PacketReceived{answer(last_sent, a)}); }
    template <class A>
    const A* find() const {
        for (const auto& a : actions)
            if (const auto* x = std::get_if<A>(&a)) return x;
        return nullptr;
    }
    std::optional<MessageType> sent_type() const {
        if (const auto* s = find<Send>()) return s->message.type;
        return std::nullopt;
    }
    // Start → SOLICIT → ADVERTISE (preference 255) → REQUEST → REPLY.
    Lease bind(ServerAnswer a = {}) {
        feed(Start{});
        ServerAnswer adv = a;
        adv.type = MessageType::Advertise;
        adv.preference = 255;
        reply(adv);
        EXPECT_EQ(sent_type(), MessageType::Request);
        reply(a);
        EXPECT_EQ(client.state(), ClientState::Bound);
        const auto* applied = find<ApplyLease>();
        EXPECT_NE(applied, nullptr);
        return applied ? applied->lease : Lease{};
    }

    Client client;
    TimePoint now = TimePoint{} + 1000s;
    std::optional<TimePoint> timer;
    std::vector<Action> actions;
    Message last_sent;
};

IaNa sent_ia(const Message& m) { return ia_nas(m)->at(0); }

TEST(Dhcp6Client, SolicitCarriesDuidLlIaNaAndTheOptionsItWants) {
    Harness h;
    h.feed(Start{});
    ASSERT_EQ(h.sent_type(), MessageType::Solicit);
    const Message& m = h.last_sent;
    EXPECT_EQ(hex_colon(*m.find(option::kClientId)), "00:03:00:01:52:54:00:ab:cd:01");
    EXPECT_EQ(*m.find(option::kElapsedTime), (std::vector<uint8_t>{0, 0}));
    EXPECT_EQ(*m.find(option::kOptionRequest), (std::vector<uint8_t>{0, 23, 0, 24, 0, 82}));
    EXPECT_FALSE(m.has(option::kRapidCommit));
    EXPECT_FALSE(m.has(option::kServerId));
    EXPECT_EQ(sent_ia(m).iaid, 0x00abcd01u);  // the MAC's last four bytes
    EXPECT_TRUE(sent_ia(m).addresses.empty());
    EXPECT_LE(m.xid, 0xFFFFFFu);
}

TEST(Dhcp6Client, CollectsAdvertisesForTheFirstTimeoutThenRequestsTheBest) {
    Harness h;
    h.feed(Start{});
    ASSERT_TRUE(h.timer);
    auto first_rt = *h.timer - h.now;
    EXPECT_GT(first_rt, 1000ms);  // RFC 8415 §15: the first Solicit's RAND is positive
    EXPECT_LE(first_rt, 1100ms);
    Message solicit = h.last_sent;
    h.feed(PacketReceived{answer(solicit, {.type = MessageType::Advertise, .address = ip6("fd00::1"),
                                           .server = {0, 9, 1}, .preference = 10})});
    EXPECT_EQ(h.find<Send>(), nullptr);  // still collecting
    h.feed(PacketReceived{answer(solicit, {.type = MessageType::Advertise, .address = ip6("fd00::2"),
                                           .server = {0, 9, 2}, .preference = 20})});
    h.feed(PacketReceived{answer(solicit, {.type = MessageType::Advertise, .address = ip6("fd00::3"),
                                           .server = {0, 9, 3}, .preference = 5})});
    EXPECT_EQ(h.find<Send>(), nullptr);
    h.fire();
    ASSERT_EQ(h.sent_type(), MessageType::Request);
    EXPECT_EQ(*h.last_sent.find(option::kServerId), (std::vector<uint8_t>{0, 9, 2}));
    EXPECT_EQ(sent_ia(h.last_sent).addresses.at(0).address, ip6("fd00::2"));
    EXPECT_NE(h.last_sent.xid, solicit.xid);
    h.reply({.address = ip6("fd00::2"), .server = {0, 9, 2}});
    ASSERT_NE(h.find<ApplyLease>(), nullptr);
    EXPECT_EQ(h.find<ApplyLease>()->lease.address, ip6("fd00::2"));
}

TEST(Dhcp6Client, PreferenceTwoFiftyFiveIsTakenAtOnce) {
    Harness h;
    h.feed(Start{});
    h.reply({.type = MessageType::Advertise, .preference = 255});
    EXPECT_EQ(h.sent_type(), MessageType::Request);
}

TEST(Dhcp6Client, IgnoresAdvertisesWithoutAnAddressAndForeignMessages) {
    Harness h;
    h.feed(Start{});
    Message solicit = h.last_sent;
    h.reply({.type = MessageType::Advertise, .preference = 255, .ia_status = 2, .no_address = true});
    EXPECT_EQ(h.find<Send>(), nullptr);
    Message other_xid = answer(solicit, {.type = MessageType::Advertise, .preference = 255});
    other_xid.xid ^= 1;
    h.feed(PacketReceived{other_xid});
    EXPECT_EQ(h.find<Send>(), nullptr);
    Message other_client = answer(solicit, {.type = MessageType::Advertise, .preference = 255});
    other_client.options[0].data.back() ^= 1;
    h.feed(PacketReceived{other_client});
    EXPECT_EQ(h.find<Send>(), nullptr);
    EXPECT_EQ(h.client.state(), ClientState::Soliciting);
}

TEST(Dhcp6Client, LeaseHasTheReplysLifetimesDnsAndDomains) {
    Harness h;
    TimePoint start = h.now;
    Lease lease = h.bind();
    EXPECT_EQ(lease.address, ip6("fd00:77::100"));
    EXPECT_EQ(lease.valid, 120s);
    EXPECT_EQ(lease.preferred, 100s);
    EXPECT_EQ(lease.t1, 60s);
    EXPECT_EQ(lease.t2, 96s);
    EXPECT_EQ(lease.dns, std::vector<state::IpAddress>{ip6("fd00:77::53")});
    EXPECT_EQ(lease.domains, std::vector<std::string>{"example.internal"});
    EXPECT_EQ(lease.server_id, kServerDuid);
    EXPECT_EQ(lease.acquired_at, start);  // the REQUEST's first transmission
    EXPECT_EQ(*h.timer, start + 60s);
}

TEST(Dhcp6Client, RapidCommitBindsOnTheReplyToSolicit) {
    auto c = config();
    c.rapid_commit = true;
    Harness h(c);
    h.feed(Start{});
    EXPECT_TRUE(h.last_sent.has(option::kRapidCommit));
    h.reply({.rapid_commit = false});  // a Reply without Rapid Commit is not an answer to Solicit
    EXPECT_EQ(h.client.state(), ClientState::Soliciting);
    h.reply({.rapid_commit = true});
    EXPECT_EQ(h.client.state(), ClientState::Bound);
    EXPECT_NE(h.find<ApplyLease>(), nullptr);
}

TEST(Dhcp6Client, ReplyToSolicitWithoutRapidCommitConfiguredIsIgnored) {
    Harness h;
    h.feed(Start{});
    h.reply({.rapid_commit = true});
    EXPECT_EQ(h.client.state(), ClientState::Soliciting);
}

TEST(Dhcp6Client, RenewsAtT1WithTheServerAndTakesTheNewLifetimes) {
    Harness h;
    Lease first = h.bind();
    h.fire();
    ASSERT_EQ(h.sent_type(), MessageType::Renew);
    EXPECT_EQ(h.now, first.acquired_at + 60s);
    EXPECT_EQ(*h.last_sent.find(option::kServerId), kServerDuid);
    EXPECT_EQ(sent_ia(h.last_sent).addresses.at(0).address, first.address);
    h.now += 5ms;
    h.reply({.preferred = 200, .valid = 300, .t1 = 150, .t2 = 240});
    const auto* applied = h.find<ApplyLease>();
    ASSERT_NE(applied, nullptr);
    EXPECT_EQ(applied->lease.valid, 300s);
    EXPECT_EQ(applied->lease.acquired_at, first.acquired_at + 60s);
    EXPECT_EQ(h.find<RemoveLease>(), nullptr);  // same address: refreshed, not replaced
    EXPECT_EQ(h.client.state(), ClientState::Bound);
}

TEST(Dhcp6Client, RenewRetransmitsThenRebindsAtT2ThenExpires) {
    Harness h;
    Lease lease = h.bind();
    h.fire();  // T1
    ASSERT_EQ(h.sent_type(), MessageType::Renew);
    auto rt = *h.timer - h.now;
    EXPECT_GE(rt, 9000ms);
    EXPECT_LE(rt, 11000ms);
    int renews = 1;
    while (h.client.state() == ClientState::Renewing) {
        h.fire();
        if (h.sent_type() == MessageType::Renew) ++renews;
    }
    EXPECT_GE(renews, 2);
    EXPECT_EQ(h.client.state(), ClientState::Rebinding);
    EXPECT_EQ(h.now, lease.acquired_at + 96s);
    EXPECT_EQ(h.sent_type(), MessageType::Rebind);
    EXPECT_FALSE(h.last_sent.has(option::kServerId));
    while (!h.find<RemoveLease>()) h.fire();
    EXPECT_EQ(h.now, lease.acquired_at + 120s);
    EXPECT_EQ(h.find<RemoveLease>()->lease.address, lease.address);
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
    // The old address is the hint of the new Solicit.
    EXPECT_EQ(sent_ia(h.last_sent).addresses.at(0).address, lease.address);
}

TEST(Dhcp6Client, RebindAnsweredByAnotherServerMovesTheLeaseThere) {
    Harness h;
    h.bind();
    h.fire();
    while (h.client.state() != ClientState::Rebinding) h.fire();
    h.reply({.server = {0, 2, 7}});
    ASSERT_NE(h.find<ApplyLease>(), nullptr);
    EXPECT_EQ(h.find<ApplyLease>()->lease.server_id, (std::vector<uint8_t>{0, 2, 7}));
    h.fire();  // next T1
    EXPECT_EQ(*h.last_sent.find(option::kServerId), (std::vector<uint8_t>{0, 2, 7}));
}

TEST(Dhcp6Client, NoBindingOnRenewLeadsToARequest) {
    Harness h;
    h.bind();
    h.fire();
    h.reply({.ia_status = static_cast<uint16_t>(StatusCode::NoBinding), .no_address = true});
    EXPECT_EQ(h.client.state(), ClientState::Requesting);
    EXPECT_EQ(h.sent_type(), MessageType::Request);
    EXPECT_EQ(h.find<RemoveLease>(), nullptr);
}

TEST(Dhcp6Client, AddressWithdrawnOnRenewIsRemoved) {
    Harness h;
    Lease lease = h.bind();
    h.fire();
    h.reply({.preferred = 0, .valid = 0});
    ASSERT_NE(h.find<RemoveLease>(), nullptr);
    EXPECT_EQ(h.find<RemoveLease>()->lease.address, lease.address);
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
}

TEST(Dhcp6Client, RequestGivesUpAfterTenTransmissions) {
    Harness h;
    h.feed(Start{});
    h.reply({.type = MessageType::Advertise, .preference = 255});
    int requests = 1;
    while (h.client.state() == ClientState::Requesting) {
        h.fire();
        if (h.sent_type() == MessageType::Request) ++requests;
    }
    EXPECT_EQ(requests, 10);
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
}

TEST(Dhcp6Client, SolicitBacksOffExponentiallyUpToSolMaxRt) {
    Harness h(config(7));
    h.feed(Start{});
    auto previous = *h.timer - h.now;
    for (int i = 0; i < 20; ++i) {
        h.fire();
        auto rt = *h.timer - h.now;
        // RT = 2·RTprev ± 10 %, capped at 3600 s ± 10 %.
        EXPECT_GE(rt, std::min<Clock::duration>(previous * 19 / 10, 3240s)) << i;
        EXPECT_LE(rt, std::min<Clock::duration>(previous * 21 / 10, 3960s)) << i;
        previous = rt;
    }
    EXPECT_GE(previous, 3240s);
    // Elapsed Time counts in hundredths from the first Solicit, and saturates.
    EXPECT_EQ(*h.last_sent.find(option::kElapsedTime), (std::vector<uint8_t>{0xFF, 0xFF}));
}

TEST(Dhcp6Client, RememberedLeaseIsConfirmedWithARebind) {
    Harness first;
    Lease lease = first.bind();
    Harness h;
    h.now = lease.acquired_at + 30s;
    h.feed(Start{lease});
    ASSERT_EQ(h.sent_type(), MessageType::Rebind);
    EXPECT_EQ(h.client.state(), ClientState::Confirming);
    EXPECT_EQ(sent_ia(h.last_sent).addresses.at(0).address, lease.address);
    h.reply();
    EXPECT_EQ(h.client.state(), ClientState::Bound);
    ASSERT_NE(h.find<ApplyLease>(), nullptr);
    EXPECT_EQ(h.find<ApplyLease>()->lease.address, lease.address);
    EXPECT_EQ(h.find<RemoveLease>(), nullptr);
}

TEST(Dhcp6Client, RememberedLeaseRefusedIsRemovedAtOnce) {
    Harness first;
    Lease lease = first.bind();
    Harness h;
    h.now = lease.acquired_at + 30s;
    h.feed(Start{lease});
    h.reply({.ia_status = static_cast<uint16_t>(StatusCode::NotOnLink), .no_address = true});
    ASSERT_NE(h.find<RemoveLease>(), nullptr);
    EXPECT_EQ(h.find<RemoveLease>()->lease.address, lease.address);
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
    EXPECT_TRUE(sent_ia(h.last_sent).addresses.empty());  // no hint for an address refused
}

TEST(Dhcp6Client, RememberedLeaseWithdrawnIsRemovedAtOnce) {
    Harness first;
    Lease lease = first.bind();
    Harness h;
    h.now = lease.acquired_at + 30s;
    h.feed(Start{lease});
    h.reply({.preferred = 0, .valid = 0});
    ASSERT_NE(h.find<RemoveLease>(), nullptr);
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
}

TEST(Dhcp6Client, RememberedLeaseRefusedAtMessageLevelIsRemovedToo) {
    // dnsmasq answers a Rebind for an address it does not know with a top-level NoAddrsAvail.
    Harness first;
    Lease lease = first.bind();
    Harness h;
    h.now = lease.acquired_at + 30s;
    h.feed(Start{lease});
    h.reply({.top_status = static_cast<uint16_t>(StatusCode::NoAddrsAvail), .no_address = true});
    ASSERT_NE(h.find<RemoveLease>(), nullptr);
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
}

TEST(Dhcp6Client, RememberedLeaseWithoutAnswerIsKeptForItsLifetime) {
    Harness first;
    Lease lease = first.bind();
    Harness h;
    h.now = lease.acquired_at + 30s;
    h.feed(Start{lease});
    while (h.client.state() == ClientState::Confirming) h.fire();
    EXPECT_EQ(h.now, lease.acquired_at + 40s);  // CNF_MAX_RD
    EXPECT_EQ(h.client.state(), ClientState::Bound);
    ASSERT_NE(h.find<ApplyLease>(), nullptr);
    EXPECT_EQ(h.find<ApplyLease>()->lease, lease);
    h.fire();
    EXPECT_EQ(h.now, lease.acquired_at + 60s);  // its own T1
    EXPECT_EQ(h.sent_type(), MessageType::Renew);
}

TEST(Dhcp6Client, ExpiredRememberedLeaseIsOnlyAHint) {
    Harness first;
    Lease lease = first.bind();
    Harness h;
    h.now = lease.acquired_at + 121s;
    h.feed(Start{lease});
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
    EXPECT_EQ(sent_ia(h.last_sent).addresses.at(0).address, lease.address);
}

TEST(Dhcp6Client, LinkFlapKeepsTheLeaseAndConfirmsIt) {
    Harness h;
    Lease lease = h.bind();
    h.now += 10s;
    h.feed(LinkDown{});
    EXPECT_EQ(h.client.state(), ClientState::WaitingForLink);
    EXPECT_EQ(h.find<RemoveLease>(), nullptr);
    EXPECT_EQ(*h.timer, lease.acquired_at + 120s);  // only expiry can happen while down
    h.now += 5s;
    h.feed(LinkUp{});
    EXPECT_EQ(h.sent_type(), MessageType::Rebind);
    h.reply();
    EXPECT_EQ(h.client.state(), ClientState::Bound);
}

TEST(Dhcp6Client, LeaseExpiringWhileTheLinkIsDownIsRemoved) {
    Harness h;
    Lease lease = h.bind();
    h.feed(LinkDown{});
    h.fire();
    ASSERT_NE(h.find<RemoveLease>(), nullptr);
    EXPECT_EQ(h.now, lease.acquired_at + 120s);
    EXPECT_EQ(h.find<Send>(), nullptr);
    h.feed(LinkUp{});
    EXPECT_EQ(h.sent_type(), MessageType::Solicit);
}

TEST(Dhcp6Client, StopReleasesOnlyWhenAsked) {
    Harness keep;
    keep.bind();
    keep.feed(Stop{});
    EXPECT_EQ(keep.find<Send>(), nullptr);
    EXPECT_EQ(keep.find<RemoveLease>(), nullptr);

    auto c = config();
    c.send_release = true;
    Harness h(c);
    Lease lease = h.bind();
    h.feed(Stop{});
    ASSERT_EQ(h.sent_type(), MessageType::Release);
    EXPECT_EQ(*h.last_sent.find(option::kServerId), kServerDuid);
    EXPECT_EQ(sent_ia(h.last_sent).addresses.at(0).address, lease.address);
    ASSERT_NE(h.find<RemoveLease>(), nullptr);
    EXPECT_EQ(h.client.state(), ClientState::Stopped);
}

TEST(Dhcp6Client, ZeroT1AndT2AreChosenFromThePreferredLifetime) {
    Harness h;
    Lease lease = h.bind({.preferred = 1000, .valid = 2000, .t1 = 0, .t2 = 0});
    EXPECT_EQ(lease.t1, 500s);
    EXPECT_EQ(lease.t2, 800s);
}

TEST(Dhcp6Client, InfiniteLeaseIsNeverRenewed) {
    Harness h;
    h.bind({.preferred = kInfinity, .valid = kInfinity, .t1 = kInfinity, .t2 = kInfinity});
    EXPECT_FALSE(h.timer.has_value());
}

TEST(Dhcp6Client, ServerStatusUnspecFailIsRetriedAndNotOnLinkStartsOver) {
    Harness h;
    h.feed(Start{});
    h.reply({.type = MessageType::Advertise, .preference = 255});
    h.reply({.top_status = static_cast<uint16_t>(StatusCode::UnspecFail)});
    EXPECT_EQ(h.client.state(), ClientState::Requesting);
    h.reply({.top_status = static_cast<uint16_t>(StatusCode::NotOnLink)});
    EXPECT_EQ(h.client.state(), ClientState::Soliciting);
}

}  // namespace
}  // namespace nodenet::dhcp::v6::testing
