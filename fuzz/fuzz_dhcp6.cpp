// DHCPv6 from arbitrary bytes: decode, every option reader, lease_from_reply and the client state
// machine must neither crash, leak nor hang; what is accepted must survive encode/decode and the
// lease's JSON unchanged.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dhcp/dhcp6_client.h"
#include "dhcp/dhcp6_codec.h"
#include "dhcp/dhcp6_lease.h"
#include "dhcp/dhcp4_options.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/lease_names_check.h"
#include "state/from_dhcp6.h"

namespace {

using nodenet::fuzz::check;
using namespace nodenet::dhcp::v6;
using nodenet::dhcp::TimePoint;
using nodenet::dhcp::valid_dns_name;
using nodenet::dhcp::WallTime;
using namespace std::chrono_literals;

constexpr uint32_t kIaid = 0x8201fc42;  // the IAID of the client below (the last four bytes of its MAC)

void exercise_options(const Message& m) {
    (void)status(m);
    (void)preference(m);
    (void)dns_servers(m);
    if (auto ias = ia_nas(m); ias.ok()) {
        Message again;
        for (const IaNa& ia : *ias) again.add(option::kIaNa, encode_ia_na(ia));
        auto back = ia_nas(again);
        check(back.ok() && *back == *ias);
    } else {
        check(!ias.error().empty());
    }
    if (auto names = domain_list(m); names.ok()) {
        bool all_valid = true;
        for (const auto& name : *names) all_valid = all_valid && valid_dns_name(name) && name.back() != '.';
        if (all_valid) {
            Message again;
            again.add(option::kDomainList, encode_domain_list(*names));
            auto back = domain_list(again);
            check(back.ok() && *back == *names);
        }
    }
}

void exercise_lease(const Message& m) {
    const TimePoint now = TimePoint{} + 1000s;
    const WallTime wall = WallTime{} + 1'700'000'000s;
    auto lease = lease_from_reply(m, kIaid, now);
    if (!lease.ok()) return check(!lease.error().empty());
    check(lease->preferred <= lease->valid && lease->t1 <= lease->t2);
    check(lease->valid == kInfiniteDuration || lease->t2 <= lease->valid);
    std::string json = to_json(*lease, now, wall);
    auto back = from_json(json, now, wall);
    check(back.ok());
    check(to_json(*back, now, wall) == json);
    nodenet::fuzz::check_lease_names(nodenet::state::specs_from_dhcp6("eth0", *lease, 1024, now));
}

// The message, with the xid and client id of a client that always draws the same random number,
// as the answer in each state: Advertise while soliciting, Reply to Request, Renew and Rebind, and
// to the confirming Rebind after a link flap.
void exercise_client(Message m) {
    ClientConfig config;
    config.mac = {0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42};
    config.rapid_commit = (m.xid & 1) != 0;
    config.send_release = (m.xid & 2) != 0;
    config.random = [] { return uint32_t{0x3d1d}; };
    Client client(config);
    m.xid = 0x3d1d;
    TimePoint now = TimePoint{} + 10s;
    auto answer = [&](MessageType type) {
        Message a = m;
        a.type = type;
        (void)client.handle(PacketReceived{a}, now += 1s);
    };
    (void)client.handle(Start{}, now);
    answer(MessageType::Advertise);
    (void)client.handle(TimerFired{}, now += 2s);
    answer(MessageType::Reply);
    for (int i = 0; i < 4; ++i) {
        (void)client.handle(TimerFired{}, now += std::chrono::seconds(m.options.size() * 30 + 1) * (i + 1));
        answer(MessageType::Reply);
    }
    (void)client.handle(LinkDown{}, now);
    (void)client.handle(LinkUp{}, now += 1s);
    answer(MessageType::Reply);
    (void)client.handle(Stop{}, now);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto message = decode(std::span<const uint8_t>(data, size));
    if (!message.ok()) return check(!message.error().empty()), 0;
    auto again = decode(encode(*message));
    check(again.ok() && *again == *message);
    exercise_options(*message);
    exercise_lease(*message);
    exercise_client(*message);
    return 0;
}
