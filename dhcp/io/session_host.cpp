#include "dhcp/io/session_host.h"

#include <cstring>

#include "dhcp/io/link_info.h"

namespace nodenet::dhcp::io {

Result<std::unique_ptr<SessionHost>> SessionHost::open(const std::string& iface, LogFn log) {
    auto link = lookup_link(iface);
    if (!link.ok()) return Error{link.error()};
    auto loop = loop::EventLoop::open();
    if (!loop.ok()) return Error{iface + ": " + loop.error()};
    auto signals = StopSignals::open(iface);
    if (!signals.ok()) return Error{signals.error()};
    auto links = LinkMonitor::open(iface, link->index);
    if (!links.ok()) return Error{links.error()};
    std::unique_ptr<SessionHost> host(
        new SessionHost(iface, std::move(log), std::move(*loop), std::move(*signals), std::move(*links)));
    if (auto s = host->join_loop(); !s.ok()) return Error{s.error()};
    return host;
}

Status SessionHost::join_loop() {
    if (auto s = loop_.add(signals_.fd(), EPOLLIN, [this](uint32_t) { on_signal(); }); !s.ok())
        return Error{iface_ + ": " + s.error()};
    if (auto s = loop_.add(links_.fd(), EPOLLIN, [this](uint32_t) { on_link_changes(); }); !s.ok())
        return Error{iface_ + ": " + s.error()};
    return success();
}

SessionFailed SessionHost::failed() {
    return [this](const std::string& error) { end(error); };
}

void SessionHost::obtained(const Status& applied) {
    if (!applied.ok()) failure_ = iface_ + ": " + applied.error();
    loop_.stop();
}

Result<int> SessionHost::run(Session& session, bool once, std::chrono::seconds timeout, const std::string& no_lease) {
    session_ = &session;
    if (auto s = session.start(links_.carrier()); !s.ok()) return Error{s.error()};
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (!loop_.stopped()) {
        auto wait = std::chrono::milliseconds(-1);
        if (once) {
            wait = std::chrono::ceil<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
            if (wait.count() <= 0) return Error{no_lease};
        }
        if (auto s = loop_.run_once(wait); !s.ok()) return Error{iface_ + ": " + s.error()};
    }
    if (failure_) return Error{*failure_};
    return signal_;
}

void SessionHost::on_signal() {
    int signal = signals_.read();
    if (signal == 0) return;
    log_(std::string("stopping on ") + strsignal(signal));
    signal_ = signal;
    loop_.stop();
    session_->stop();
}

void SessionHost::on_link_changes() {
    auto changes = links_.read();
    if (!changes.ok()) return end(changes.error());
    for (LinkChange change : *changes) {
        if (change == LinkChange::Removed) return end(iface_ + ": the link was removed");
        session_->carrier_changed(change == LinkChange::Up);
        if (loop_.stopped()) return;
    }
}

void SessionHost::end(std::string error) {
    if (!failure_) failure_ = std::move(error);
    loop_.stop();
}

}  // namespace nodenet::dhcp::io
