// The DHCPv4 session: Client4 fed with what its sockets and its timer deliver in the host's event
// loop and what the host reports of the carrier, and every action it returns carried out.

#include "common/overloaded.h"
#include "dhcp/io/arp_probe.h"
#include "dhcp/io/boot_timer.h"
#include "dhcp/io/lease_file.h"
#include "dhcp/io/link_info.h"
#include "dhcp/io/loop_support.h"
#include "dhcp/io/session.h"
#include "dhcp/io/transport.h"

namespace nodenet::dhcp::io {

namespace {

class Session4 final : public Session {
public:
    Session4(loop::EventLoop& loop, RunnerOptions options, SessionFailed failed, LinkInfo link, Transport transport,
             BootTimer timer)
        : loop_(loop),
          options_(std::move(options)),
          failed_(std::move(failed)),
          link_(std::move(link)),
          transport_(std::move(transport)),
          timer_(std::move(timer)),
          client_(client_config()) {}
    ~Session4() override { quiet(); }
    Session4(const Session4&) = delete;
    Session4& operator=(const Session4&) = delete;

    Status join_loop();
    Status start(bool carrier) override;
    void carrier_changed(bool carrier) override;
    void stop() override;
    SessionView view() const override;

private:
    ClientConfig client_config() const {
        ClientConfig c = options_.client;
        c.mac = link_.mac;
        c.random = nullptr;
        c.seed = random_seed();
        return c;
    }
    void log(const std::string& line) const { options_.log(line); }
    // The timer's clock may be BOOTTIME; callers compute lifetimes with dhcp::Clock::now().
    TimePoint for_caller(TimePoint at) const { return at + (Clock::now() - timer_.now()); }
    Lease for_caller(Lease lease) const {
        lease.acquired_at = for_caller(lease.acquired_at);
        return lease;
    }
    std::optional<Lease> previous_lease();
    Status feed(const Event& event);
    Status perform(const Action& action, std::optional<ProbeResult>& immediate);
    void apply(const Lease& lease);
    void remove(const Lease& lease);
    std::optional<ProbeResult> start_probe(const state::IpAddress& address);
    void on_probe_done(const state::IpAddress& address, Result<bool> conflict);
    void on_frames();
    void on_timer();
    void on_udp_socket(int fd, bool opened);
    void fail(const std::string& error);
    void quiet();

    loop::EventLoop& loop_;
    RunnerOptions options_;
    SessionFailed failed_;
    LinkInfo link_;
    Transport transport_;
    BootTimer timer_;
    Client4 client_;
    std::optional<TimePoint> timer_at_;  // as armed, on the timer's clock
    std::unique_ptr<ArpProbe> probe_;
    int udp_fd_ = -1;  // the UDP socket while it is in the loop
    bool started_ = false;
    bool carrier_ = true;
    bool finished_ = false;  // stopped or failed: out of the loop for good
};

Status Session4::join_loop() {
    transport_.watch_udp([this](int fd, bool opened) { on_udp_socket(fd, opened); });
    if (auto s = loop_.add(transport_.packet_fd(), EPOLLIN, [this](uint32_t) { on_frames(); }); !s.ok())
        return Error{options_.iface + ": " + s.error()};
    if (auto s = loop_.add(timer_.fd(), EPOLLIN, [this](uint32_t) { on_timer(); }); !s.ok())
        return Error{options_.iface + ": " + s.error()};
    return success();
}

Status Session4::start(bool carrier) {
    if (started_ || finished_) return Error{options_.iface + ": the DHCP session was started already"};
    started_ = true;
    carrier_ = carrier;
    if (!carrier) {
        log("the link is down or has no carrier; waiting for it");
        if (auto s = feed(LinkDown{}); !s.ok()) return s;
    }
    return feed(Start{previous_lease()});
}

void Session4::carrier_changed(bool carrier) {
    if (!started_ || finished_ || carrier == carrier_) return;
    carrier_ = carrier;
    if (auto s = feed(carrier ? Event{LinkUp{}} : Event{LinkDown{}}); !s.ok()) fail(s.error());
}

void Session4::stop() {
    if (finished_) return;
    if (probe_) probe_->cancel();
    if (auto s = feed(Stop{}); !s.ok()) log(s.error());
    finished_ = true;
    quiet();
}

SessionView Session4::view() const {
    SessionView v;
    v.state = std::string(state_name(client_.state()));
    if (timer_at_) v.next_timer = for_caller(*timer_at_);
    if (client_.lease()) v.lease = for_caller(*client_.lease());
    return v;
}

std::optional<Lease> Session4::previous_lease() {
    if (options_.lease_file.empty()) return std::nullopt;
    auto lease = load_lease(options_.lease_file, timer_.now(), std::chrono::system_clock::now());
    if (!lease.ok()) {
        log("ignoring the saved lease: " + lease.error());
        return std::nullopt;
    }
    return *lease;
}

// Events are handled one at a time. A probe that cannot even start answers at once, after the
// other actions of its event.
Status Session4::feed(const Event& event) {
    std::optional<ProbeResult> immediate;
    for (const Action& action : client_.handle(event, timer_.now()))
        if (auto s = perform(action, immediate); !s.ok()) return s;
    if (immediate) return feed(*immediate);
    return success();
}

Status Session4::perform(const Action& action, std::optional<ProbeResult>& immediate) {
    return std::visit(
        Overloaded{
            [&](const SendBroadcast& a) {
                if (auto s = transport_.broadcast(a.message); !s.ok()) log(s.error() + "; the client will retry");
                return success();
            },
            [&](const SendUnicast& a) {
                if (auto s = transport_.unicast(a.message, a.server); !s.ok()) log(s.error() + "; the client will retry");
                return success();
            },
            [&](const SetTimer& a) {
                timer_at_ = a.at;
                return timer_.arm(a.at);
            },
            [&](const CancelTimer&) {
                timer_at_.reset();
                return timer_.disarm();
            },
            [&](const ApplyLease& a) {
                apply(a.lease);
                return success();
            },
            [&](const RemoveLease& a) {
                remove(a.lease);
                return success();
            },
            [&](const ProbeAddress& a) {
                immediate = start_probe(a.address);
                return success();
            },
            [&](const Log& a) {
                log(a.message);
                return success();
            },
        },
        action);
}

// Applied first, then persisted (the file's two fsyncs would delay the address by a millisecond; a
// crash in between costs a DISCOVER instead of an INIT-REBOOT, and the address carries the lease's
// lifetimes anyway). Persisted even when the handler fails: the server granted the address to this
// client either way, and the next start asks for it again (INIT-REBOOT).
void Session4::apply(const Lease& lease) {
    Status applied = options_.handler ? options_.handler->apply(for_caller(lease)) : success();
    if (!options_.lease_file.empty())
        if (auto s = save_lease(options_.lease_file, lease, timer_.now(), std::chrono::system_clock::now()); !s.ok())
            log("cannot save the lease: " + s.error());
    if (!applied.ok())
        log("applying " + lease.address.str() + " failed: " + applied.error() + "; trying again at the next renewal");
}

void Session4::remove(const Lease& lease) {
    transport_.release_address();
    if (!options_.lease_file.empty())
        if (auto s = remove_lease(options_.lease_file); !s.ok()) log("cannot delete the saved lease: " + s.error());
    if (options_.handler)
        if (auto s = options_.handler->remove(for_caller(lease)); !s.ok())
            log("removing " + lease.address.str() + " failed: " + s.error());
}

// One probe at a time: a new ACK's probe replaces one whose answer the client no longer waits for.
std::optional<ProbeResult> Session4::start_probe(const state::IpAddress& address) {
    probe_.reset();
    auto done = [this, address](Result<bool> conflict) { on_probe_done(address, std::move(conflict)); };
    auto probe = ArpProbe::start(loop_, link_.name, link_.index, link_.mac, address, std::move(done));
    if (probe.ok()) {
        probe_ = std::move(*probe);
        return std::nullopt;
    }
    log("cannot check that " + address.str() + " is free (" + probe.error() + "); using it");
    return ProbeResult{false};
}

void Session4::on_probe_done(const state::IpAddress& address, Result<bool> conflict) {
    bool in_use = conflict.ok() && *conflict;
    if (!conflict.ok()) log("cannot check that " + address.str() + " is free (" + conflict.error() + "); using it");
    if (auto s = feed(ProbeResult{in_use}); !s.ok()) fail(s.error());
}

void Session4::on_frames() {
    auto messages = transport_.receive();
    if (!messages.ok()) return fail(messages.error());
    for (const Message& m : *messages) {
        if (auto s = feed(PacketReceived{m}); !s.ok()) return fail(s.error());
        // Stopped, or the host stopped its loop (`nodenet dhcp --once` has its lease): the rest of
        // the batch is nobody's business any more.
        if (finished_ || loop_.stopped()) return;
    }
}

void Session4::on_timer() {
    timer_.acknowledge();
    timer_at_.reset();
    if (auto s = feed(TimerFired{}); !s.ok()) fail(s.error());
}

// The UDP socket comes with a leased address and goes with it; what it receives is dropped.
void Session4::on_udp_socket(int fd, bool opened) {
    if (!opened) {
        loop_.remove(fd);
        udp_fd_ = -1;
        return;
    }
    if (auto s = loop_.add(fd, EPOLLIN, [this](uint32_t) { transport_.drain_udp(); }); !s.ok())
        log(s.error() + "; what the UDP socket receives stays queued");
    else
        udp_fd_ = fd;
}

// The session leaves the loop before telling its owner, which may then destroy it (not from inside
// the callback: a handler of this session is still running).
void Session4::fail(const std::string& error) {
    if (finished_) return;
    finished_ = true;
    if (probe_) probe_->cancel();
    quiet();
    if (failed_) failed_(error);
}

void Session4::quiet() {
    loop_.remove(transport_.packet_fd());
    loop_.remove(timer_.fd());
    if (udp_fd_ >= 0) loop_.remove(udp_fd_);
    udp_fd_ = -1;
}

}  // namespace

Result<std::unique_ptr<Session>> open_session4(loop::EventLoop& loop, RunnerOptions options, SessionFailed failed) {
    options.log = link_log(options.iface, std::move(options.log));
    auto link = lookup_link(options.iface);
    if (!link.ok()) return Error{link.error()};
    auto transport = Transport::open(*link, options.log);
    if (!transport.ok()) return Error{transport.error()};
    auto timer = BootTimer::open(options.iface);
    if (!timer.ok()) return Error{timer.error()};
    auto session = std::make_unique<Session4>(loop, std::move(options), std::move(failed), std::move(*link),
                                              std::move(*transport), std::move(*timer));
    if (auto s = session->join_loop(); !s.ok()) return Error{s.error()};
    return std::unique_ptr<Session>(std::move(session));
}

}  // namespace nodenet::dhcp::io
