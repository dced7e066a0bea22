#include "dhcp/io/loop_support.h"

#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <iostream>

namespace nodenet::dhcp::io {

uint64_t random_seed() {
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed)) return seed;
    return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           (static_cast<uint64_t>(getpid()) << 32);
}

LogFn link_log(const std::string& iface, LogFn sink) {
    if (!sink) sink = [](const std::string& line) { std::cerr << line << std::endl; };
    return [sink = std::move(sink), prefix = iface + ": "](const std::string& line) {
        sink(line.starts_with(prefix) ? line : prefix + line);
    };
}

}  // namespace nodenet::dhcp::io
