// One thread, one epoll set: every event source of a long-running nodenet process (netlink
// notifications, DHCP sockets and timers, signals, the control socket) is a file descriptor
// registered here with the function that handles it. Nothing polls: the loop sleeps in
// epoll_wait until a descriptor is ready.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "common/result.h"
#include "common/unique_fd.h"

namespace nodenet::loop {

class EventLoop {
public:
    // `events`: what epoll_wait reported (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR).
    using Handler = std::function<void(uint32_t events)>;

    static Result<EventLoop> open();

    // Level-triggered. A handler may add and remove descriptors (its own too) while it runs; a
    // descriptor removed in the middle of a batch gets no further calls from that batch, even
    // when its number is reused at once.
    Status add(int fd, uint32_t events, Handler handler);
    Status modify(int fd, uint32_t events);
    void remove(int fd);
    bool watching(int fd) const { return handlers_.count(fd) != 0; }

    // Waits at most `timeout` (negative: without limit) and runs the handlers of what is ready.
    // An interrupted wait returns without running anything.
    Status run_once(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
    // run_once until stop() is called from a handler.
    Status run();
    void stop() { stopped_ = true; }
    bool stopped() const { return stopped_; }

private:
    struct Entry {
        uint32_t generation;
        std::shared_ptr<Handler> handler;
    };
    explicit EventLoop(UniqueFd epoll) : epoll_(std::move(epoll)) {}

    UniqueFd epoll_;
    std::unordered_map<int, Entry> handlers_;
    uint32_t next_generation_ = 1;
    bool stopped_ = false;
};

// A one-shot timer on CLOCK_BOOTTIME (CLOCK_MONOTONIC where the kernel lacks BOOTTIME timers) as
// a descriptor of the loop: the daemon's debounce, back-off and readiness deadlines.
class Timer {
public:
    using Clock = std::chrono::steady_clock;
    static Result<std::unique_ptr<Timer>> open(EventLoop& loop, std::function<void()> fire);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    void arm_in(std::chrono::milliseconds delay);  // replaces an earlier time
    void disarm();
    bool armed() const { return armed_; }

private:
    Timer(EventLoop& loop, UniqueFd fd, std::function<void()> fire)
        : loop_(loop), fd_(std::move(fd)), fire_(std::move(fire)) {}

    EventLoop& loop_;
    UniqueFd fd_;
    std::function<void()> fire_;
    bool armed_ = false;
};

}  // namespace nodenet::loop
