// The peer state machine (reference §3.3) and endpoint rotation (§3.5), on a fake clock.
#include "kubespan/peer_status.h"

#include <gtest/gtest.h>

#include "tests/kubespan/fixtures.h"

namespace nodenet::kubespan {
namespace {

using namespace testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint{} + std::chrono::hours(1000);

PeerStatus changed_at(TimePoint t0, std::optional<TimePoint> handshake) {
    PeerStatus s;
    s.last_endpoint_change = t0;
    s.last_used_endpoint = endpoint("10.0.0.1", 51820);
    s.endpoint = s.last_used_endpoint;
    if (handshake) s.last_handshake = *handshake;
    return s;
}

TEST(PeerState, NamedConstantsAreTalos) {
    EXPECT_EQ(kPeerDownInterval, seconds(275));
    EXPECT_EQ(kEndpointConnectionTimeout, seconds(15));
    EXPECT_EQ(PeerTimers{}.down_interval, seconds(275));
    EXPECT_EQ(PeerTimers{}.connection_timeout, seconds(15));
}

TEST(PeerState, WithinTheConnectionTimeout) {
    PeerStatus no_handshake = changed_at(kT0, std::nullopt);
    EXPECT_EQ(peer_state(no_handshake, kT0), PeerState::Unknown);
    EXPECT_EQ(peer_state(no_handshake, kT0 + seconds(15) - milliseconds(1)), PeerState::Unknown);
    // At 15 s exactly the middle window begins: no handshake since the change means down.
    EXPECT_EQ(peer_state(no_handshake, kT0 + seconds(15)), PeerState::Down);
    PeerStatus handshake = changed_at(kT0, kT0 + seconds(1));
    EXPECT_EQ(peer_state(handshake, kT0 + seconds(2)), PeerState::Up);
    // A handshake at the change itself is not after it.
    EXPECT_EQ(peer_state(changed_at(kT0, kT0), kT0 + seconds(2)), PeerState::Unknown);
}

TEST(PeerState, BetweenTheTimeouts) {
    EXPECT_EQ(peer_state(changed_at(kT0, kT0 - seconds(10)), kT0 + seconds(100)), PeerState::Down);
    EXPECT_EQ(peer_state(changed_at(kT0, kT0 + seconds(20)), kT0 + seconds(100)), PeerState::Up);
    // 275 s exactly is still the middle window.
    EXPECT_EQ(peer_state(changed_at(kT0, kT0 - seconds(1)), kT0 + seconds(275)), PeerState::Down);
    EXPECT_EQ(peer_state(changed_at(kT0, kT0 + seconds(1)), kT0 + seconds(275)), PeerState::Up);
}

TEST(PeerState, AfterTheDownIntervalOnlyTheHandshakeAgeCounts) {
    TimePoint now = kT0 + seconds(275) + milliseconds(1);
    // A handshake before the change, but recent enough: up (the middle window would say down).
    EXPECT_EQ(peer_state(changed_at(kT0, now - seconds(274)), now), PeerState::Up);
    EXPECT_EQ(peer_state(changed_at(kT0, now - seconds(275) + milliseconds(1)), now), PeerState::Up);
    EXPECT_EQ(peer_state(changed_at(kT0, now - seconds(275)), now), PeerState::Down);
    EXPECT_EQ(peer_state(changed_at(kT0, std::nullopt), now), PeerState::Down);
}

TEST(PeerState, DownWithoutAnyEndpointIsUnknown) {
    PeerStatus s;  // never given an endpoint, no handshake, epoch change time
    EXPECT_EQ(peer_state(s, kT0), PeerState::Unknown);
    s.last_endpoint_change = kT0;
    EXPECT_EQ(peer_state(s, kT0 + seconds(100)), PeerState::Unknown);
}

TEST(PeerState, ShortenedTimers) {
    PeerTimers fast{seconds(10), seconds(2)};
    PeerStatus s = changed_at(kT0, std::nullopt);
    EXPECT_EQ(peer_state(s, kT0 + seconds(1), fast), PeerState::Unknown);
    EXPECT_EQ(peer_state(s, kT0 + seconds(2), fast), PeerState::Down);
    s.last_handshake = kT0 + seconds(5);
    EXPECT_EQ(peer_state(s, kT0 + seconds(14), fast), PeerState::Up);
    EXPECT_EQ(peer_state(s, kT0 + seconds(15), fast), PeerState::Down);
}

PeerSpec spec_with(std::vector<discovery::Endpoint> endpoints) {
    PeerSpec p;
    p.public_key = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    p.label = "worker-1";
    p.endpoints = std::move(endpoints);
    return p;
}

const discovery::Endpoint kE1 = endpoint("198.51.100.1", 51820);
const discovery::Endpoint kE2 = endpoint("10.0.0.1", 51820);
const discovery::Endpoint kE3 = endpoint("2001:db8::1", 51820);

TEST(RotateEndpoint, FirstPickIsTheFirstEndpoint) {
    PeerStatus s;
    EndpointUpdate u = rotate_endpoint(s, spec_with({kE1, kE2}), std::nullopt, kT0);
    EXPECT_TRUE(u.rotated);
    EXPECT_EQ(u.set, kE1);
    EXPECT_EQ(s.label, "worker-1");
    EXPECT_EQ(s.endpoint, kE1);
    EXPECT_EQ(s.last_used_endpoint, kE1);
    EXPECT_EQ(s.last_endpoint_change, kT0);
    EXPECT_EQ(s.state, PeerState::Unknown);
    // No endpoints at all: nothing to write.
    PeerStatus none;
    u = rotate_endpoint(none, spec_with({}), std::nullopt, kT0);
    EXPECT_FALSE(u.rotated);
    EXPECT_FALSE(u.set.has_value());
}

TEST(RotateEndpoint, RoundRobinWhileDownAndWrapsAround) {
    PeerSpec spec = spec_with({kE1, kE2, kE3});
    PeerStatus s;
    TimePoint now = kT0;
    std::vector<discovery::Endpoint> picked;
    for (int pass = 0; pass < 4; ++pass) {
        // WireGuard reports the endpoint it was given, and no handshake.
        std::optional<Observed> seen;
        if (s.endpoint) seen = Observed{s.endpoint, {}, 0, 0};
        EndpointUpdate u = rotate_endpoint(s, spec, seen, now);
        ASSERT_TRUE(u.rotated) << pass;
        picked.push_back(*u.set);
        now += seconds(30);  // the next tick: 30 s > 15 s without a handshake is down
    }
    EXPECT_EQ(text(picked), "198.51.100.1:51820 10.0.0.1:51820 [2001:db8::1]:51820 198.51.100.1:51820");
}

TEST(RotateEndpoint, UnknownPeerKeepsItsEndpointAndReassertsIt) {
    PeerSpec spec = spec_with({kE1, kE2});
    PeerStatus s;
    rotate_endpoint(s, spec, std::nullopt, kT0);
    // 10 s later: still within the connection timeout, no rotation; the endpoint is written again.
    EndpointUpdate u = rotate_endpoint(s, spec, Observed{kE1, {}, 0, 0}, kT0 + seconds(10));
    EXPECT_FALSE(u.rotated);
    EXPECT_EQ(u.set, kE1);
    EXPECT_EQ(s.state, PeerState::Unknown);
    // The device lost the peer's endpoint (recreated link): the last used one is written again.
    u = rotate_endpoint(s, spec, Observed{std::nullopt, {}, 0, 0}, kT0 + seconds(11));
    EXPECT_EQ(u.set, kE1);
    EXPECT_EQ(s.endpoint, kE1);
}

TEST(RotateEndpoint, UpPeerStays) {
    PeerSpec spec = spec_with({kE1, kE2});
    PeerStatus s;
    rotate_endpoint(s, spec, std::nullopt, kT0);
    EndpointUpdate u = rotate_endpoint(s, spec, Observed{kE1, kT0 + seconds(3), 100, 200}, kT0 + seconds(40));
    EXPECT_EQ(s.state, PeerState::Up);
    EXPECT_FALSE(u.rotated);
    EXPECT_EQ(u.set, kE1);
    EXPECT_EQ(s.rx_bytes, 100u);
    EXPECT_EQ(s.tx_bytes, 200u);
    EXPECT_EQ(s.last_handshake, kT0 + seconds(3));
}

TEST(RotateEndpoint, ARoamedEndpointIsLeftAlone) {
    PeerSpec spec = spec_with({kE1, kE2});
    PeerStatus s;
    rotate_endpoint(s, spec, std::nullopt, kT0);
    // The peer reached us from behind a NAT: WireGuard now uses another endpoint, with handshakes.
    discovery::Endpoint roamed = endpoint("203.0.113.50", 38211);
    EndpointUpdate u = rotate_endpoint(s, spec, Observed{roamed, kT0 + seconds(5), 1, 1}, kT0 + seconds(30));
    EXPECT_EQ(s.state, PeerState::Up);
    EXPECT_FALSE(u.rotated);
    EXPECT_FALSE(u.set.has_value());  // write no endpoint: the device keeps the roamed one
    EXPECT_EQ(s.endpoint, roamed);
    EXPECT_EQ(s.last_used_endpoint, kE1);
    EXPECT_FALSE(endpoint_to_set(s).has_value());
    // Once that peer goes down, rotation resumes after the last used endpoint.
    u = rotate_endpoint(s, spec, Observed{roamed, kT0 + seconds(5), 1, 1}, kT0 + seconds(400));
    EXPECT_TRUE(u.rotated);
    EXPECT_EQ(u.set, kE2);
}

TEST(RotateEndpoint, ASingleEndpointInUseIsNotRotated) {
    PeerSpec spec = spec_with({kE1});
    PeerStatus s;
    rotate_endpoint(s, spec, std::nullopt, kT0);
    // Down (no handshake after 30 s), but the only endpoint is the one WireGuard already uses.
    EndpointUpdate u = rotate_endpoint(s, spec, Observed{kE1, {}, 0, 0}, kT0 + seconds(30));
    EXPECT_EQ(s.state, PeerState::Down);
    EXPECT_FALSE(u.rotated);
    EXPECT_EQ(u.set, kE1);
    EXPECT_EQ(s.last_endpoint_change, kT0);  // not re-stamped
    // If WireGuard had lost it, the single endpoint is picked again (and re-stamped).
    u = rotate_endpoint(s, spec, Observed{std::nullopt, {}, 0, 0}, kT0 + seconds(60));
    EXPECT_TRUE(u.rotated);
    EXPECT_EQ(u.set, kE1);
    EXPECT_EQ(s.last_endpoint_change, kT0 + seconds(60));
}

TEST(RotateEndpoint, ALastUsedEndpointGoneFromTheListRestartsAtTheFirst) {
    PeerStatus s;
    rotate_endpoint(s, spec_with({kE3}), std::nullopt, kT0);
    EndpointUpdate u = rotate_endpoint(s, spec_with({kE1, kE2}), Observed{kE3, {}, 0, 0}, kT0 + seconds(30));
    EXPECT_TRUE(u.rotated);
    EXPECT_EQ(u.set, kE1);
}

TEST(RotateEndpoint, APeerMissingFromTheDeviceKeepsItsLastKnownView) {
    PeerSpec spec = spec_with({kE1, kE2});
    PeerStatus s;
    rotate_endpoint(s, spec, std::nullopt, kT0);
    s.last_handshake = kT0 + seconds(1);
    EndpointUpdate u = rotate_endpoint(s, spec, std::nullopt, kT0 + seconds(5));
    EXPECT_EQ(s.state, PeerState::Up);
    EXPECT_EQ(u.set, kE1);
}

}  // namespace
}  // namespace nodenet::kubespan
