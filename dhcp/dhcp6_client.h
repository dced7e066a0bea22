// The DHCPv6 client of RFC 8415 for one IA_NA, as a pure state machine: handle(event, now) →
// actions, like Client4. Every message goes to All_DHCP_Relay_Agents_and_Servers (ff02::1:2):
// nodenet does not take the server-unicast option.
//
//   SOLICIT ──Advertise──▶ REQUEST ──Reply──▶ BOUND ──T1──▶ RENEW ──T2──▶ REBIND ──valid──▶ expiry
//      ▲  └── Reply with Rapid Commit ──────────────▲        (to the server)   (to any server)
//      └── NoAddrsAvail, NotOnLink, NoBinding, retries used up, expiry
//
// A lease remembered from an earlier run, or held across a link flap, is checked with a REBIND of
// its address for up to 10 s (Confirm's limit, CNF_MAX_RD) before it is given up: the server
// either extends it, or withdraws it, which removes it at once.
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

#include "dhcp/dhcp6_codec.h"
#include "dhcp/dhcp6_lease.h"

namespace nodenet::dhcp::v6 {

struct ClientConfig {
    std::array<uint8_t, 6> mac{};
    std::vector<uint8_t> duid;  // empty: DUID-LL of `mac`
    std::optional<uint32_t> iaid;  // default: the last four bytes of the MAC (as dhcpcd)
    bool rapid_commit = false;     // offer Rapid Commit (RFC 8415 §18.2.1): two messages, not four
    bool send_release = false;     // RELEASE on Stop
    std::function<uint32_t()> random;  // xids and jitter; when empty, seeded from `seed` and the MAC
    uint64_t seed = 0;
};

struct Start {
    std::optional<Lease> previous;  // from the state directory
};
struct Stop {};
struct PacketReceived {
    Message message;
};
struct TimerFired {};
struct LinkDown {};
struct LinkUp {};
using Event = std::variant<Start, Stop, PacketReceived, TimerFired, LinkDown, LinkUp>;

struct Send {  // to ff02::1:2 port 547 from the link-local address, port 546
    Message message;
};
struct SetTimer {
    TimePoint at;
};
struct CancelTimer {};
struct ApplyLease {  // install or refresh
    Lease lease;
};
struct RemoveLease {
    Lease lease;
};
struct Log {
    std::string message;
};
using Action = std::variant<Send, SetTimer, CancelTimer, ApplyLease, RemoveLease, Log>;

enum class ClientState {
    Stopped,
    Soliciting,
    Requesting,
    Confirming,  // REBIND of a remembered lease (after a restart or a link flap), at most 10 s
    Bound,
    Renewing,
    Rebinding,
    WaitingForLink,
};
std::string_view state_name(ClientState state);

class Client {
public:
    explicit Client(ClientConfig config);

    std::vector<Action> handle(const Event& event, TimePoint now);

    ClientState state() const { return state_; }
    const std::optional<Lease>& lease() const { return applied_; }
    const std::vector<uint8_t>& duid() const { return config_.duid; }
    uint32_t iaid() const { return iaid_; }

private:
    // Retransmission parameters of one exchange (RFC 8415 §15, §7.6).
    struct Timing {
        std::chrono::milliseconds initial{0};
        std::chrono::milliseconds max_rt{0};  // 0: no cap
        int max_count = 0;                    // 0: no limit
    };

    void on_start(const Start& start, TimePoint now);
    void on_stop();
    void on_packet(const Message& message, TimePoint now);
    void on_timer(TimePoint now);
    void on_link_down();
    void on_link_up(TimePoint now);

    void begin(TimePoint now);
    void start_solicit(TimePoint now);
    void start_request(const Message& advertise, TimePoint now);
    void start_confirm(TimePoint now);
    void start_renew(TimePoint now);
    void start_rebind(TimePoint now);
    void start_exchange(ClientState state, const Timing& timing, TimePoint now);

    void on_advertise(const Message& advertise, TimePoint now);
    void on_reply(const Message& reply, TimePoint now);
    void bind(Lease lease, TimePoint now);
    void give_up(const std::string& why, TimePoint now);
    void expire(TimePoint now);
    void drop(const std::string& why);
    void remove_applied(const std::string& why);

    bool is_ours(const Message& reply) const;
    void send(TimePoint now);
    Message message(MessageType type, TimePoint now) const;
    void add_ia(Message& m, bool with_address) const;
    void schedule();

    std::chrono::milliseconds jittered(std::chrono::milliseconds base, bool positive);
    uint32_t next_random();
    template <class A>
    void emit(A action) {
        out_.emplace_back(std::in_place_type<A>, std::move(action));
    }
    void log(std::string message) { emit(Log{std::move(message)}); }

    ClientConfig config_;
    uint32_t iaid_ = 0;
    uint64_t rng_state_ = 0;
    ClientState state_ = ClientState::Stopped;
    bool link_up_ = true;
    uint32_t xid_ = 0;
    Timing timing_;
    int attempt_ = 0;
    std::chrono::milliseconds rt_{0};  // the current retransmission timeout
    TimePoint exchange_start_;
    TimePoint first_sent_;
    std::optional<TimePoint> retransmit_at_;
    std::optional<TimePoint> exchange_end_;  // MRD: when this exchange gives up
    std::optional<Message> best_advertise_;  // SOLICIT: the best one so far
    int best_preference_ = -1;
    std::vector<uint8_t> server_id_;  // REQUEST and RENEW go to this server
    std::optional<Lease> applied_;
    std::optional<Lease> previous_;  // hint for SOLICIT
    std::vector<Action> out_;
};

}  // namespace nodenet::dhcp::v6
