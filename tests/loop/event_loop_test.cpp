#include "loop/event_loop.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>

namespace nodenet::loop {
namespace {

using namespace std::chrono_literals;

TEST(EventLoop, RunsTheHandlerOfAReadyDescriptorOnly) {
    auto loop = EventLoop::open();
    ASSERT_TRUE(loop.ok()) << loop.error();
    UniqueFd a(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), b(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    int calls_a = 0, calls_b = 0;
    ASSERT_TRUE(loop->add(a.get(), EPOLLIN, [&](uint32_t) {
        uint64_t v;
        ASSERT_EQ(read(a.get(), &v, sizeof v), 8);
        ++calls_a;
    }).ok());
    ASSERT_TRUE(loop->add(b.get(), EPOLLIN, [&](uint32_t) { ++calls_b; }).ok());
    uint64_t one = 1;
    ASSERT_EQ(write(a.get(), &one, sizeof one), 8);
    ASSERT_TRUE(loop->run_once(1000ms).ok());
    EXPECT_EQ(calls_a, 1);
    EXPECT_EQ(calls_b, 0);
    // Nothing ready: the wait ends at its timeout without a call.
    ASSERT_TRUE(loop->run_once(10ms).ok());
    EXPECT_EQ(calls_a, 1);
}

TEST(EventLoop, ADescriptorRemovedByAnotherHandlerInTheSameBatchIsNotCalled) {
    auto loop = EventLoop::open();
    ASSERT_TRUE(loop.ok());
    UniqueFd a(eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC)), b(eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
    int calls = 0;
    // Whichever runs first removes the other; exactly one of them runs.
    ASSERT_TRUE(loop->add(a.get(), EPOLLIN, [&](uint32_t) { ++calls; loop->remove(b.get()); loop->remove(a.get()); }).ok());
    ASSERT_TRUE(loop->add(b.get(), EPOLLIN, [&](uint32_t) { ++calls; loop->remove(a.get()); loop->remove(b.get()); }).ok());
    ASSERT_TRUE(loop->run_once(1000ms).ok());
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(loop->watching(a.get()));
    EXPECT_FALSE(loop->watching(b.get()));
}

TEST(EventLoop, TimerFiresOnceAfterItsDelayAndCanBeDisarmed) {
    auto loop = EventLoop::open();
    ASSERT_TRUE(loop.ok());
    int fired = 0;
    auto timer = Timer::open(*loop, [&] { ++fired; loop->stop(); });
    ASSERT_TRUE(timer.ok()) << timer.error();
    (*timer)->arm_in(20ms);
    EXPECT_TRUE((*timer)->armed());
    auto start = std::chrono::steady_clock::now();
    while (!loop->stopped() && std::chrono::steady_clock::now() - start < 5s) ASSERT_TRUE(loop->run_once(1000ms).ok());
    EXPECT_EQ(fired, 1);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 19ms);
    EXPECT_FALSE((*timer)->armed());
    (*timer)->arm_in(10ms);
    (*timer)->disarm();
    ASSERT_TRUE(loop->run_once(50ms).ok());
    EXPECT_EQ(fired, 1);
}

}  // namespace
}  // namespace nodenet::loop
