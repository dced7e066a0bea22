// The discovery client's schedule (discovery/client_schedule.h) driven by a fake clock, and the
// endpoint parsing (discovery/service_endpoint.h).
#include "discovery/client_schedule.h"

#include <gtest/gtest.h>

#include "discovery/service_endpoint.h"
#include "tests/discovery/affiliate_fixtures.h"

namespace nodenet::discovery {
namespace {

using namespace std::chrono_literals;
using Step = ClientSchedule::Step;
using TimePoint = ClientSchedule::TimePoint;

ScheduleOptions options() {
    ScheduleOptions o;
    o.refresh = 900s;
    o.backoff_min = 1s;
    o.backoff_max = 8s;
    return o;
}

LocalData local(const char* hostname = "worker-7") {
    LocalData d{fixtures::worker(), {}};
    d.affiliate.hostname = hostname;
    return d;
}

const TimePoint t0 = TimePoint{} + 1000s;

TEST(ClientSchedule, ConnectsAtOnceThenPublishesWhatWasSet) {
    ClientSchedule s(options());
    EXPECT_EQ(s.next(t0).step, Step::Connect);
    s.connected(t0);
    EXPECT_EQ(s.next(t0).step, Step::Wait) << "nothing to publish yet";
    EXPECT_EQ(s.next(t0).at, TimePoint::max());
    EXPECT_TRUE(s.set_local(local()));
    EXPECT_EQ(s.next(t0).step, Step::Publish);
    s.published(*s.local(), t0);
    auto next = s.next(t0 + 1s);
    EXPECT_EQ(next.step, Step::Wait);
    EXPECT_EQ(next.at, t0 + 900s) << "refreshed every `refresh`";
    EXPECT_EQ(s.next(t0 + 900s).step, Step::Publish);
}

TEST(ClientSchedule, IdenticalLocalDataCostsNothing) {
    ClientSchedule s(options());
    s.connected(t0);
    s.set_local(local());
    s.published(*s.local(), t0);
    EXPECT_FALSE(s.set_local(local())) << "the watch echo of the node's own update";
    EXPECT_EQ(s.next(t0 + 1s).step, Step::Wait);
    EXPECT_TRUE(s.set_local(local("worker-7b")));
    EXPECT_EQ(s.next(t0 + 1s).step, Step::Publish);
}

TEST(ClientSchedule, OtherEndpointsCountAsChange) {
    ClientSchedule s(options());
    s.connected(t0);
    s.set_local(local());
    s.published(*s.local(), t0);
    LocalData with_others = local();
    with_others.others.push_back({"peer", {Endpoint{fixtures::ip("192.0.2.9"), 51820}}});
    EXPECT_TRUE(s.set_local(with_others));
    EXPECT_EQ(s.next(t0).step, Step::Publish);
}

TEST(ClientSchedule, ChangeDuringPublishIsPublishedAfterIt) {
    ClientSchedule s(options());
    s.connected(t0);
    s.set_local(local());
    LocalData sent = *s.local();
    s.set_local(local("changed-meanwhile"));
    s.published(sent, t0);
    EXPECT_EQ(s.next(t0).step, Step::Publish);
}

TEST(ClientSchedule, BackoffDoublesUpToMaxAndResetsOnSuccess) {
    ClientSchedule s(options());
    s.set_local(local());
    TimePoint now = t0;
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 6; ++i) {
        ASSERT_EQ(s.next(now).step, Step::Connect);
        auto delay = s.disconnected(now);
        delays.push_back(delay);
        EXPECT_EQ(s.next(now + delay - 1ms).step, Step::Wait);
        now += delay;
    }
    EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 8s, 8s}));
    s.connected(now);
    s.published(*s.local(), now);
    EXPECT_EQ(s.disconnected(now), 1s) << "a success resets the backoff";
}

TEST(ClientSchedule, ConnectingDoesNotResetBackoffWhilePublishIsPending) {
    // A service that answers Hello but breaks every publish must not be hammered.
    ClientSchedule s(options());
    s.set_local(local());
    EXPECT_EQ(s.disconnected(t0), 1s);
    s.connected(t0);
    EXPECT_EQ(s.disconnected(t0), 2s);
}

TEST(ClientSchedule, ReconnectRepublishesEverything) {
    ClientSchedule s(options());
    s.connected(t0);
    s.set_local(local());
    s.published(*s.local(), t0);
    s.disconnected(t0 + 5s);
    EXPECT_EQ(s.next(t0 + 5s).step, Step::Wait);
    EXPECT_EQ(s.next(t0 + 6s).step, Step::Connect);
    s.connected(t0 + 6s);
    EXPECT_EQ(s.next(t0 + 6s).step, Step::Publish) << "the service may have restarted empty";
}

TEST(ClientSchedule, RefusedPublishIsRetriedAfterBackoff) {
    ClientSchedule s(options());
    s.connected(t0);
    s.set_local(local());
    EXPECT_EQ(s.refused(t0), 1s);
    EXPECT_EQ(s.next(t0 + 999ms).step, Step::Wait);
    EXPECT_EQ(s.next(t0 + 999ms).at, t0 + 1s);
    EXPECT_EQ(s.next(t0 + 1s).step, Step::Publish);
    EXPECT_EQ(s.refused(t0 + 1s), 2s);
    EXPECT_TRUE(s.is_connected()) << "a refusal keeps the watch";
}

TEST(ClientSchedule, NothingIsPublishedAfterLeave) {
    ClientSchedule s(options());
    s.connected(t0);
    s.set_local(local());
    s.leave();
    EXPECT_EQ(s.next(t0).step, Step::Wait);
    EXPECT_EQ(s.next(t0 + 10000s).step, Step::Wait);
    s.set_local(local("after-leave"));
    EXPECT_EQ(s.next(t0).step, Step::Wait);
}

TEST(ClientSchedule, JitterSpreadsTheBackoff) {
    ScheduleOptions o = options();
    o.jitter = 0.5;
    ClientSchedule low(o), high(o);
    EXPECT_EQ(low.disconnected(t0, 0.0), 500ms);
    EXPECT_EQ(high.disconnected(t0, 0.999), 1499ms);
}

TEST(ServiceEndpoint, ParsesAsTalos) {
    EXPECT_EQ(*parse_service_endpoint("https://discovery.talos.dev/"), (ServiceEndpoint{"discovery.talos.dev:443", true}));
    EXPECT_EQ(*parse_service_endpoint("https://d.example:8443/x/y"), (ServiceEndpoint{"d.example:8443", true}));
    EXPECT_EQ(*parse_service_endpoint("http://10.0.0.1:3000"), (ServiceEndpoint{"10.0.0.1:3000", false}));
    EXPECT_EQ(*parse_service_endpoint("http://10.0.0.1"), (ServiceEndpoint{"10.0.0.1:80", false}));
    EXPECT_EQ(*parse_service_endpoint("disc.example:3000"), (ServiceEndpoint{"disc.example:3000", true}));
    EXPECT_EQ(*parse_service_endpoint("http://[2001:db8::1]:3000/"), (ServiceEndpoint{"[2001:db8::1]:3000", false}));
    // grpc:// is TLS, on 443 unless a port is given (Talos: plaintext for http:// only).
    EXPECT_EQ(*parse_service_endpoint("grpc://[fd00::1]:3000"), (ServiceEndpoint{"[fd00::1]:3000", true}));
    EXPECT_EQ(*parse_service_endpoint("grpc://disc.example"), (ServiceEndpoint{"disc.example:443", true}));
}

TEST(ServiceEndpoint, RefusesWithTheEndpointAndReason) {
    for (const char* bad : {"", "ftp://x:1", "https://", "host:0", "host:99999", "host:", "2001:db8::1:3000",
                            "https://[::1", "http://user@host:1", "host:12ab"}) {
        auto parsed = parse_service_endpoint(bad);
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_TRUE(parsed.error().starts_with("discovery service")) << parsed.error();
    }
    EXPECT_NE(parse_service_endpoint("ftp://x:1").error().find("scheme ftp"), std::string::npos);
}

TEST(ServiceEndpoint, RedirectKeepsTheTransportUnlessItNamesOne) {
    ServiceEndpoint plain{"127.0.0.1:3000", false};
    EXPECT_EQ(*parse_redirect_endpoint("127.0.0.1:4000", plain), (ServiceEndpoint{"127.0.0.1:4000", false}));
    EXPECT_EQ(*parse_redirect_endpoint("https://b.example", plain), (ServiceEndpoint{"b.example:443", true}));
    EXPECT_FALSE(parse_redirect_endpoint("", plain).ok());
}

}  // namespace
}  // namespace nodenet::discovery
