#include "wireguard/userspace_daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>
#include <vector>

#include "wireguard/device.h"
#include "wireguard/uapi_client.h"

extern char** environ;

namespace nodenet::wireguard {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxOutput = 64 * 1024;  // of the program's output kept for an error message

long long ms_left(Clock::time_point deadline) {
    return std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
}

// Our environment, minus what would change how wireguard-go starts: WG_PROCESS_FOREGROUND would
// keep it in the foreground, WG_TUN_FD / WG_UAPI_FD would make it use descriptors it does not
// have, and LOG_LEVEL would give the daemon our pipe as its stderr (a write to it after we close
// it would kill the daemon with SIGPIPE). Versions before 2020 refuse to run on Linux unless
// WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1; later ones only print a banner.
std::vector<std::string> daemon_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view var(*e);
        std::string_view name = var.substr(0, var.find('='));
        if (name == "WG_PROCESS_FOREGROUND" || name == "WG_TUN_FD" || name == "WG_UAPI_FD" || name == "LOG_LEVEL" ||
            name == "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD")
            continue;
        env.emplace_back(var);
    }
    env.emplace_back("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1");
    return env;
}

// The program's output without wireguard-go's banner (a box of "│" lines, or "W … G" in old
// versions), which it prints on every start.
std::string without_banner(const std::string& output) {
    std::istringstream in(output);
    std::string kept;
    for (std::string line; std::getline(in, line);) {
        bool box = line.starts_with("\xe2\x94");  // U+2500..U+257F, box drawing
        bool old = line.starts_with("WARNING WARNING") || (line.starts_with("W ") && line.ends_with(" G"));
        if (box || old || line.empty()) continue;
        kept += (kept.empty() ? "" : "; ") + line;
    }
    return kept;
}

struct Spawned {
    int exit_code = -1;  // -1: killed at the deadline or by a signal
    std::string output;  // stdout and stderr together
};

// Starts `program iface` in a session of its own, its output into `out_fd`, with default signal
// handling and only stdin, stdout and stderr open.
Result<pid_t> spawn(const std::string& program, const std::string& iface, int out_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // nothing of nodenet's leaks into a daemon
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    // A session of its own: the daemon outlives the terminal or SSH session nodenet ran from.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> args{program, iface}, env = daemon_environment();
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    int err = posix_spawnp(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (err != 0) return Error{"run " + program + ": " + std::strerror(err)};
    return pid;
}

// Collects the output of `pid` from `fd` until it exits; killed at the deadline.
Spawned wait_for_exit(pid_t pid, int fd, Clock::time_point deadline) {
    Spawned result;
    int status = 0;
    bool exited = false, open = true;
    char buf[4096];
    // Until the program exits: its daemon may keep the pipe open, so EOF is not the signal.
    while (!exited) {
        if (ms_left(deadline) <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return result;
        }
        if (open) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 20) > 0) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n > 0 && result.output.size() < kMaxOutput) result.output.append(buf, static_cast<size_t>(n));
                if (n == 0) open = false;
            }
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        exited = waitpid(pid, &status, WNOHANG) == pid;
    }
    // What it wrote just before exiting.
    fcntl(fd, F_SETFL, O_NONBLOCK);
    for (ssize_t n; open && (n = read(fd, buf, sizeof buf)) > 0 && result.output.size() < kMaxOutput;)
        result.output.append(buf, static_cast<size_t>(n));
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    return result;
}

Result<Spawned> run_program(const std::string& program, const std::string& iface, Clock::time_point deadline) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + std::strerror(errno)};
    auto pid = spawn(program, iface, pipe_fds[1]);
    close(pipe_fds[1]);
    if (!pid) {
        close(pipe_fds[0]);
        return Error{pid.error()};
    }
    Spawned result = wait_for_exit(*pid, pipe_fds[0], deadline);
    close(pipe_fds[0]);
    return result;
}

}  // namespace

Status start_userspace_device(const std::string& iface, const std::filesystem::path& run_dir,
                              std::chrono::milliseconds timeout, const std::string& program) {
    if (!valid_interface_name(iface)) return Error{quote(iface) + " is not a valid interface name"};
    auto deadline = Clock::now() + timeout;
    std::string what = iface + ": start " + program;
    UapiClient probe(run_dir, std::chrono::milliseconds(500));
    std::filesystem::path socket = probe.socket_path(iface);
    // wireguard-go would create the TUN device before noticing, and a device elsewhere (another
    // namespace, same socket directory) would be taken for this one.
    if (probe.get(iface).ok()) return Error{what + ": a daemon already answers on " + socket.native()};

    auto run = run_program(program, iface, deadline);
    if (!run) return Error{what + ": " + run.error()};
    std::string output = without_banner(run->output);
    if (run->exit_code != 0) {
        std::string how = run->exit_code < 0 ? "did not finish within " + std::to_string(timeout.count()) + " ms"
                                             : "exited with status " + std::to_string(run->exit_code);
        return Error{what + ": " + how + (output.empty() ? "" : ": " + output)};
    }
    // The socket exists once the program has exited; the daemon answers once it has started.
    std::string last_error;
    while (ms_left(deadline) > 0) {
        auto left = std::chrono::milliseconds(std::min<long long>(ms_left(deadline), 1000));
        auto answer = UapiClient(run_dir, left).get(iface);
        if (answer) return success();
        last_error = answer.error();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Error{what + ": no answer on " + socket.native() + " within " + std::to_string(timeout.count()) +
                 " ms (wireguard-go always uses /var/run/wireguard): " + last_error};
}

}  // namespace nodenet::wireguard
