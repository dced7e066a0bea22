// Helpers of the benchmark programs (bench/discovery_load.cpp): percentiles and number formats,
// a process's memory and CPU from /proc, and child processes with their output on a pipe.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <vector>

namespace nodenet::bench {

// The value below which p % of `v` lie (nearest rank); 0 for none.
double percentile(std::vector<double> v, double p);
// gRPC's name of a status code ("RESOURCE_EXHAUSTED").
std::string status_name(int code);
std::string fmt(double v, int digits = 2);

struct ProcSample {
    long rss_kb = 0, anon_kb = 0, threads = 0;
    double cpu_s = 0;  // user + system
};
// VmRSS, RssAnon, Threads and CPU time of a process; zeros once it is gone.
ProcSample read_proc(int pid);
// CPU time (user + system) of this process so far.
double self_cpu_s();

// A child process with its stdout on a pipe (posix_spawn: the callers have gRPC's threads, and
// posix_spawn, unlike fork, does not copy them).
struct Child {
    pid_t pid = -1;
    FILE* out = nullptr;
};
Child spawn(const std::vector<std::string>& args);
// Runs the command to its end and returns its stdout.
std::string run_capture(const std::vector<std::string>& args);

}  // namespace nodenet::bench
