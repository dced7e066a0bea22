// The DHCPv4 client of RFC 2131 as a pure state machine: handle(event, now) → actions. It owns no
// socket, timer, clock or random source; the I/O adapter sends what it is told, arms the one timer,
// installs and removes leases, and feeds back packets, timer expiries, link changes and probe
// results. So every path (lost packets, NAKs, expiry, link flaps) is tested with a fake clock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dhcp/dhcp4_codec.h"
#include "dhcp/dhcp4_lease.h"
#include "state/ip.h"

namespace nodenet::dhcp {

enum class ClientIdMode {
    None,  // no option 61: servers key the lease on chaddr
    Mac,   // type 1 (Ethernet) + MAC, RFC 2132 §9.14
    Duid,  // the bytes of ClientConfig::duid as they are (e.g. RFC 4361's 0xFF ‖ IAID ‖ DUID)
};

struct ClientConfig {
    std::array<uint8_t, 6> mac{};  // Ethernet only: htype 1, hlen 6
    ClientIdMode client_id = ClientIdMode::Mac;
    std::vector<uint8_t> duid;
    // Sent as option 12 when set; otherwise option 12 is asked for in the parameter request list.
    std::optional<std::string> hostname;
    bool send_release = false;  // DHCPRELEASE on Stop, unicast to the server
    // RFC 5227: after an ACK for an address this client does not hold yet, ProbeAddress and wait
    // for ProbeResult before applying it; a conflict is answered with DHCPDECLINE.
    bool probe_address = false;
    // The BROADCAST flag, for a receive path that cannot take unicast before the address is set.
    bool request_broadcast = false;
    uint16_t max_message_size = 1500;  // option 57; the IP datagram this client can take
    int discover_attempts = 5;         // DISCOVERs of one xid (4, 8, 16, 32, 64 s) before a new xid
    int request_attempts = 4;          // REQUESTs in REQUESTING / INIT-REBOOT before DISCOVER again
    // Random numbers for xids and jitter. When empty, a generator seeded with `seed` and the MAC.
    std::function<uint32_t()> random;
    uint64_t seed = 0;
};

// The parameter request list (option 55): 12 is left out when the client sends its own hostname.
std::vector<uint8_t> requested_parameters(bool request_hostname);

// --- events --------------------------------------------------------------------------------------

// `previous`: a lease from the state directory. Still valid: INIT-REBOOT (REQUEST for its address,
// no server id). Expired: DISCOVER asking for its address (option 50).
struct Start {
    std::optional<Lease> previous;
};
struct Stop {};
struct PacketReceived {
    Message message;
};
struct TimerFired {};
struct LinkDown {};
struct LinkUp {};
struct ProbeResult {
    bool conflict = false;
};
using Event = std::variant<Start, Stop, PacketReceived, TimerFired, LinkDown, LinkUp, ProbeResult>;

// --- actions -------------------------------------------------------------------------------------

struct SendBroadcast {  // to 255.255.255.255:67 from 0.0.0.0:68 (or the leased address when bound)
    Message message;
};
struct SendUnicast {  // to server:67 from the leased address
    Message message;
    state::IpAddress server;
};
struct SetTimer {  // the one timer, replacing any earlier one
    TimePoint at;
};
struct CancelTimer {};
struct ApplyLease {  // install or refresh (same address, new lifetimes and options)
    Lease lease;
};
struct RemoveLease {  // take its address, routes and resolver settings away
    Lease lease;
};
struct ProbeAddress {  // RFC 5227 ARP probe; answer with ProbeResult
    state::IpAddress address;
};
struct Log {
    std::string message;
};
using Action =
    std::variant<SendBroadcast, SendUnicast, SetTimer, CancelTimer, ApplyLease, RemoveLease, ProbeAddress, Log>;

enum class ClientState {
    Stopped,
    Init,        // waiting before a DISCOVER (after a DECLINE or repeated NAKs)
    Selecting,   // DISCOVER sent, waiting for an OFFER
    Requesting,  // REQUEST for an offer sent, waiting for the ACK of that server
    Rebooting,   // INIT-REBOOT: REQUEST for a known address sent
    Probing,     // ACK received, waiting for the RFC 5227 probe
    Bound,
    Renewing,        // after T1: REQUEST unicast to the server
    Rebinding,       // after T2: REQUEST broadcast to any server
    WaitingForLink,  // link down; a held lease stays until it expires
};
std::string_view state_name(ClientState state);

class Client4 {
public:
    explicit Client4(ClientConfig config);

    std::vector<Action> handle(const Event& event, TimePoint now);

    ClientState state() const { return state_; }
    // The lease last applied and not removed since.
    const std::optional<Lease>& lease() const { return applied_; }

private:
    void on_start(const Start& start, TimePoint now);
    void on_stop();
    void on_packet(const Message& message, TimePoint now);
    void on_timer(TimePoint now);
    void on_link_down();
    void on_link_up(TimePoint now);
    void on_probe(bool conflict, TimePoint now);

    void begin(TimePoint now);
    void start_discover(TimePoint now);
    void start_reboot(TimePoint now);
    void start_renewing(TimePoint now);
    void start_rebinding(TimePoint now);
    void follow_timeline(TimePoint now);
    void retransmit(TimePoint now);
    void give_up_request(TimePoint now);

    void on_offer(const Message& offer, TimePoint now);
    void on_ack(const Message& ack, TimePoint now);
    void on_nak(const Message& nak, TimePoint now);
    void bind(Lease lease, TimePoint now);
    void remove_applied(const std::string& why);

    bool is_ours(const Message& reply) const;
    Message base_message(TimePoint now) const;
    void send_discover(TimePoint now);
    void send_request(TimePoint now);
    void send_decline(const Lease& lease);
    void send_release();
    void add_identity(Message& message) const;

    std::chrono::milliseconds backoff(int attempt);
    uint32_t next_random();
    void arm(TimePoint at);
    // Built in place: moving a whole Action variant trips GCC 12's -Wmaybe-uninitialized.
    template <class A>
    void emit(A action) {
        out_.emplace_back(std::in_place_type<A>, std::move(action));
    }
    void log(std::string message) { emit(Log{std::move(message)}); }

    ClientConfig config_;
    uint64_t rng_state_ = 0;
    ClientState state_ = ClientState::Stopped;
    bool link_up_ = true;
    uint32_t xid_ = 0;
    int attempt_ = 0;           // transmissions so far in this exchange
    int nak_streak_ = 0;        // NAKs since the last bound lease: spaces out a NAK loop
    TimePoint exchange_start_;  // for `secs`
    TimePoint request_sent_;    // the lease counts from here (RFC 2131 §4.4.1)
    std::optional<TimePoint> deadline_;
    state::IpAddress offered_;  // REQUESTING: the OFFER taken
    state::IpAddress offer_server_;
    std::optional<Lease> pending_;   // PROBING
    std::optional<Lease> applied_;   // installed
    std::optional<Lease> previous_;  // the last known lease: INIT-REBOOT target or DISCOVER hint
    std::vector<Action> out_;
};

}  // namespace nodenet::dhcp
