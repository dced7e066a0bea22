#include "dhcp/dhcp6_client.h"

#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <utility>

#include "common/printable.h"
#include "dhcp/client_support.h"

namespace nodenet::dhcp::v6 {

namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// RFC 8415 §7.6.
constexpr auto kSolTimeout = 1s, kSolMaxRt = 3600s;
constexpr auto kReqTimeout = 1s, kReqMaxRt = 30s;
constexpr int kReqMaxRc = 10;
constexpr auto kCnfTimeout = 1s, kCnfMaxRt = 4s, kCnfMaxRd = 10s;
constexpr auto kRenTimeout = 10s, kRenMaxRt = 600s;
constexpr auto kRebTimeout = 10s, kRebMaxRt = 600s;
constexpr uint8_t kMaxPreference = 255;

const std::vector<uint16_t> kRequestedOptions = {option::kDnsServers, option::kDomainList, option::kSolMaxRt};

std::string seconds_text(std::chrono::seconds s) {
    return s == kInfiniteDuration ? "forever" : duration_text(s);
}

// The IA_NA status of `iaid` in a reply, Success when it has none.
uint16_t ia_status(const Message& reply, uint32_t iaid) {
    auto ias = ia_nas(reply);
    if (!ias.ok()) return static_cast<uint16_t>(StatusCode::Success);
    for (const IaNa& ia : *ias)
        if (ia.iaid == iaid && ia.status) return ia.status->code;
    return static_cast<uint16_t>(StatusCode::Success);
}

bool is(uint16_t code, StatusCode s) { return code == static_cast<uint16_t>(s); }

// An IA_NA of `iaid` with no address left valid: the server takes the lease back (§18.2.10.1).
bool withdraws(const Message& reply, uint32_t iaid) {
    auto ias = ia_nas(reply);
    if (!ias.ok()) return false;
    for (const IaNa& ia : *ias) {
        if (ia.iaid != iaid) continue;
        return std::none_of(ia.addresses.begin(), ia.addresses.end(), [](const IaAddress& a) { return a.valid > 0; });
    }
    return false;
}

}  // namespace

std::string_view state_name(ClientState state) {
    switch (state) {
        case ClientState::Stopped: return "STOPPED";
        case ClientState::Soliciting: return "SOLICITING";
        case ClientState::Requesting: return "REQUESTING";
        case ClientState::Confirming: return "CONFIRMING";
        case ClientState::Bound: return "BOUND";
        case ClientState::Renewing: return "RENEWING";
        case ClientState::Rebinding: return "REBINDING";
        case ClientState::WaitingForLink: return "WAITING-FOR-LINK";
    }
    return "?";
}

Client::Client(ClientConfig config) : config_(std::move(config)) {
    if (config_.duid.empty()) config_.duid = duid_ll(config_.mac);
    iaid_ = config_.iaid.value_or(uint32_t{config_.mac[2]} << 24 | uint32_t{config_.mac[3]} << 16 |
                                  uint32_t{config_.mac[4]} << 8 | config_.mac[5]);
    rng_state_ = config_.seed;
    for (uint8_t b : config_.mac) rng_state_ = rng_state_ * 131 + b;
}

std::vector<Action> Client::handle(const Event& event, TimePoint now) {
    out_.clear();
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, Start>) on_start(e, now);
            else if constexpr (std::is_same_v<E, Stop>) on_stop();
            else if constexpr (std::is_same_v<E, PacketReceived>) on_packet(e.message, now);
            else if constexpr (std::is_same_v<E, TimerFired>) on_timer(now);
            else if constexpr (std::is_same_v<E, LinkDown>) on_link_down();
            else on_link_up(now);
        },
        event);
    return std::move(out_);
}

// --- events --------------------------------------------------------------------------------------

void Client::on_start(const Start& start, TimePoint now) {
    if (state_ != ClientState::Stopped) return log("already running; Start ignored");
    if (start.previous) previous_ = start.previous;
    if (!link_up_) {
        state_ = ClientState::WaitingForLink;
        return log("waiting for the link to come up");
    }
    begin(now);
}

void Client::on_stop() {
    if (state_ == ClientState::Stopped) return;
    if (applied_ && config_.send_release) {
        xid_ = next_random() & 0xFFFFFF;
        Message m;
        m.type = MessageType::Release;
        m.xid = xid_;
        m.add(option::kClientId, config_.duid);
        m.add(option::kServerId, applied_->server_id);
        m.add(option::kElapsedTime, encode_u16(0));
        add_ia(m, true);
        emit(Send{std::move(m)});
        log("RELEASE of " + applied_->address.str() + " sent");
        remove_applied("released");
        previous_.reset();
    } else if (applied_) {
        log("stopped; " + applied_->address.str() + " stays configured (no release)");
    } else {
        log("stopped");
    }
    state_ = ClientState::Stopped;
    retransmit_at_.reset();
    exchange_end_.reset();
    emit(CancelTimer{});
}

void Client::on_packet(const Message& m, TimePoint now) {
    if (!is_ours(m)) return;
    if (m.type == MessageType::Advertise && state_ == ClientState::Soliciting) return on_advertise(m, now);
    if (m.type != MessageType::Reply) return;
    switch (state_) {
        case ClientState::Soliciting:
            // RFC 8415 §18.2.10: a Reply to a Solicit counts only when both sides chose Rapid Commit.
            if (config_.rapid_commit && m.has(option::kRapidCommit)) return on_reply(m, now);
            return;
        case ClientState::Requesting:
        case ClientState::Renewing:
            if (*m.find(option::kServerId) != server_id_) return;  // another server's
            return on_reply(m, now);
        case ClientState::Confirming:
        case ClientState::Rebinding: return on_reply(m, now);
        default: return;
    }
}

void Client::on_timer(TimePoint now) {
    if (applied_ && now >= applied_->expires_at()) return expire(now);
    bool due = retransmit_at_ && now >= *retransmit_at_;
    switch (state_) {
        case ClientState::Bound:
            if (now >= applied_->rebind_at()) return start_rebind(now);
            if (now >= applied_->renew_at()) return start_renew(now);
            return schedule();
        case ClientState::Soliciting:
            // The first RT collects Advertises (§18.2.1); then the best one is taken.
            if (due && best_advertise_) return start_request(*std::exchange(best_advertise_, std::nullopt), now);
            if (due) return send(now);
            return schedule();
        case ClientState::Requesting:
            if (due && attempt_ >= timing_.max_count)
                return give_up("no REPLY after " + std::to_string(attempt_) + " REQUESTs", now);
            if (due) return send(now);
            return schedule();
        case ClientState::Confirming:
            if (exchange_end_ && now >= *exchange_end_) {
                // §18.2.12: without an answer the lease is used for its remaining lifetimes.
                log("no answer about " + previous_->address.str() + " within " + duration_text(kCnfMaxRd) +
                    "; keeping it as leased");
                Lease lease = *previous_;
                state_ = ClientState::Bound;
                applied_ = lease;
                retransmit_at_.reset();
                exchange_end_.reset();
                emit(ApplyLease{std::move(lease)});
                if (now >= applied_->renew_at()) return start_renew(now);
                return schedule();
            }
            if (due) return send(now);
            return schedule();
        case ClientState::Renewing:
            if (now >= applied_->rebind_at()) return start_rebind(now);
            if (due) return send(now);
            return schedule();
        case ClientState::Rebinding:
            if (due) return send(now);
            return schedule();
        case ClientState::WaitingForLink:
        case ClientState::Stopped: return schedule();
    }
}

void Client::on_link_down() {
    link_up_ = false;
    if (state_ == ClientState::Stopped || state_ == ClientState::WaitingForLink) return;
    log(applied_ ? "link down; keeping " + applied_->address.str() + " until the link returns or the lease ends"
                 : std::string("link down"));
    state_ = ClientState::WaitingForLink;
    retransmit_at_.reset();
    exchange_end_.reset();
    best_advertise_.reset();
    emit(CancelTimer{});
    if (applied_ && applied_->expires_at() != TimePoint::max()) emit(SetTimer{applied_->expires_at()});
}

void Client::on_link_up(TimePoint now) {
    link_up_ = true;
    if (state_ != ClientState::WaitingForLink) return;
    log("link up");
    begin(now);
}

// --- transitions ---------------------------------------------------------------------------------

void Client::begin(TimePoint now) {
    if (applied_) previous_ = applied_;
    if (previous_ && now < previous_->expires_at()) return start_confirm(now);
    if (applied_) remove_applied("the lease has expired");
    start_solicit(now);
}

void Client::start_solicit(TimePoint now) {
    best_advertise_.reset();
    best_preference_ = -1;
    start_exchange(ClientState::Soliciting, {kSolTimeout, kSolMaxRt, 0}, now);
}

void Client::start_request(const Message& advertise, TimePoint now) {
    server_id_ = *advertise.find(option::kServerId);
    auto offered = lease_from_reply(advertise, iaid_, now);
    previous_ = *offered;  // is_ours/on_advertise made sure it has one: the address asked for
    log("ADVERTISE of " + offered->address.str() + " from server " + hex_colon(server_id_));
    start_exchange(ClientState::Requesting, {kReqTimeout, kReqMaxRt, kReqMaxRc}, now);
}

void Client::start_confirm(TimePoint now) {
    log("checking that " + previous_->address.str() + " is still ours (REBIND)");
    start_exchange(ClientState::Confirming, {kCnfTimeout, kCnfMaxRt, 0}, now);
    exchange_end_ = now + kCnfMaxRd;
    schedule();
}

void Client::start_renew(TimePoint now) {
    log("T1 reached: renewing " + applied_->address.str());
    start_exchange(ClientState::Renewing, {kRenTimeout, kRenMaxRt, 0}, now);
}

void Client::start_rebind(TimePoint now) {
    log("T2 reached: rebinding " + applied_->address.str() + " with any server");
    start_exchange(ClientState::Rebinding, {kRebTimeout, kRebMaxRt, 0}, now);
}

void Client::start_exchange(ClientState state, const Timing& timing, TimePoint now) {
    state_ = state;
    timing_ = timing;
    xid_ = next_random() & 0xFFFFFF;
    attempt_ = 0;
    exchange_start_ = now;
    exchange_end_.reset();
    send(now);
}

void Client::on_advertise(const Message& advertise, TimePoint now) {
    auto offered = lease_from_reply(advertise, iaid_, now);
    if (!offered.ok()) return log("ignoring ADVERTISE: " + offered.error());
    auto pref = preference(advertise);
    int p = pref.ok() ? *pref : 0;
    if (p > best_preference_) {
        best_preference_ = p;
        best_advertise_ = advertise;
    }
    // §18.2.1: preference 255, or any Advertise after the first RT, is taken at once.
    if (p == kMaxPreference || attempt_ > 1) start_request(*std::exchange(best_advertise_, std::nullopt), now);
}

void Client::on_reply(const Message& reply, TimePoint now) {
    std::string from = "server " + hex_colon(*reply.find(option::kServerId));
    uint16_t code = ia_status(reply, iaid_);
    if (auto top = status(reply); top.ok() && *top && !(*top)->ok()) {
        uint16_t top_code = (*top)->code;
        log("REPLY from " + from + ": " + status_name(top_code) + " (\"" + printable_ascii((*top)->message) + "\")");
        if (is(top_code, StatusCode::NotOnLink)) {
            drop("not on this link any more");
            return start_solicit(now);
        }
        // UnspecFail, UseMulticast: the retransmission asks again. NoAddrsAvail and NoBinding
        // belong in the IA, but some servers (dnsmasq answering a Rebind) put them here.
        if (!is(top_code, StatusCode::NoAddrsAvail) && !is(top_code, StatusCode::NoBinding)) return;
        code = top_code;
    }
    if (is(code, StatusCode::NoBinding) && state_ != ClientState::Requesting) {
        // §18.2.10.1: the server lost the binding; a Request gets it back.
        log(from + " has no binding for " + (applied_ ? applied_ : previous_)->address.str() + "; REQUEST");
        server_id_ = *reply.find(option::kServerId);
        return start_exchange(ClientState::Requesting, {kReqTimeout, kReqMaxRt, kReqMaxRc}, now);
    }
    if (is(code, StatusCode::NotOnLink)) {
        drop("not on this link (" + from + ")");
        return start_solicit(now);
    }
    bool checking = state_ != ClientState::Requesting && state_ != ClientState::Soliciting;
    if (checking && (is(code, StatusCode::NoAddrsAvail) || withdraws(reply, iaid_))) {
        drop("withdrawn by " + from);
        return start_solicit(now);
    }
    auto lease = lease_from_reply(reply, iaid_, first_sent_);
    if (!lease.ok()) {
        if (state_ == ClientState::Requesting) return give_up("REPLY from " + from + ": " + lease.error(), now);
        return log("ignoring REPLY from " + from + ": " + lease.error());
    }
    for (const std::string& w : lease->warnings) log("REPLY from " + from + ": " + w);
    bind(std::move(*lease), now);
}

void Client::bind(Lease lease, TimePoint now) {
    bool renewed = applied_ && applied_->address == lease.address;
    if (applied_ && !renewed) remove_applied("replaced by " + lease.address.str());
    if (!applied_ && previous_ && previous_->address != lease.address && state_ == ClientState::Confirming)
        emit(RemoveLease{*previous_});
    applied_ = lease;
    previous_ = lease;
    server_id_ = lease.server_id;
    state_ = ClientState::Bound;
    retransmit_at_.reset();
    exchange_end_.reset();
    log(std::string(renewed ? "renewed " : "bound to ") + lease.address.str() + " from server " +
        hex_colon(lease.server_id) + ": valid " + seconds_text(lease.valid) + ", preferred " +
        seconds_text(lease.preferred) +
        (lease.renew_at() == TimePoint::max() ? std::string(", never renewed")
                                              : ", renewing in " + duration_text(lease.renew_at() - now)));
    emit(ApplyLease{std::move(lease)});
    schedule();
}

void Client::give_up(const std::string& why, TimePoint now) {
    log(why + "; SOLICIT again");
    start_solicit(now);
}

void Client::expire(TimePoint now) {
    log("the lease of " + applied_->address.str() + " expired; starting over with SOLICIT");
    remove_applied("");
    if (state_ == ClientState::WaitingForLink) return emit(CancelTimer{});
    start_solicit(now);
}

// The lease held, or the remembered one being confirmed (configured by an earlier run), goes; and
// is not asked for again.
void Client::drop(const std::string& why) {
    if (applied_) {
        remove_applied(why);
    } else if (state_ == ClientState::Confirming && previous_) {
        log("removing " + previous_->address.str() + ": " + why);
        emit(RemoveLease{*previous_});
    }
    previous_.reset();
}

void Client::remove_applied(const std::string& why) {
    if (!applied_) return;
    if (!why.empty()) log("removing " + applied_->address.str() + ": " + why);
    emit(RemoveLease{*std::exchange(applied_, std::nullopt)});
}

// --- messages ------------------------------------------------------------------------------------

bool Client::is_ours(const Message& reply) const {
    if (reply.xid != xid_) return false;
    const auto* client = reply.find(option::kClientId);
    const auto* server = reply.find(option::kServerId);
    return client && *client == config_.duid && server && !server->empty() && server->size() <= kMaxDuidSize;
}

Message Client::message(MessageType type, TimePoint now) const {
    Message m;
    m.type = type;
    m.xid = xid_;
    m.add(option::kClientId, config_.duid);
    // Hundredths of a second since the exchange began, 0xFFFF at most (§21.9).
    auto elapsed = duration_cast<milliseconds>(now - exchange_start_).count() / 10;
    m.add(option::kElapsedTime, encode_u16(static_cast<uint16_t>(std::clamp<int64_t>(elapsed, 0, 0xFFFF))));
    return m;
}

void Client::add_ia(Message& m, bool with_address) const {
    IaNa ia;
    ia.iaid = iaid_;
    const std::optional<Lease>& known = applied_ ? applied_ : previous_;
    // Lifetimes of 0: the client's hint or claim; the server decides (§18.2).
    if (with_address && known) ia.addresses.push_back({known->address, 0, 0, std::nullopt});
    m.add(option::kIaNa, encode_ia_na(ia));
}

void Client::send(TimePoint now) {
    Message m;
    switch (state_) {
        case ClientState::Soliciting:
            m = message(MessageType::Solicit, now);
            if (config_.rapid_commit) m.add(option::kRapidCommit, {});
            add_ia(m, previous_.has_value());
            break;
        case ClientState::Requesting:
            m = message(MessageType::Request, now);
            m.add(option::kServerId, server_id_);
            add_ia(m, true);
            break;
        case ClientState::Renewing:
            m = message(MessageType::Renew, now);
            m.add(option::kServerId, server_id_);
            add_ia(m, true);
            break;
        case ClientState::Confirming:
        case ClientState::Rebinding:
            m = message(MessageType::Rebind, now);
            add_ia(m, true);
            break;
        default: return;
    }
    m.add(option::kOptionRequest, encode_option_request(kRequestedOptions));
    std::string what = message_type_name(m.type);
    emit(Send{std::move(m)});
    if (++attempt_ == 1) {
        first_sent_ = now;
        // §15: the first Solicit's RT is strictly above IRT, so Advertises are collected for a while.
        rt_ = jittered(timing_.initial, state_ == ClientState::Soliciting);
    } else {
        rt_ = 2 * rt_ + (jittered(rt_, false) - rt_);
        if (timing_.max_rt.count() > 0 && rt_ > timing_.max_rt) rt_ = jittered(timing_.max_rt, false);
    }
    retransmit_at_ = now + rt_;
    if (attempt_ > 1) log(what + " again (attempt " + std::to_string(attempt_) + ")");
    schedule();
}

// The one timer: the next retransmission, the end of the exchange, or the lease's next event.
void Client::schedule() {
    TimePoint at = TimePoint::max();
    if (retransmit_at_) at = std::min(at, *retransmit_at_);
    if (exchange_end_) at = std::min(at, *exchange_end_);
    if (applied_) {
        at = std::min(at, applied_->expires_at());
        if (state_ == ClientState::Bound) at = std::min(at, applied_->renew_at());
        if (state_ == ClientState::Renewing) at = std::min(at, applied_->rebind_at());
    }
    if (at == TimePoint::max()) return emit(CancelTimer{});
    emit(SetTimer{at});
}

// base × (1 + RAND), RAND uniform in [-0.1, 0.1], or (0, 0.1] when `positive` (§15).
milliseconds Client::jittered(milliseconds base, bool positive) {
    int64_t spread = base.count() / 10;
    if (spread == 0) return base;
    int64_t r = static_cast<int64_t>(next_random() % static_cast<uint64_t>(positive ? spread : 2 * spread + 1));
    return base + milliseconds(positive ? r + 1 : r - spread);
}

uint32_t Client::next_random() {
    if (config_.random) return config_.random();
    return static_cast<uint32_t>(splitmix64(rng_state_));
}

}  // namespace nodenet::dhcp::v6
