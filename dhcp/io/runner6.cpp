#include "dhcp/io/runner6.h"

#include <poll.h>

#include <cstring>
#include <thread>

#include "common/overloaded.h"
#include "dhcp/io/boot_timer.h"
#include "dhcp/io/dhcp6_socket.h"
#include "dhcp/io/lease_file.h"
#include "dhcp/io/link_info.h"
#include "dhcp/io/link_monitor.h"
#include "dhcp/io/loop_support.h"
#include "dhcp/io/stop_signals.h"

namespace nodenet::dhcp::io {

namespace {

constexpr auto kLinkLocalPoll = std::chrono::milliseconds(20);

class Runner6 {
public:
    Runner6(Runner6Options options, LinkInfo link, Dhcp6Socket socket, BootTimer timer, StopSignals signals,
            LinkMonitor links)
        : options_(std::move(options)),
          link_(std::move(link)),
          socket_(std::move(socket)),
          timer_(std::move(timer)),
          signals_(std::move(signals)),
          links_(std::move(links)),
          client_(client_config()) {}

    Result<Run6Outcome> run();

private:
    v6::ClientConfig client_config() const {
        v6::ClientConfig c = options_.client;
        c.mac = link_.mac;
        c.random = nullptr;
        c.seed = random_seed();
        return c;
    }
    void log(const std::string& line) const { options_.log(line); }
    v6::Lease for_caller(v6::Lease lease) const {
        lease.acquired_at += Clock::now() - timer_.now();
        return lease;
    }
    std::optional<v6::Lease> previous_lease();
    void wait_for_link_local(TimePoint give_up);
    Status feed(const v6::Event& event);
    Status perform(const v6::Action& action);
    Status on_link_changes();

    Runner6Options options_;
    LinkInfo link_;
    Dhcp6Socket socket_;
    BootTimer timer_;
    StopSignals signals_;
    LinkMonitor links_;
    v6::Client client_;
    bool done_ = false;
    Run6Outcome outcome_;
};

Result<Run6Outcome> Runner6::run() {
    const TimePoint give_up = timer_.now() + options_.timeout;
    log("DUID " + v6::hex_colon(client_.duid()) + ", IAID " + std::to_string(client_.iaid()));
    if (!links_.running()) {
        log("the link is down or has no carrier; waiting for it");
        if (auto s = feed(v6::LinkDown{}); !s.ok()) return Error{s.error()};
    } else {
        wait_for_link_local(give_up);
    }
    if (auto s = feed(v6::Start{previous_lease()}); !s.ok()) return Error{s.error()};
    while (!done_) {
        int wait_ms = -1;
        if (options_.once) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(give_up - timer_.now());
            if (left.count() <= 0)
                return Error{options_.iface + ": no DHCPv6 lease within " + std::to_string(options_.timeout.count()) +
                             " s"};
            wait_ms = static_cast<int>(left.count());
        }
        pollfd fds[] = {{signals_.fd(), POLLIN, 0}, {timer_.fd(), POLLIN, 0}, {socket_.fd(), POLLIN, 0},
                        {links_.fd(), POLLIN, 0}};
        int ready = poll(fds, std::size(fds), wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return errno_error(options_.iface, "poll");
        Status s = success();
        if (fds[0].revents && (outcome_.signal = signals_.read()) != 0) {
            log(std::string("stopping on ") + strsignal(outcome_.signal));
            s = feed(v6::Stop{});
            done_ = true;
        }
        if (s.ok() && !done_ && fds[1].revents) {
            timer_.acknowledge();
            s = feed(v6::TimerFired{});
        }
        if (s.ok() && !done_ && fds[2].revents)
            for (v6::Message& m : socket_.receive()) {
                if (s = feed(v6::PacketReceived{std::move(m)}); !s.ok() || done_) break;
            }
        if (s.ok() && !done_ && fds[3].revents) s = on_link_changes();
        if (!s.ok()) return Error{s.error()};
    }
    if (client_.lease()) outcome_.lease = for_caller(*client_.lease());
    return outcome_;
}

// Duplicate address detection takes a second or two after a link comes up; a Solicit sent before
// it ends fails, and its retransmission would come only a second later.
void Runner6::wait_for_link_local(TimePoint give_up) {
    if (has_usable_link_local(link_.index)) return;
    log("waiting for the link-local address (duplicate address detection)");
    while (!has_usable_link_local(link_.index)) {
        if (timer_.now() >= give_up) {
            log("no usable link-local address (is IPv6 disabled on the link, or addrgenmode none?); trying anyway");
            return;
        }
        std::this_thread::sleep_for(kLinkLocalPoll);
    }
}

std::optional<v6::Lease> Runner6::previous_lease() {
    if (options_.lease_file.empty()) return std::nullopt;
    auto lease = load_lease6(options_.lease_file, timer_.now(), std::chrono::system_clock::now());
    if (!lease.ok()) {
        log("ignoring the saved lease: " + lease.error());
        return std::nullopt;
    }
    return *lease;
}

Status Runner6::feed(const v6::Event& event) {
    for (const v6::Action& action : client_.handle(event, timer_.now()))
        if (auto s = perform(action); !s.ok()) return s;
    return success();
}

Status Runner6::perform(const v6::Action& action) {
    return std::visit(
        Overloaded{
            [&](const v6::Send& a) {
                if (auto s = socket_.send(a.message); !s.ok()) log(s.error() + "; the client will retry");
                return success();
            },
            [&](const v6::SetTimer& a) { return timer_.arm(a.at); },
            [&](const v6::CancelTimer&) { return timer_.disarm(); },
            [&](const v6::ApplyLease& a) {
                // As for DHCPv4: applied first, then persisted, whether or not applying worked.
                Status applied = options_.handler ? options_.handler->apply(for_caller(a.lease)) : success();
                if (!options_.lease_file.empty())
                    if (auto s = save_lease(options_.lease_file, a.lease, timer_.now(), std::chrono::system_clock::now());
                        !s.ok())
                        log("cannot save the lease: " + s.error());
                if (options_.once) {
                    if (!applied.ok())
                        return Status(Error{options_.iface + ": applying " + a.lease.address.str() + ": " + applied.error()});
                    done_ = true;
                } else if (!applied.ok()) {
                    log("applying " + a.lease.address.str() + " failed: " + applied.error() +
                        "; trying again at the next renewal");
                }
                return success();
            },
            [&](const v6::RemoveLease& a) {
                if (!options_.lease_file.empty())
                    if (auto s = remove_lease(options_.lease_file); !s.ok()) log("cannot delete the saved lease: " + s.error());
                if (options_.handler)
                    if (auto s = options_.handler->remove(for_caller(a.lease)); !s.ok())
                        log("removing " + a.lease.address.str() + " failed: " + s.error());
                return success();
            },
            [&](const v6::Log& a) {
                log(a.message);
                return success();
            },
        },
        action);
}

Status Runner6::on_link_changes() {
    auto changes = links_.read();
    if (!changes.ok()) return Error{changes.error()};
    for (LinkChange change : *changes) {
        if (change == LinkChange::Removed) return Error{options_.iface + ": the link was removed"};
        if (change == LinkChange::Up) wait_for_link_local(timer_.now() + std::chrono::seconds(3));
        if (auto s = feed(change == LinkChange::Up ? v6::Event{v6::LinkUp{}} : v6::Event{v6::LinkDown{}}); !s.ok())
            return s;
    }
    return success();
}

}  // namespace

Result<Run6Outcome> run_client6(Runner6Options options) {
    options.log = link_log(options.iface, std::move(options.log));
    auto link = lookup_link(options.iface);
    if (!link.ok()) return Error{link.error()};
    auto socket = Dhcp6Socket::open(link->name, link->index);
    if (!socket.ok()) return Error{socket.error()};
    auto timer = BootTimer::open(options.iface);
    if (!timer.ok()) return Error{timer.error()};
    auto signals = StopSignals::open(options.iface);
    if (!signals.ok()) return Error{signals.error()};
    auto links = LinkMonitor::open(options.iface, link->index);
    if (!links.ok()) return Error{links.error()};
    Runner6 runner(std::move(options), std::move(*link), std::move(*socket), std::move(*timer), std::move(*signals),
                   std::move(*links));
    return runner.run();
}

}  // namespace nodenet::dhcp::io
