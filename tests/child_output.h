// Reading a child process's stdout and stderr together until it closes both, with a deadline:
// shared by the helpers that run nodenet, `ip` and test functions in child processes.
#pragma once

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

namespace nodenet::testing_support {

// Appends what `out_fd` and `err_fd` (-1: none) deliver to `out` and `err` until both are closed.
// At the deadline the child is killed and false is returned. Does not reap the child.
inline bool drain_child_output(pid_t pid, int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline,
                               std::string& out, std::string& err) {
    struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&out, &err};
    int open_streams = (out_fd >= 0) + (err_fd >= 0);
    char buf[65536];
    while (open_streams > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            kill(pid, SIGKILL);
            return false;
        }
        int ready = poll(fds, 2, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n > 0) {
                sinks[i]->append(buf, static_cast<size_t>(n));
            } else {
                fds[i].fd = -1;
                --open_streams;
            }
        }
    }
    return true;
}

}  // namespace nodenet::testing_support
