// The DHCPv6 session: v6::Client fed with what its socket and its timer deliver in the host's
// event loop and what the host reports of the carrier, as the DHCPv4 session does. Start and LinkUp
// wait (within a bound) for the link-local address to finish duplicate address detection, since
// the kernel cannot send to ff02::1:2 without it; the wait is a timer of the loop, not a sleep.
#include <algorithm>
#include <cctype>

#include "common/overloaded.h"
#include "dhcp/io/boot_timer.h"
#include "dhcp/io/dhcp6_socket.h"
#include "dhcp/io/lease_file.h"
#include "dhcp/io/link_info.h"
#include "dhcp/io/loop_support.h"
#include "dhcp/io/session.h"

namespace nodenet::dhcp::io {

namespace {

// Duplicate address detection takes a second or two after a link comes up; a Solicit sent before
// it ends fails, and its retransmission would come only a second later. The address is looked for
// this often.
constexpr auto kLinkLocalPoll = std::chrono::milliseconds(20);
constexpr auto kLinkLocalWaitOnLinkUp = std::chrono::seconds(3);

class Session6 final : public Session {
public:
    Session6(loop::EventLoop& loop, Runner6Options options, SessionFailed failed, LinkInfo link, Dhcp6Socket socket,
             BootTimer timer)
        : loop_(loop),
          options_(std::move(options)),
          failed_(std::move(failed)),
          link_(std::move(link)),
          socket_(std::move(socket)),
          timer_(std::move(timer)),
          client_(client_config()) {}
    ~Session6() override { quiet(); }
    Session6(const Session6&) = delete;
    Session6& operator=(const Session6&) = delete;

    Status join_loop();
    Status start(bool carrier) override;
    void carrier_changed(bool carrier) override;
    void stop() override;
    SessionView view() const override;

private:
    // What waits for the link-local address: the first Start, or a LinkUp.
    enum class Pending { Nothing, Start, LinkUp };

    v6::ClientConfig client_config() const {
        v6::ClientConfig c = options_.client;
        c.mac = link_.mac;
        c.random = nullptr;
        c.seed = random_seed();
        return c;
    }
    void log(const std::string& line) const { options_.log(line); }
    TimePoint for_caller(TimePoint at) const { return at + (Clock::now() - timer_.now()); }
    v6::Lease for_caller(v6::Lease lease) const {
        lease.acquired_at = for_caller(lease.acquired_at);
        return lease;
    }
    std::optional<v6::Lease> previous_lease();
    Status after_link_local(Pending what, std::chrono::steady_clock::duration limit);
    void on_link_local_poll();
    Status resume(Pending what);
    Status feed(const v6::Event& event);
    Status perform(const v6::Action& action);
    void apply(const v6::Lease& lease);
    void remove(const v6::Lease& lease);
    void on_packets();
    void on_timer();
    void fail(const std::string& error);
    void quiet();

    loop::EventLoop& loop_;
    Runner6Options options_;
    SessionFailed failed_;
    LinkInfo link_;
    Dhcp6Socket socket_;
    BootTimer timer_;
    v6::Client client_;
    std::unique_ptr<loop::Timer> link_local_poll_;
    Pending pending_ = Pending::Nothing;
    std::chrono::steady_clock::time_point pending_until_;
    std::optional<TimePoint> timer_at_;
    bool started_ = false;
    bool carrier_ = true;
    bool finished_ = false;
};

Status Session6::join_loop() {
    auto poll = loop::Timer::open(loop_, [this] { on_link_local_poll(); });
    if (!poll.ok()) return Error{options_.iface + ": " + poll.error()};
    link_local_poll_ = std::move(*poll);
    if (auto s = loop_.add(socket_.fd(), EPOLLIN, [this](uint32_t) { on_packets(); }); !s.ok())
        return Error{options_.iface + ": " + s.error()};
    if (auto s = loop_.add(timer_.fd(), EPOLLIN, [this](uint32_t) { on_timer(); }); !s.ok())
        return Error{options_.iface + ": " + s.error()};
    return success();
}

// Without a carrier the client starts waiting for the link at once; with one, it starts when the
// link-local address is usable, or `options_.timeout` after this call at the latest (as
// `nodenet dhcp -6` always has).
Status Session6::start(bool carrier) {
    if (started_ || finished_) return Error{options_.iface + ": the DHCPv6 session was started already"};
    started_ = true;
    carrier_ = carrier;
    log("DUID " + v6::hex_colon(client_.duid()) + ", IAID " + std::to_string(client_.iaid()));
    if (carrier) return after_link_local(Pending::Start, options_.timeout);
    log("the link is down or has no carrier; waiting for it");
    if (auto s = feed(v6::LinkDown{}); !s.ok()) return s;
    return resume(Pending::Start);
}

void Session6::carrier_changed(bool carrier) {
    if (!started_ || finished_ || carrier == carrier_) return;
    carrier_ = carrier;
    Status s = success();
    if (carrier) {
        s = after_link_local(Pending::LinkUp, kLinkLocalWaitOnLinkUp);
    } else {
        // A Start still waiting goes ahead now: the client waits for the link itself.
        Pending waiting = std::exchange(pending_, Pending::Nothing);
        link_local_poll_->disarm();
        s = feed(v6::LinkDown{});
        if (s.ok() && waiting == Pending::Start) s = resume(Pending::Start);
    }
    if (!s.ok()) fail(s.error());
}

void Session6::stop() {
    if (finished_) return;
    pending_ = Pending::Nothing;
    if (auto s = feed(v6::Stop{}); !s.ok()) log(s.error());
    finished_ = true;
    quiet();
}

SessionView Session6::view() const {
    SessionView v;
    if (pending_ != Pending::Nothing) {
        v.state = "waiting for the link-local address";
    } else {
        // As DHCPv4's names: "bound", "waiting for link".
        v.state = std::string(v6::state_name(client_.state()));
        std::transform(v.state.begin(), v.state.end(), v.state.begin(),
                       [](unsigned char c) { return c == '-' ? ' ' : static_cast<char>(std::tolower(c)); });
    }
    if (timer_at_) v.next_timer = for_caller(*timer_at_);
    if (client_.lease()) v.lease6 = for_caller(*client_.lease());
    return v;
}

std::optional<v6::Lease> Session6::previous_lease() {
    if (options_.lease_file.empty()) return std::nullopt;
    auto lease = load_lease6(options_.lease_file, timer_.now(), std::chrono::system_clock::now());
    if (!lease.ok()) {
        log("ignoring the saved lease: " + lease.error());
        return std::nullopt;
    }
    return *lease;
}

Status Session6::after_link_local(Pending what, std::chrono::steady_clock::duration limit) {
    if (has_usable_link_local(link_.index)) return resume(what);
    log("waiting for the link-local address (duplicate address detection)");
    pending_ = what;
    pending_until_ = std::chrono::steady_clock::now() + limit;
    link_local_poll_->arm_in(kLinkLocalPoll);
    return success();
}

void Session6::on_link_local_poll() {
    if (pending_ == Pending::Nothing || finished_) return;
    if (!has_usable_link_local(link_.index)) {
        if (std::chrono::steady_clock::now() < pending_until_) return link_local_poll_->arm_in(kLinkLocalPoll);
        log("no usable link-local address (is IPv6 disabled on the link, or addrgenmode none?); trying anyway");
    }
    if (auto s = resume(std::exchange(pending_, Pending::Nothing)); !s.ok()) fail(s.error());
}

Status Session6::resume(Pending what) {
    if (what == Pending::Start) return feed(v6::Start{previous_lease()});
    if (what == Pending::LinkUp) return feed(v6::LinkUp{});
    return success();
}

Status Session6::feed(const v6::Event& event) {
    for (const v6::Action& action : client_.handle(event, timer_.now()))
        if (auto s = perform(action); !s.ok()) return s;
    return success();
}

Status Session6::perform(const v6::Action& action) {
    return std::visit(
        Overloaded{
            [&](const v6::Send& a) {
                if (auto s = socket_.send(a.message); !s.ok()) log(s.error() + "; the client will retry");
                return success();
            },
            [&](const v6::SetTimer& a) {
                timer_at_ = a.at;
                return timer_.arm(a.at);
            },
            [&](const v6::CancelTimer&) {
                timer_at_.reset();
                return timer_.disarm();
            },
            [&](const v6::ApplyLease& a) {
                apply(a.lease);
                return success();
            },
            [&](const v6::RemoveLease& a) {
                remove(a.lease);
                return success();
            },
            [&](const v6::Log& a) {
                log(a.message);
                return success();
            },
        },
        action);
}

// As for DHCPv4: applied first, then persisted, whether or not applying worked.
void Session6::apply(const v6::Lease& lease) {
    Status applied = options_.handler ? options_.handler->apply(for_caller(lease)) : success();
    if (!options_.lease_file.empty())
        if (auto s = save_lease(options_.lease_file, lease, timer_.now(), std::chrono::system_clock::now()); !s.ok())
            log("cannot save the lease: " + s.error());
    if (!applied.ok())
        log("applying " + lease.address.str() + " failed: " + applied.error() + "; trying again at the next renewal");
}

void Session6::remove(const v6::Lease& lease) {
    if (!options_.lease_file.empty())
        if (auto s = remove_lease(options_.lease_file); !s.ok()) log("cannot delete the saved lease: " + s.error());
    if (options_.handler)
        if (auto s = options_.handler->remove(for_caller(lease)); !s.ok())
            log("removing " + lease.address.str() + " failed: " + s.error());
}

void Session6::on_packets() {
    for (v6::Message& m : socket_.receive()) {
        if (auto s = feed(v6::PacketReceived{std::move(m)}); !s.ok()) return fail(s.error());
        // Stopped, or the host stopped its loop (`--once` has its lease): the rest can wait.
        if (finished_ || loop_.stopped()) return;
    }
}

void Session6::on_timer() {
    timer_.acknowledge();
    timer_at_.reset();
    if (auto s = feed(v6::TimerFired{}); !s.ok()) fail(s.error());
}

// Out of the loop before the owner hears of it; see Session4::fail.
void Session6::fail(const std::string& error) {
    if (finished_) return;
    finished_ = true;
    pending_ = Pending::Nothing;
    quiet();
    if (failed_) failed_(error);
}

void Session6::quiet() {
    loop_.remove(socket_.fd());
    loop_.remove(timer_.fd());
    if (link_local_poll_) link_local_poll_->disarm();
}

}  // namespace

Result<std::unique_ptr<Session>> open_session6(loop::EventLoop& loop, Runner6Options options, SessionFailed failed) {
    options.log = link_log(options.iface, std::move(options.log));
    auto link = lookup_link(options.iface);
    if (!link.ok()) return Error{link.error()};
    auto socket = Dhcp6Socket::open(link->name, link->index);
    if (!socket.ok()) return Error{socket.error()};
    auto timer = BootTimer::open(options.iface);
    if (!timer.ok()) return Error{timer.error()};
    auto session = std::make_unique<Session6>(loop, std::move(options), std::move(failed), std::move(*link),
                                              std::move(*socket), std::move(*timer));
    if (auto s = session->join_loop(); !s.ok()) return Error{s.error()};
    return std::unique_ptr<Session>(std::move(session));
}

}  // namespace nodenet::dhcp::io
