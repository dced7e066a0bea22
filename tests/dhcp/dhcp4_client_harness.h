// The client under test with its fake clock and its one timer, as the I/O adapter would hold them,
// and helpers to read what it sent. For dhcp4_client_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "dhcp/dhcp4_client.h"
#include "dhcp/dhcp4_options.h"
#include "tests/dhcp/dhcp4_fake_server.h"

namespace nodenet::dhcp::testing {

using namespace std::chrono_literals;

const std::array<uint8_t, 6> kMac = {0x52, 0x54, 0x00, 0xab, 0xcd, 0x01};
const state::IpAddress kServer = ipv4(192, 168, 1, 1);
const state::IpAddress kAddress = ipv4(192, 168, 1, 50);

// Random numbers that give exactly zero jitter, and a new xid each time.
inline ClientConfig exact_config() {
    ClientConfig c;
    c.mac = kMac;
    auto counter = std::make_shared<uint32_t>(0);
    c.random = [counter] { return ++*counter * 2001 + 1000; };
    return c;
}

inline ClientConfig seeded_config(uint64_t seed) {
    ClientConfig c;
    c.mac = kMac;
    c.seed = seed;
    return c;
}

// A client, its clock and its one timer, as the I/O adapter would hold them.
struct Harness {
    explicit Harness(ClientConfig config = exact_config()) : client(std::move(config)) {}

    const std::vector<Action>& feed(const Event& event) {
        actions = client.handle(event, now);
        for (const auto& a : actions) {
            if (const auto* t = std::get_if<SetTimer>(&a)) timer = t->at;
            if (std::holds_alternative<CancelTimer>(a)) timer.reset();
        }
        return actions;
    }
    const std::vector<Action>& receive(const Message& m) { return feed(PacketReceived{m}); }
    // Moves the clock to the timer and fires it.
    const std::vector<Action>& fire() {
        EXPECT_TRUE(timer.has_value());
        if (timer) now = *timer;
        return feed(TimerFired{});
    }

    template <class A>
    const A* find() const {
        for (const auto& a : actions)
            if (const auto* x = std::get_if<A>(&a)) return x;
        return nullptr;
    }
    template <class A>
    bool has() const {
        return find<A>() != nullptr;
    }
    // The message sent by the last event, broadcast or unicast; fails the test when none was.
    const Message& sent() const {
        if (const auto* b = find<SendBroadcast>()) return b->message;
        if (const auto* u = find<SendUnicast>()) return u->message;
        ADD_FAILURE() << "nothing sent";
        static const Message none;
        return none;
    }

    // Start → OFFER → ACK with the given lease; returns the lease applied.
    Lease bind(ServerReply reply = {}) {
        feed(Start{});
        Message discover = sent();
        reply.type = MessageType::Offer;
        receive(reply_to(discover, reply));
        Message request = sent();
        bound_xid = request.xid;
        reply.type = MessageType::Ack;
        receive(reply_to(request, reply));
        const auto* applied = find<ApplyLease>();
        EXPECT_NE(applied, nullptr);
        return applied ? applied->lease : Lease{};
    }

    TimePoint now = TimePoint{} + 1000s;
    Client4 client;
    std::optional<TimePoint> timer;
    std::vector<Action> actions;
    uint32_t bound_xid = 0;  // of the exchange bind() completed
};

inline std::optional<MessageType> type_of(const Message& m) {
    auto t = message_type(m.options);
    return t.ok() ? *t : std::nullopt;
}

inline std::vector<uint8_t> option_bytes(const Message& m, uint8_t code) {
    const auto* d = m.options.find(code);
    return d ? *d : std::vector<uint8_t>{};
}

inline std::optional<state::IpAddress> option_ip(const Message& m, uint8_t code) {
    auto ip = address(m.options, code);
    return ip.ok() ? *ip : std::nullopt;
}

}  // namespace nodenet::dhcp::testing
