#include "dhcp/io/runner.h"

#include <poll.h>

#include <cstring>

#include "common/overloaded.h"
#include "dhcp/io/arp_probe.h"
#include "dhcp/io/boot_timer.h"
#include "dhcp/io/lease_file.h"
#include "dhcp/io/link_info.h"
#include "dhcp/io/link_monitor.h"
#include "dhcp/io/loop_support.h"
#include "dhcp/io/stop_signals.h"
#include "dhcp/io/transport.h"

namespace nodenet::dhcp::io {

namespace {

class Runner {
public:
    Runner(RunnerOptions options, LinkInfo link, Transport transport, BootTimer timer, StopSignals signals,
           LinkMonitor links)
        : options_(std::move(options)),
          link_(std::move(link)),
          transport_(std::move(transport)),
          timer_(std::move(timer)),
          signals_(std::move(signals)),
          links_(std::move(links)),
          client_(client_config()) {}

    Result<RunOutcome> run();

private:
    ClientConfig client_config() const {
        ClientConfig c = options_.client;
        c.mac = link_.mac;
        c.random = nullptr;
        c.seed = random_seed();
        return c;
    }
    void log(const std::string& line) const { options_.log(line); }
    Lease for_caller(Lease lease) const;
    std::optional<Lease> previous_lease();
    Status wait_once();
    Status feed(const Event& event);
    Status perform(const Action& action, std::optional<ProbeResult>& probe);
    Status apply(const Lease& lease);
    Status remove(const Lease& lease);
    ProbeResult probe(const state::IpAddress& address);
    Status on_frames();
    Status on_link_changes();

    RunnerOptions options_;
    LinkInfo link_;
    Transport transport_;
    BootTimer timer_;
    StopSignals signals_;
    LinkMonitor links_;
    Client4 client_;
    bool done_ = false;
    RunOutcome outcome_;
};

Result<RunOutcome> Runner::run() {
    if (!links_.running()) {
        log("the link is down or has no carrier; waiting for it");
        if (auto s = feed(LinkDown{}); !s.ok()) return Error{s.error()};
    }
    if (auto s = feed(Start{previous_lease()}); !s.ok()) return Error{s.error()};
    const TimePoint give_up = timer_.now() + options_.timeout;
    while (!done_) {
        int wait_ms = -1;
        if (options_.once) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(give_up - timer_.now());
            if (left.count() <= 0)
                return Error{options_.iface + ": no lease within " + std::to_string(options_.timeout.count()) + " s"};
            wait_ms = static_cast<int>(left.count());
        }
        pollfd fds[] = {{signals_.fd(), POLLIN, 0},
                        {timer_.fd(), POLLIN, 0},
                        {transport_.packet_fd(), POLLIN, 0},
                        {links_.fd(), POLLIN, 0},
                        {transport_.udp_fd(), POLLIN, 0}};
        int ready = poll(fds, std::size(fds), wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return errno_error(options_.iface, "poll");
        Status s = success();
        if (fds[0].revents && (outcome_.signal = signals_.read()) != 0) {
            log(std::string("stopping on ") + strsignal(outcome_.signal));
            s = feed(Stop{});
            done_ = true;
        }
        if (s.ok() && !done_ && fds[1].revents) {
            timer_.acknowledge();
            s = feed(TimerFired{});
        }
        if (s.ok() && !done_ && fds[2].revents) s = on_frames();
        if (s.ok() && !done_ && fds[3].revents) s = on_link_changes();
        if (fds[4].revents) transport_.drain_udp();
        if (!s.ok()) return Error{s.error()};
    }
    if (client_.lease()) outcome_.lease = for_caller(*client_.lease());
    return outcome_;
}

// The loop's clock may be BOOTTIME; callers compute lifetimes with dhcp::Clock::now().
Lease Runner::for_caller(Lease lease) const {
    lease.acquired_at += Clock::now() - timer_.now();
    return lease;
}

std::optional<Lease> Runner::previous_lease() {
    if (options_.lease_file.empty()) return std::nullopt;
    auto lease = load_lease(options_.lease_file, timer_.now(), std::chrono::system_clock::now());
    if (!lease.ok()) {
        log("ignoring the saved lease: " + lease.error());
        return std::nullopt;
    }
    return *lease;
}

// Events are handled one at a time; a probe's result is the one event an action produces.
Status Runner::feed(const Event& event) {
    std::optional<ProbeResult> probe;
    for (const Action& action : client_.handle(event, timer_.now()))
        if (auto s = perform(action, probe); !s.ok()) return s;
    if (probe) return feed(*probe);
    return success();
}

Status Runner::perform(const Action& action, std::optional<ProbeResult>& probe_result) {
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
            [&](const SetTimer& a) { return timer_.arm(a.at); },
            [&](const CancelTimer&) { return timer_.disarm(); },
            [&](const ApplyLease& a) { return apply(a.lease); },
            [&](const RemoveLease& a) { return remove(a.lease); },
            [&](const ProbeAddress& a) {
                probe_result = probe(a.address);
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
Status Runner::apply(const Lease& lease) {
    Status applied = options_.handler ? options_.handler->apply(for_caller(lease)) : success();
    if (!options_.lease_file.empty())
        if (auto s = save_lease(options_.lease_file, lease, timer_.now(), std::chrono::system_clock::now()); !s.ok())
            log("cannot save the lease: " + s.error());
    if (options_.once) {
        if (!applied.ok()) return Error{options_.iface + ": applying " + lease.address.str() + ": " + applied.error()};
        done_ = true;
    } else if (!applied.ok()) {
        log("applying " + lease.address.str() + " failed: " + applied.error() + "; trying again at the next renewal");
    }
    return success();
}

Status Runner::remove(const Lease& lease) {
    transport_.release_address();
    if (!options_.lease_file.empty())
        if (auto s = remove_lease(options_.lease_file); !s.ok()) log("cannot delete the saved lease: " + s.error());
    if (options_.handler)
        if (auto s = options_.handler->remove(for_caller(lease)); !s.ok())
            log("removing " + lease.address.str() + " failed: " + s.error());
    return success();
}

ProbeResult Runner::probe(const state::IpAddress& address) {
    auto conflict = probe_address(link_.name, link_.index, link_.mac, address);
    if (conflict.ok()) return ProbeResult{*conflict};
    log("cannot check that " + address.str() + " is free (" + conflict.error() + "); using it");
    return ProbeResult{false};
}

Status Runner::on_frames() {
    auto messages = transport_.receive();
    if (!messages.ok()) return Error{messages.error()};
    for (const Message& m : *messages) {
        if (auto s = feed(PacketReceived{m}); !s.ok()) return s;
        if (done_) break;
    }
    return success();
}

Status Runner::on_link_changes() {
    auto changes = links_.read();
    if (!changes.ok()) return Error{changes.error()};
    for (LinkChange change : *changes) {
        if (change == LinkChange::Removed) return Error{options_.iface + ": the link was removed"};
        if (auto s = feed(change == LinkChange::Up ? Event{LinkUp{}} : Event{LinkDown{}}); !s.ok()) return s;
    }
    return success();
}

}  // namespace

Result<RunOutcome> run_client(RunnerOptions options) {
    options.log = link_log(options.iface, std::move(options.log));
    auto link = lookup_link(options.iface);
    if (!link.ok()) return Error{link.error()};
    auto transport = Transport::open(*link, options.log);
    if (!transport.ok()) return Error{transport.error()};
    auto timer = BootTimer::open(options.iface);
    if (!timer.ok()) return Error{timer.error()};
    auto signals = StopSignals::open(options.iface);
    if (!signals.ok()) return Error{signals.error()};
    auto links = LinkMonitor::open(options.iface, link->index);
    if (!links.ok()) return Error{links.error()};
    Runner runner(std::move(options), std::move(*link), std::move(*transport), std::move(*timer), std::move(*signals),
                  std::move(*links));
    return runner.run();
}

}  // namespace nodenet::dhcp::io
