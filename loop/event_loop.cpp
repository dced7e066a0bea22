#include "loop/event_loop.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace nodenet::loop {

namespace {

Error errno_error(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

uint64_t key(int fd, uint32_t generation) { return (uint64_t{generation} << 32) | static_cast<uint32_t>(fd); }

}  // namespace

Result<EventLoop> EventLoop::open() {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) return errno_error("epoll_create1");
    return EventLoop(UniqueFd(fd));
}

Status EventLoop::add(int fd, uint32_t events, Handler handler) {
    uint32_t generation = next_generation_++;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = key(fd, generation);
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return errno_error("epoll_ctl add fd " + std::to_string(fd));
    handlers_[fd] = Entry{generation, std::make_shared<Handler>(std::move(handler))};
    return success();
}

Status EventLoop::modify(int fd, uint32_t events) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end()) return Error{"fd " + std::to_string(fd) + " is not in the event loop"};
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = key(fd, it->second.generation);
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) return errno_error("epoll_ctl mod fd " + std::to_string(fd));
    return success();
}

void EventLoop::remove(int fd) {
    if (handlers_.erase(fd) == 0) return;
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

Status EventLoop::run_once(std::chrono::milliseconds timeout) {
    epoll_event events[64];
    int n = epoll_wait(epoll_.get(), events, 64, timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
    if (n < 0) return errno == EINTR ? success() : errno_error("epoll_wait");
    for (int i = 0; i < n && !stopped_; ++i) {
        int fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
        auto generation = static_cast<uint32_t>(events[i].data.u64 >> 32);
        auto it = handlers_.find(fd);
        if (it == handlers_.end() || it->second.generation != generation) continue;  // removed meanwhile
        std::shared_ptr<Handler> handler = it->second.handler;  // survives its own removal
        (*handler)(events[i].events);
    }
    return success();
}

Status EventLoop::run() {
    while (!stopped_)
        if (auto s = run_once(); !s.ok()) return s;
    return success();
}

Result<std::unique_ptr<Timer>> Timer::open(EventLoop& loop, std::function<void()> fire) {
    int fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return errno_error("timerfd_create");
    std::unique_ptr<Timer> t(new Timer(loop, UniqueFd(fd), std::move(fire)));
    Timer* self = t.get();
    auto s = loop.add(fd, EPOLLIN, [self](uint32_t) {
        uint64_t expirations = 0;
        if (read(self->fd_.get(), &expirations, sizeof expirations) != sizeof expirations) return;
        self->armed_ = false;
        self->fire_();
    });
    if (!s.ok()) return Error{s.error()};
    return t;
}

Timer::~Timer() { loop_.remove(fd_.get()); }

void Timer::arm_in(std::chrono::milliseconds delay) {
    itimerspec spec{};
    // A zero it_value disarms: the shortest delay is one nanosecond.
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
    if (ns <= 0) ns = 1;
    spec.it_value.tv_sec = ns / 1000000000;
    spec.it_value.tv_nsec = ns % 1000000000;
    timerfd_settime(fd_.get(), 0, &spec, nullptr);
    armed_ = true;
}

void Timer::disarm() {
    itimerspec spec{};
    timerfd_settime(fd_.get(), 0, &spec, nullptr);
    armed_ = false;
}

}  // namespace nodenet::loop
