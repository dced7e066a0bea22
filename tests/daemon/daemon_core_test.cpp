// The daemon's pure parts: the event log, the drift guard, the control protocol.
#include <gtest/gtest.h>

#include "daemon/control_protocol.h"
#include "daemon/drift_guard.h"
#include "daemon/event_log.h"

namespace nodenet::daemon {
namespace {

using namespace std::chrono_literals;

TEST(EventLog, KeepsTheLastEventsInOrderWithSequenceNumbers) {
    EventLog log(3);
    for (int i = 0; i < 5; ++i) log.add("applied", "eth0", "op " + std::to_string(i));
    auto tail = log.tail(10);
    ASSERT_EQ(tail.size(), 3u);
    EXPECT_EQ(tail[0].what, "op 2");
    EXPECT_EQ(tail[2].what, "op 4");
    EXPECT_EQ(tail[2].seq, 5u);
    EXPECT_EQ(log.tail(1).front().what, "op 4");
}

TEST(EventLog, ListenersSeeNewEventsAndMayLeaveWhileCalled) {
    EventLog log;
    std::vector<std::string> seen;
    uint64_t id = 0;
    id = log.listen([&](const Event& e) {
        seen.push_back(e.what);
        log.unlisten(id);
    });
    log.add("drift", "eth0", "first");
    log.add("drift", "eth0", "second");
    EXPECT_EQ(seen, std::vector<std::string>{"first"});
    auto j = event_json(log.tail(1).front());
    EXPECT_EQ(j["kind"], "drift");
    EXPECT_EQ(j["object"], "eth0");
    EXPECT_EQ(j["time"].get<std::string>().back(), 'Z');
}

TEST(DriftGuard, BacksOffAfterTooManyCorrectionsAndLongerWhileTheFightGoesOn) {
    DriftGuard::Limits limits;
    limits.max_corrections = 3;
    limits.window = 10s;
    limits.first_backoff = 5s;
    limits.max_backoff = 40s;
    DriftGuard g(limits);
    auto t = DriftGuard::Clock::time_point{} + 1000s;
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(g.allow(t + std::chrono::seconds(i)));
    EXPECT_FALSE(g.allow(t + 3s));  // the fourth within the window: a fight
    EXPECT_EQ(g.conflicts(), 1);
    ASSERT_TRUE(g.backing_off(t + 4s));
    EXPECT_EQ(*g.backing_off(t + 4s), t + 8s);
    EXPECT_FALSE(g.allow(t + 7s));
    // The back-off over, the fight resumes at once: the next back-off is twice as long.
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(g.allow(t + 8s + std::chrono::milliseconds(i)));
    EXPECT_FALSE(g.allow(t + 9s));
    EXPECT_EQ(*g.backing_off(t + 9s), t + 19s);
    EXPECT_EQ(g.conflicts(), 2);
}

TEST(DriftGuard, OccasionalCorrectionsNeverBackOff) {
    DriftGuard::Limits limits;
    limits.max_corrections = 2;
    limits.window = 10s;
    DriftGuard g(limits);
    auto t = DriftGuard::Clock::time_point{} + 1000s;
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(g.allow(t + std::chrono::seconds(6 * i)));
    EXPECT_EQ(g.conflicts(), 0);
}

TEST(ControlProtocol, ParsesEachRequestAndRoundTripsTheClientsLine) {
    Request r;
    r.op = Op::Apply;
    r.config_bytes = 1234;
    r.config_path = "node.yaml";
    r.confirm_timeout = 30;
    std::string line = request_line(r);
    ASSERT_EQ(line.back(), '\n');
    auto back = parse_request(std::string_view(line).substr(0, line.size() - 1), 1 << 24);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->op, Op::Apply);
    EXPECT_EQ(back->config_bytes, 1234u);
    EXPECT_EQ(back->config_path, "node.yaml");
    EXPECT_EQ(back->confirm_timeout, 30);
    EXPECT_TRUE(changes_state(Op::Apply));
    EXPECT_FALSE(changes_state(Op::Status));
    auto w = parse_request(R"({"op":"wait-online","links":["eth0","eth1"],"any":true})", 100);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->links.size(), 2u);
    EXPECT_TRUE(w->any);
    Request g;
    g.op = Op::Get;
    g.kind = "affiliates";
    g.ns = "cluster-raw";
    std::string gl = request_line(g);
    auto gb = parse_request(std::string_view(gl).substr(0, gl.size() - 1), 100);
    ASSERT_TRUE(gb.ok()) << gb.error();
    EXPECT_EQ(gb->op, Op::Get);
    EXPECT_EQ(gb->kind, "affiliates");
    EXPECT_EQ(gb->ns, "cluster-raw");
    EXPECT_FALSE(changes_state(Op::Get));
    EXPECT_TRUE(changes_state(Op::Leave));  // deleting the node's affiliate is root's (or the group's)
}

TEST(ControlProtocol, RefusesWhatIsNotARequestWithAReason) {
    const std::pair<const char*, const char*> cases[] = {
        {"garbage", "not a JSON object"},
        {"[1,2]", "not a JSON object"},
        {R"({"op":"format-disk"})", "unknown request \"format-disk\""},
        {R"({"op":7})", "\"op\" is not a string"},
        {R"({"op":"events","tail":-1})", "\"tail\" -1 is outside 0..100000"},
        {R"({"op":"events","follow":"yes"})", "\"follow\" is not true or false"},
        {R"({"op":"apply","config_bytes":104857600})", "\"config_bytes\" 104857600 is outside 0..16777216"},
        {R"({"op":"apply"})", "apply without a config"},
        {R"({"op":"wait-online","links":[""]})", "not a link name"},
        {R"({"op":"apply","config_bytes":5,"output":"html"})", "\"output\" is text or json"},
        {R"({"op":"get"})", "get without a \"kind\""},
        {R"({"op":"get","kind":["affiliates"]})", "\"kind\" is not a string"},
    };
    for (const auto& [line, why] : cases) {
        auto r = parse_request(line, 16 * 1024 * 1024);
        ASSERT_FALSE(r.ok()) << line;
        EXPECT_NE(r.error().find(why), std::string::npos) << line << " -> " << r.error();
    }
    EXPECT_FALSE(parse_request(std::string(kMaxHeaderBytes + 1, ' '), 100).ok());
}

}  // namespace
}  // namespace nodenet::daemon
