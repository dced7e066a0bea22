// Runs the real `nodenet` binary the way a shell or a CI job does, so the tests see exactly what
// users see: exit status, stdout and stderr kept apart, and the child's peak memory.
//
// Header-only because tests/CMakeLists.txt compiles only *_test.cpp files.
#pragma once

#include "tests/child_output.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace nodenet::cli_test {

// Writes the child's standard input; gets the write end of a pipe and returns how many bytes it
// wrote. It must stop on EPIPE: nodenet is allowed to stop reading early.
using StdinWriter = std::function<uint64_t(int fd)>;

struct RunOptions {
    StdinWriter stdin_writer;            // unset: stdin is /dev/null
    bool stdout_is_terminal = false;     // a pseudo-terminal instead of a pipe
    std::vector<std::string> extra_env;  // "NAME=value", on top of the inherited environment
    std::chrono::seconds timeout{60};    // well under the ctest timeout, so a hang fails clearly
};

struct RunResult {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;
    bool timed_out = false;
    std::string out;
    std::string err;
    long max_rss_kb = 0;  // the child's peak resident set, from wait4
    // This test process's resident set when it forked the child. Linux counts it in the child's
    // ru_maxrss (the forked copy's pages, until execve replaces them), so a max_rss_kb at or below
    // it says only that nodenet's own peak was no higher.
    long rss_at_fork_kb = 0;
    uint64_t stdin_bytes_written = 0;
};

namespace detail {

// SIGPIPE must not kill the test when nodenet closes stdin early; the child gets the default back.
class IgnoreSigpipe {
public:
    IgnoreSigpipe() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ignore, &previous_);
    }
    ~IgnoreSigpipe() { sigaction(SIGPIPE, &previous_, nullptr); }
    IgnoreSigpipe(const IgnoreSigpipe&) = delete;
    IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

private:
    struct sigaction previous_ {};
};

inline void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

// The developer's NO_COLOR must not change what the tests see.
inline std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::string_view(*e).rfind("NO_COLOR=", 0) != 0) env.emplace_back(*e);
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

// VmRSS of this process, from /proc/self/status; 0 when unreadable.
inline long resident_kb() {
    FILE* f = fopen("/proc/self/status", "re");
    if (!f) return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> v;
    for (std::string& s : strings) v.push_back(s.data());
    v.push_back(nullptr);
    return v;
}

}  // namespace detail

inline RunResult run_nodenet(std::vector<std::string> args, const RunOptions& options = {}) {
    detail::IgnoreSigpipe ignore_sigpipe;
    args.insert(args.begin(), NODENET_BINARY);
    std::vector<char*> argv = detail::c_strings(args);
    std::vector<std::string> env_strings = detail::child_environment(options.extra_env);
    std::vector<char*> envp = detail::c_strings(env_strings);

    int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe2 failed");
    if (options.stdin_writer && pipe2(in_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    int terminal = -1;
    char terminal_name[128] = {};
    if (options.stdout_is_terminal) {
        terminal = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (terminal < 0 || grantpt(terminal) != 0 || unlockpt(terminal) != 0 ||
            ptsname_r(terminal, terminal_name, sizeof terminal_name) != 0)
            throw std::runtime_error("cannot open a pseudo-terminal");
    }

    long rss_at_fork_kb = detail::resident_kb();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        // Only async-signal-safe calls until execve: the parent may have other threads.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        sigaction(SIGPIPE, &default_action, nullptr);
        int in = options.stdin_writer ? in_pipe[0] : open("/dev/null", O_RDONLY);
        int out = options.stdout_is_terminal ? open(terminal_name, O_RDWR | O_NOCTTY) : out_pipe[1];
        if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
            dup2(err_pipe[1], STDERR_FILENO) < 0)
            _exit(127);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }

    detail::close_fd(out_pipe[1]);
    detail::close_fd(err_pipe[1]);
    detail::close_fd(in_pipe[0]);
    RunResult result;
    std::thread writer;
    if (options.stdin_writer) {
        writer = std::thread([&result, &options, fd = in_pipe[1]] {
            result.stdin_bytes_written = options.stdin_writer(fd);
            close(fd);
        });
    }

    // The terminal's master side reports EIO, not EOF, once the child has closed its side.
    int out_fd = options.stdout_is_terminal ? terminal : out_pipe[0];
    result.timed_out = !testing_support::drain_child_output(pid, out_fd, err_pipe[0],
                                                            std::chrono::steady_clock::now() + options.timeout,
                                                            result.out, result.err);

    int status = 0;
    struct rusage usage {};
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    // The writer ends once the child's exit closed the pipe's other end, at the latest with EPIPE.
    detail::close_fd(out_pipe[0]);
    detail::close_fd(err_pipe[0]);
    detail::close_fd(terminal);
    if (writer.joinable()) writer.join();

    result.max_rss_kb = usage.ru_maxrss;
    result.rss_at_fork_kb = rss_at_fork_kb;
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

inline RunResult run_nodenet_with_stdin(std::vector<std::string> args, std::string input) {
    RunOptions options;
    options.stdin_writer = [input = std::move(input)](int fd) -> uint64_t {
        size_t done = 0;
        while (done < input.size()) {
            ssize_t n = write(fd, input.data() + done, input.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;
            done += static_cast<size_t>(n);
        }
        return done;
    };
    return run_nodenet(std::move(args), options);
}

// A fresh directory per test, removed however the test ends (an ASSERT returns early).
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/nodenet-cli-test-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Returns the file's path as a string, ready to pass to nodenet.
    std::string write(const std::string& name, std::string_view content) const {
        std::filesystem::path p = path_ / name;
        int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error("cannot create " + p.string());
        size_t done = 0;
        while (done < content.size()) {
            ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                close(fd);
                throw std::runtime_error("cannot write " + p.string());
            }
            done += static_cast<size_t>(n);
        }
        close(fd);
        return p.string();
    }

    // A file of `size` zero bytes that occupies no disk blocks.
    std::string sparse(const std::string& name, off_t size) const {
        std::filesystem::path p = path_ / name;
        int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || ftruncate(fd, size) != 0) throw std::runtime_error("cannot create " + p.string());
        close(fd);
        return p.string();
    }

private:
    std::filesystem::path path_;
};

// The output split at newlines, without them.
inline std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        lines.emplace_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return lines;
}

}  // namespace nodenet::cli_test
