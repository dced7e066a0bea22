#include "dhcp/dhcp4_client.h"

#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <utility>

#include "common/printable.h"
#include "dhcp/client_support.h"
#include "dhcp/dhcp4_options.h"

namespace nodenet::dhcp {

namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr auto kFirstBackoff = 4s;  // RFC 2131 §4.1: 4 s, doubling, up to 64 s, ±1 s at random
constexpr int kMaxDoublings = 4;    // 4 s << 4 = 64 s
constexpr uint32_t kJitterMs = 1000;
constexpr auto kMinRenewRetransmit = 60s;  // RFC 2131 §4.4.5
constexpr auto kDeclineWait = 10s;         // RFC 2131 §3.1.5: at least 10 s after a DHCPDECLINE
constexpr auto kProbeTimeout = 10s;        // an adapter that never answers ProbeAddress
constexpr uint8_t kOptionServerMessage = 56;

std::string hex32(uint32_t value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", value);
    return buf;
}


std::vector<uint8_t> client_identifier(const ClientConfig& config) {
    switch (config.client_id) {
        case ClientIdMode::None: return {};
        case ClientIdMode::Mac: {
            std::vector<uint8_t> id = {kHtypeEthernet};
            id.insert(id.end(), config.mac.begin(), config.mac.end());
            return id;
        }
        case ClientIdMode::Duid: return config.duid;
    }
    return {};
}

std::string server_of(const Message& reply) {
    auto server = address(reply.options, option::kServerId);
    return server.ok() && *server ? (*server)->str() : std::string("an unnamed server");
}

}  // namespace

std::vector<uint8_t> requested_parameters(bool request_hostname) {
    std::vector<uint8_t> codes = {option::kSubnetMask,       option::kRouter,          option::kDnsServers,
                                  option::kHostname,         option::kDomainName,      option::kInterfaceMtu,
                                  option::kBroadcastAddress, option::kNtpServers,      option::kLeaseTime,
                                  option::kServerId,         option::kRenewalTime,     option::kRebindingTime,
                                  option::kDomainSearch,     option::kClasslessRoutes, option::kMsClasslessRoutes};
    if (!request_hostname) std::erase(codes, option::kHostname);
    return codes;
}

std::string_view state_name(ClientState state) {
    switch (state) {
        case ClientState::Stopped: return "stopped";
        case ClientState::Init: return "init";
        case ClientState::Selecting: return "selecting";
        case ClientState::Requesting: return "requesting";
        case ClientState::Rebooting: return "init-reboot";
        case ClientState::Probing: return "probing";
        case ClientState::Bound: return "bound";
        case ClientState::Renewing: return "renewing";
        case ClientState::Rebinding: return "rebinding";
        case ClientState::WaitingForLink: return "waiting for link";
    }
    return "?";
}

Client4::Client4(ClientConfig config) : config_(std::move(config)) {
    // Two NICs started with the same seed still draw different xids.
    rng_state_ = config_.seed;
    for (uint8_t b : config_.mac) rng_state_ = (rng_state_ ^ b) * 0x100000001B3ull;
}

std::vector<Action> Client4::handle(const Event& event, TimePoint now) {
    out_.clear();
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, Start>)
                on_start(e, now);
            else if constexpr (std::is_same_v<E, Stop>)
                on_stop();
            else if constexpr (std::is_same_v<E, PacketReceived>)
                on_packet(e.message, now);
            else if constexpr (std::is_same_v<E, TimerFired>)
                on_timer(now);
            else if constexpr (std::is_same_v<E, LinkDown>)
                on_link_down();
            else if constexpr (std::is_same_v<E, LinkUp>)
                on_link_up(now);
            else if constexpr (std::is_same_v<E, ProbeResult>)
                on_probe(e.conflict, now);
        },
        event);
    return std::exchange(out_, {});
}

// --- events --------------------------------------------------------------------------------------

void Client4::on_start(const Start& start, TimePoint now) {
    if (state_ != ClientState::Stopped) return log("already running; Start ignored");
    if (start.previous) previous_ = start.previous;
    if (!link_up_) {
        state_ = ClientState::WaitingForLink;
        return log("waiting for the link to come up");
    }
    begin(now);
}

void Client4::on_stop() {
    if (state_ == ClientState::Stopped) return;
    if (applied_ && config_.send_release) {
        send_release();
        log("DHCPRELEASE of " + applied_->address.addr.str() + " sent to " + applied_->server_id.str());
        remove_applied("released");
        previous_.reset();  // given back: asking for it again would be odd
    } else if (applied_) {
        log("stopped; " + applied_->address.str() + " stays configured (no release)");
    } else {
        log("stopped");
    }
    pending_.reset();
    state_ = ClientState::Stopped;
    deadline_.reset();
    emit(CancelTimer{});
}

void Client4::on_packet(const Message& message, TimePoint now) {
    // Replies to other clients and late replies of older exchanges are normal on a broadcast
    // domain: dropped without a word.
    if (!is_ours(message)) return;
    auto type = message_type(message.options);
    if (!type.ok() || !*type) return log("ignoring a reply without a valid message type (option 53)");
    bool requesting = state_ == ClientState::Requesting || state_ == ClientState::Rebooting ||
                      state_ == ClientState::Renewing || state_ == ClientState::Rebinding;
    if (**type == MessageType::Offer && state_ == ClientState::Selecting)
        on_offer(message, now);
    else if (**type == MessageType::Ack && requesting)
        on_ack(message, now);
    else if (**type == MessageType::Nak && requesting)
        on_nak(message, now);
}

void Client4::on_timer(TimePoint now) {
    if (!deadline_) return;                                   // a timer this client no longer wants
    if (now < *deadline_) return emit(SetTimer{*deadline_});  // fired early: arm it again
    deadline_.reset();
    switch (state_) {
        case ClientState::Init: return start_discover(now);
        case ClientState::Selecting:
            if (attempt_ < config_.discover_attempts) return send_discover(now);
            log("no DHCPOFFER after " + std::to_string(attempt_) + " DHCPDISCOVERs; starting over with a new xid");
            return start_discover(now);
        case ClientState::Requesting:
        case ClientState::Rebooting:
            if (attempt_ < config_.request_attempts) return send_request(now);
            return give_up_request(now);
        case ClientState::Probing:
            log("no probe result for " + pending_->address.addr.str() + " after " + duration_text(kProbeTimeout) +
                "; using it");
            return bind(*std::exchange(pending_, std::nullopt), now);
        case ClientState::Bound:
        case ClientState::Renewing:
        case ClientState::Rebinding: return follow_timeline(now);
        case ClientState::WaitingForLink:
            if (applied_ && now >= applied_->expires_at()) {
                remove_applied("the lease expired while the link was down");
                previous_.reset();
            }
            return;
        case ClientState::Stopped: return;
    }
}

void Client4::on_link_down() {
    link_up_ = false;
    if (state_ == ClientState::Stopped || state_ == ClientState::WaitingForLink) return;
    pending_.reset();
    state_ = ClientState::WaitingForLink;
    if (applied_) {
        log("link down; keeping " + applied_->address.str() + " until the link returns or the lease expires");
        return arm(applied_->expires_at());
    }
    log("link down; waiting for it to come back");
    deadline_.reset();
    emit(CancelTimer{});
}

void Client4::on_link_up(TimePoint now) {
    link_up_ = true;
    if (state_ != ClientState::WaitingForLink) return;
    log("link up");
    begin(now);
}

void Client4::on_probe(bool conflict, TimePoint now) {
    if (state_ != ClientState::Probing) return;
    Lease lease = *std::exchange(pending_, std::nullopt);
    if (!conflict) return bind(std::move(lease), now);
    send_decline(lease);
    previous_.reset();  // never ask for that address again
    state_ = ClientState::Init;
    arm(now + kDeclineWait);
    log(lease.address.addr.str() + " is in use by another host: DHCPDECLINE sent to " + lease.server_id.str() +
        ", DHCPDISCOVER again in " + duration_text(kDeclineWait));
}

// --- transitions ---------------------------------------------------------------------------------

// From nothing (Start, link up): the known lease if it is still valid, else a DISCOVER.
void Client4::begin(TimePoint now) {
    if (applied_) previous_ = applied_;
    if (previous_ && now < previous_->expires_at()) return start_reboot(now);
    if (applied_) remove_applied("the lease has expired");
    start_discover(now);
}

void Client4::start_discover(TimePoint now) {
    state_ = ClientState::Selecting;
    xid_ = next_random();
    attempt_ = 0;
    exchange_start_ = now;
    send_discover(now);
}

void Client4::start_reboot(TimePoint now) {
    state_ = ClientState::Rebooting;
    xid_ = next_random();
    attempt_ = 0;
    exchange_start_ = request_sent_ = now;
    send_request(now);
}

void Client4::start_renewing(TimePoint now) {
    state_ = ClientState::Renewing;
    xid_ = next_random();
    attempt_ = 0;
    exchange_start_ = request_sent_ = now;
    log("T1 reached: renewing " + applied_->address.addr.str() + " with " + applied_->server_id.str());
    send_request(now);
}

void Client4::start_rebinding(TimePoint now) {
    if (state_ != ClientState::Renewing) exchange_start_ = now;  // secs counts from the renewal's start
    state_ = ClientState::Rebinding;
    xid_ = next_random();
    attempt_ = 0;
    request_sent_ = now;
    log("T2 reached without an answer from " + applied_->server_id.str() + ": rebinding " +
        applied_->address.addr.str() + " with any server");
    send_request(now);
}

// Bound, renewing or rebinding: what the lease's clock says is due now.
void Client4::follow_timeline(TimePoint now) {
    const Lease& lease = *applied_;
    if (now >= lease.expires_at()) {
        log("the lease of " + lease.address.str() + " expired; starting over with DHCPDISCOVER");
        remove_applied("");
        return start_discover(now);  // previous_ stays: DISCOVER asks for the same address
    }
    if (now >= lease.rebind_at() && state_ != ClientState::Rebinding) return start_rebinding(now);
    if (now >= lease.renew_at() && state_ == ClientState::Bound) return start_renewing(now);
    if (state_ == ClientState::Bound) return arm(lease.renew_at());
    send_request(now);  // a retransmission in RENEWING or REBINDING
}

void Client4::give_up_request(TimePoint now) {
    std::string tries = std::to_string(attempt_) + " DHCPREQUESTs";
    if (state_ == ClientState::Rebooting && applied_ && now < applied_->expires_at()) {
        // RFC 2131 §3.2: the address may be used until the lease runs out.
        log("no answer to INIT-REBOOT after " + tries + "; keeping " + applied_->address.str() + " as leased");
        state_ = ClientState::Bound;
        return follow_timeline(now);
    }
    log("no DHCPACK after " + tries + "; back to DHCPDISCOVER");
    start_discover(now);
}

void Client4::on_offer(const Message& offer, TimePoint now) {
    auto server = address(offer.options, option::kServerId);
    if (!server.ok() || !*server) return log("ignoring DHCPOFFER of " + offer.yiaddr.str() + ": no server identifier");
    if (!usable_host_address(offer.yiaddr)) return log("ignoring DHCPOFFER of " + offer.yiaddr.str() + ": not usable");
    offered_ = offer.yiaddr;
    offer_server_ = **server;
    state_ = ClientState::Requesting;
    attempt_ = 0;
    request_sent_ = now;
    log("DHCPOFFER of " + offered_.str() + " from " + offer_server_.str());
    send_request(now);
}

void Client4::on_ack(const Message& ack, TimePoint now) {
    if (state_ == ClientState::Requesting && server_of(ack) != offer_server_.str())
        return log("ignoring DHCPACK from " + server_of(ack) + ": the request went to " + offer_server_.str());
    auto lease = lease_from_ack(ack, request_sent_);
    if (!lease) return log("ignoring DHCPACK: " + lease.error());
    for (const auto& warning : lease->warnings) log("DHCPACK from " + lease->server_id.str() + ": " + warning);
    nak_streak_ = 0;
    if (applied_ && applied_->address.addr != lease->address.addr)
        remove_applied("the server gave " + lease->address.addr.str() + " instead");
    if (!applied_ && config_.probe_address) {
        state_ = ClientState::Probing;
        emit(ProbeAddress{lease->address.addr});
        log("checking that " + lease->address.addr.str() + " is free (RFC 5227) before using it");
        pending_ = std::move(*lease);
        return arm(now + kProbeTimeout);
    }
    bind(std::move(*lease), now);
}

void Client4::on_nak(const Message& nak, TimePoint now) {
    if (state_ == ClientState::Requesting && server_of(nak) != offer_server_.str()) return;  // another server's
    const auto* text = nak.options.find(kOptionServerMessage);
    log("DHCPNAK from " + server_of(nak) + (text ? " (\"" + printable_ascii(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()), 200) + "\")" : std::string()) + " in " +
        std::string(state_name(state_)));
    if (state_ == ClientState::Rebooting && !applied_) {
        // The remembered lease of an earlier run: its address may still be configured (it has the
        // lease's kernel lifetimes), and RFC 2131 §3.2 says it cannot be used any more.
        log("removing " + previous_->address.str() + ": refused by the server");
        emit(RemoveLease{*previous_});
    }
    remove_applied("refused by the server");
    previous_.reset();  // the server said no to this address
    if (++nak_streak_ == 1) return start_discover(now);
    // A server that offers and then refuses would otherwise loop as fast as packets go.
    auto wait = backoff(nak_streak_ - 2);
    state_ = ClientState::Init;
    arm(now + wait);
    log(std::to_string(nak_streak_) + " DHCPNAKs in a row; DHCPDISCOVER in " + duration_text(wait));
}

void Client4::bind(Lease lease, TimePoint now) {
    bool renewed = applied_.has_value();
    applied_ = lease;
    previous_ = lease;
    state_ = ClientState::Bound;
    std::string lifetime = lease.infinite() ? "an infinite lease"
                                            : "a lease of " + duration_text(lease.lease_time) + ", renewing in " +
                                                  duration_text(lease.renew_at() - now);
    log(std::string(renewed ? "renewed " : "bound to ") + lease.address.str() + " from " + lease.server_id.str() +
        ": " + lifetime);
    emit(ApplyLease{std::move(lease)});
    follow_timeline(now);
}

void Client4::remove_applied(const std::string& why) {
    if (!applied_) return;
    if (!why.empty()) log("removing " + applied_->address.str() + ": " + why);
    emit(RemoveLease{*std::exchange(applied_, std::nullopt)});
}

// --- messages ------------------------------------------------------------------------------------

bool Client4::is_ours(const Message& reply) const {
    if (reply.op != kBootReply || reply.xid != xid_ || reply.hlen != config_.mac.size()) return false;
    if (!std::equal(config_.mac.begin(), config_.mac.end(), reply.chaddr.begin())) return false;
    // RFC 6842: a server that echoes a client identifier must echo ours.
    const auto* echoed = reply.options.find(option::kClientId);
    return echoed == nullptr || *echoed == client_identifier(config_);
}

Message Client4::base_message(TimePoint now) const {
    Message m;
    m.op = kBootRequest;
    m.xid = xid_;
    auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - exchange_start_).count();
    m.secs = static_cast<uint16_t>(std::clamp<int64_t>(elapsed, 0, 0xFFFF));
    std::copy(config_.mac.begin(), config_.mac.end(), m.chaddr.begin());
    m.set_broadcast(config_.request_broadcast);
    return m;
}

void Client4::add_identity(Message& m) const {
    if (auto id = client_identifier(config_); !id.empty()) m.options.set(option::kClientId, std::move(id));
    set_u16(m.options, option::kMaxMessageSize, std::max(config_.max_message_size, kMinMessageSize));
    if (config_.hostname) set_text(m.options, option::kHostname, *config_.hostname);
    m.options.set(option::kParameterRequestList, requested_parameters(!config_.hostname));
}

void Client4::send_discover(TimePoint now) {
    Message m = base_message(now);
    set_message_type(m.options, MessageType::Discover);
    if (previous_) set_address(m.options, option::kRequestedIp, previous_->address.addr);
    add_identity(m);
    emit(SendBroadcast{std::move(m)});
    auto wait = backoff(attempt_++);
    arm(now + wait);
    log("DHCPDISCOVER" + (previous_ ? " asking for " + previous_->address.addr.str() : std::string()) + " (xid " +
        hex32(xid_) + "), next try in " + duration_text(wait));
}

void Client4::send_request(TimePoint now) {
    Message m = base_message(now);
    set_message_type(m.options, MessageType::Request);
    state::IpAddress wanted = applied_ ? applied_->address.addr : ipv4(0, 0, 0, 0);
    if (state_ == ClientState::Requesting) {
        wanted = offered_;
        set_address(m.options, option::kRequestedIp, offered_);
        set_address(m.options, option::kServerId, offer_server_);
    } else if (state_ == ClientState::Rebooting) {
        wanted = previous_->address.addr;
        set_address(m.options, option::kRequestedIp, wanted);
    } else {  // RENEWING, REBINDING: the address goes in ciaddr (RFC 2131 §4.3.2)
        m.ciaddr = wanted;
        m.set_broadcast(false);
    }
    add_identity(m);
    if (state_ == ClientState::Renewing)
        emit(SendUnicast{std::move(m), applied_->server_id});
    else
        emit(SendBroadcast{std::move(m)});
    ++attempt_;

    std::string next;
    if (state_ == ClientState::Renewing || state_ == ClientState::Rebinding) {
        // RFC 2131 §4.4.5: half the time left before T2 (renewing) or expiry (rebinding), at least 60 s.
        bool renewing = state_ == ClientState::Renewing;
        TimePoint limit = renewing ? applied_->rebind_at() : applied_->expires_at();
        TimePoint at = std::min(limit, now + std::max<Clock::duration>(kMinRenewRetransmit, (limit - now) / 2));
        arm(at);
        next =
            (at == limit ? (renewing ? "rebinding in " : "lease ends in ") : "next try in ") + duration_text(at - now);
    } else {
        auto wait = backoff(attempt_ - 1);
        arm(now + wait);
        next = "next try in " + duration_text(wait);
    }
    log("DHCPREQUEST for " + wanted.str() + " (" + std::string(state_name(state_)) + ", xid " + hex32(xid_) + "), " +
        next);
}

void Client4::send_decline(const Lease& lease) {
    Message m = base_message(exchange_start_);
    set_message_type(m.options, MessageType::Decline);
    set_address(m.options, option::kRequestedIp, lease.address.addr);
    set_address(m.options, option::kServerId, lease.server_id);
    if (auto id = client_identifier(config_); !id.empty()) m.options.set(option::kClientId, std::move(id));
    emit(SendBroadcast{std::move(m)});
}

void Client4::send_release() {
    xid_ = next_random();  // RFC 2131 table 5: a new exchange
    Message m = base_message(exchange_start_);
    m.ciaddr = applied_->address.addr;
    m.set_broadcast(false);
    set_message_type(m.options, MessageType::Release);
    set_address(m.options, option::kServerId, applied_->server_id);
    if (auto id = client_identifier(config_); !id.empty()) m.options.set(option::kClientId, std::move(id));
    emit(SendUnicast{std::move(m), applied_->server_id});
}

// --- time and randomness -------------------------------------------------------------------------

std::chrono::milliseconds Client4::backoff(int attempt) {
    auto base = duration_cast<milliseconds>(kFirstBackoff) * (1 << std::clamp(attempt, 0, kMaxDoublings));
    auto jitter = static_cast<int64_t>(next_random() % (2 * kJitterMs + 1)) - static_cast<int64_t>(kJitterMs);
    return base + milliseconds(jitter);
}

uint32_t Client4::next_random() {
    if (config_.random) return config_.random();
    return static_cast<uint32_t>(splitmix64(rng_state_) >> 32);
}

void Client4::arm(TimePoint at) {
    if (at == TimePoint::max()) {  // an infinite lease: nothing is ever due
        deadline_.reset();
        return emit(CancelTimer{});
    }
    deadline_ = at;
    emit(SetTimer{at});
}

}  // namespace nodenet::dhcp
