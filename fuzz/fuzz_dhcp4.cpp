// DHCPv4 from arbitrary bytes: decode, every option accessor, lease_from_ack and the client state
// machine must neither crash, leak nor hang; what is accepted must survive encode/decode and the
// lease's JSON unchanged.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dhcp/dhcp4_client.h"
#include "dhcp/dhcp4_codec.h"
#include "dhcp/dhcp4_lease.h"
#include "dhcp/dhcp4_options.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/lease_names_check.h"
#include "state/from_dhcp4.h"

namespace {

using nodenet::fuzz::check;
using namespace nodenet::dhcp;
using namespace std::chrono_literals;

// Every accessor; names and routes that parse must encode back to what they were.
void exercise_options(const Options& o) {
    (void)message_type(o);
    (void)subnet_prefix(o);
    for (uint8_t code : {option::kRouter, option::kDnsServers, option::kNtpServers}) (void)address_list(o, code);
    for (uint8_t code : {option::kBroadcastAddress, option::kRequestedIp, option::kServerId}) (void)address(o, code);
    for (uint8_t code : {option::kLeaseTime, option::kRenewalTime, option::kRebindingTime}) (void)time_seconds(o, code);
    (void)interface_mtu(o);
    (void)max_message_size(o);
    for (uint8_t code : {option::kHostname, option::kDomainName})
        if (auto t = text(o, code); t.ok() && *t) (void)valid_dns_name(**t);
    (void)parameter_request_list(o);
    (void)client_id(o);

    if (auto names = domain_search(o); names.ok()) {
        bool all_valid = true;
        for (const auto& name : *names) all_valid = all_valid && valid_dns_name(name) && name.back() != '.';
        if (all_valid) {
            Options again;
            again.set(option::kDomainSearch, encode_domain_search(*names));
            auto back = domain_search(again);
            check(back.ok() && *back == *names);
        }
    } else {
        check(!names.error().empty());
    }
    for (uint8_t code : {option::kClasslessRoutes, option::kMsClasslessRoutes}) {
        auto routes = classless_routes(o, code);
        if (!routes.ok() || routes->empty()) continue;
        Options again;
        set_classless_routes(again, code, *routes);
        auto back = classless_routes(again, code);
        check(back.ok() && *back == *routes);
    }
}

void exercise_lease(const Message& m) {
    const TimePoint now = TimePoint{} + 1000s;
    const WallTime wall = WallTime{} + 1'700'000'000s;
    auto lease = lease_from_ack(m, now);
    if (!lease.ok()) return check(!lease.error().empty());
    check(lease->t1 <= lease->t2 && lease->t2 <= lease->lease_time);
    check(!lease->mtu || *lease->mtu >= kMinMtu);
    check(lease->routers.empty() || lease->classless_routes.empty());
    std::string json = to_json(*lease, now, wall);
    auto back = from_json(json, now, wall);
    check(back.ok());
    check(to_json(*back, now, wall) == json);
    nodenet::fuzz::check_lease_names(nodenet::state::specs_from_dhcp4("eth0", *lease, {}, now));
}

// The message as the reply to a client whose xid (always 0x3d1d) and MAC match the seed corpus: first
// as an OFFER, to reach REQUESTING, then as it is in each state that takes replies.
void exercise_client(const Message& m) {
    ClientConfig config;
    config.mac = {0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42};
    config.client_id = ClientIdMode::None;
    config.probe_address = (m.secs & 1) != 0;
    config.send_release = (m.secs & 2) != 0;
    config.random = [] { return uint32_t{0x3d1d}; };
    Client4 client(config);
    TimePoint now = TimePoint{} + 10s;
    auto reply = [&](const Message& message) { (void)client.handle(PacketReceived{message}, now += 1s); };
    (void)client.handle(Start{}, now);
    Message offer = m;
    set_message_type(offer.options, MessageType::Offer);
    if (!usable_host_address(offer.yiaddr)) offer.yiaddr = ipv4(192, 0, 2, 10);  // so that a NAK is heard
    reply(offer);
    reply(m);  // REQUESTING
    (void)client.handle(ProbeResult{(m.secs & 4) != 0}, now);
    for (int i = 0; i < 4; ++i) {  // a timeline jump chosen by the input: renewing, rebinding, expiry
        (void)client.handle(TimerFired{}, now += std::chrono::seconds(m.secs) * (i + 1));
        reply(m);
    }
    (void)client.handle(LinkDown{}, now);
    (void)client.handle(LinkUp{}, now);
    reply(m);  // INIT-REBOOT
    (void)client.handle(Stop{}, now);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto message = decode(std::span<const uint8_t>(data, size));
    if (!message.ok()) {
        check(message.error().rfind("DHCP packet: ", 0) == 0);  // every refusal says what and where
        return 0;
    }
    // Options pulled out of sname/file grow the options field on re-encoding: stay clear of the
    // datagram limit.
    if (size < 60000) {
        auto again = decode(encode(*message));
        check(again.ok() && *again == *message);
    }
    exercise_options(message->options);
    exercise_lease(*message);
    exercise_client(*message);
    return 0;
}
