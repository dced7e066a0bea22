// Per-phase wall-clock times of one run, printed to stderr when NODENET_TIMINGS is set: where a slow
// apply spends its time (parse, kernel dump, plan, write) without a profiler.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace nodenet::engine {

class PhaseTimer {
public:
    PhaseTimer() : enabled_(std::getenv("NODENET_TIMINGS") != nullptr), last_(std::chrono::steady_clock::now()) {}

    // Reports the time since the previous mark (or since construction) under `phase`.
    void mark(const char* phase) {
        if (!enabled_) return;
        auto now = std::chrono::steady_clock::now();
        std::fprintf(stderr, "nodenet: timing: %-16s %8.2f ms\n", phase,
                     std::chrono::duration<double, std::milli>(now - last_).count());
        last_ = now;
    }

private:
    bool enabled_;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace nodenet::engine
