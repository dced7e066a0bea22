// The kernel's change notifications (rtnetlink multicast: links, addresses, routes, rules of both
// families) as events of the daemon's loop. The daemon does not trust them for content — it
// plans against a fresh read — only as a wake-up and for links coming, going and changing
// carrier. A large receive buffer absorbs bursts; when the kernel still drops notifications
// (ENOBUFS) the daemon is told to re-read everything, so nothing is lost.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "loop/event_loop.h"

namespace nodenet::daemon::io {

struct LinkNotice {
    int index = 0;
    std::string name;
    bool removed = false;
    bool up = false;       // IFF_UP
    bool carrier = false;  // IFF_LOWER_UP: what the driver says now, not linkwatch's later IFF_RUNNING
};

struct KernelChanges {
    std::vector<LinkNotice> links;
    bool addresses_or_routes = false;  // an address, route or rule changed somewhere
    bool overflow = false;             // notifications were dropped: re-read everything
};

class KernelWatch {
public:
    using Handler = std::function<void(const KernelChanges&)>;
    // `receive_buffer`: bytes (SO_RCVBUFFORCE, else SO_RCVBUF); tests make it tiny to force ENOBUFS.
    static Result<std::unique_ptr<KernelWatch>> open(loop::EventLoop& loop, int receive_buffer, Handler handler);
    ~KernelWatch();

private:
    KernelWatch(loop::EventLoop& loop, UniqueFd fd, Handler handler)
        : loop_(loop), fd_(std::move(fd)), handler_(std::move(handler)) {}
    void readable();

    loop::EventLoop& loop_;
    UniqueFd fd_;
    Handler handler_;
};

}  // namespace nodenet::daemon::io
