#include "netlink/confirm_watchdog.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>

#include "store/atomic_file.h"

namespace nodenet::netlink {

namespace {

volatile sig_atomic_t g_confirmed = 0;

void on_confirm(int) { g_confirmed = 1; }

std::optional<pid_t> read_pid(const std::filesystem::path& pid_file) {
    std::ifstream in(pid_file);
    long pid = 0;
    if (!(in >> pid) || pid <= 1) return std::nullopt;
    return static_cast<pid_t>(pid);
}

void log_line(const std::filesystem::path& log_file, const std::string& line) {
    std::ofstream(log_file, std::ios::app) << line << '\n';
}

// The watchdog itself: wait for the deadline or for SIGUSR1 from `nodenet confirm`.
[[noreturn]] void watch(const std::function<std::string()>& revert, std::chrono::seconds timeout,
                        const std::filesystem::path& pid_file, const std::filesystem::path& log_file) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!g_confirmed && std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        timespec ts{static_cast<time_t>(left.count() / 1000), static_cast<long>(left.count() % 1000) * 1000000L};
        nanosleep(&ts, nullptr);  // SIGUSR1 interrupts it
    }
    if (g_confirmed) {
        log_line(log_file, "confirmed; the apply stays");
        _exit(0);
    }
    std::error_code ec;
    std::filesystem::remove(pid_file, ec);
    log_line(log_file, "not confirmed in time: " + revert());
    _exit(0);
}

}  // namespace

bool confirm_pending(const std::filesystem::path& pid_file) {
    auto pid = read_pid(pid_file);
    return pid && kill(*pid, 0) == 0;
}

Status start_confirm_watchdog(const std::function<std::string()>& revert, std::chrono::seconds timeout,
                              const std::filesystem::path& pid_file, const std::filesystem::path& log_file) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + std::strerror(errno)};
    pid_t first = fork();
    if (first < 0) return Error{std::string("fork: ") + std::strerror(errno)};
    if (first == 0) {
        // Double fork: the watchdog is no child of the apply process, and leads no session.
        close(ready[0]);
        setsid();
        if (fork() != 0) _exit(0);
        signal(SIGHUP, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        struct sigaction sa {};
        sa.sa_handler = on_confirm;
        sigaction(SIGUSR1, &sa, nullptr);
        int null_fd = open("/dev/null", O_RDWR);
        for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) dup2(null_fd, fd);
        bool written = store::write_file_atomic(pid_file, std::to_string(getpid()) + "\n", 0600).ok();
        char ok = written ? '1' : '0';
        (void)!write(ready[1], &ok, 1);
        close(ready[1]);
        if (!written) _exit(1);
        watch(revert, timeout, pid_file, log_file);
    }
    close(ready[1]);
    int status = 0;
    waitpid(first, &status, 0);
    char ok = '0';
    (void)!read(ready[0], &ok, 1);
    close(ready[0]);
    if (ok != '1') return Error{pid_file.string() + ": cannot start the confirm watchdog"};
    return success();
}

Status confirm(const std::filesystem::path& pid_file) {
    auto pid = read_pid(pid_file);
    if (!pid || kill(*pid, 0) != 0) return Error{"no apply is waiting for confirmation"};
    std::error_code ec;
    std::filesystem::remove(pid_file, ec);
    if (kill(*pid, SIGUSR1) != 0) return Error{std::string("signal the watchdog: ") + std::strerror(errno)};
    return success();
}

}  // namespace nodenet::netlink
