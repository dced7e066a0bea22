// The resolver, hosts and host-name side of `plan` and `apply`: which writers serve this run
// (--resolver, --root), what they hold now, and the operations that make them match the config.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "dns/io/resolved_client.h"
#include "plan/host_plan.h"
#include "state/ip.h"

namespace nodenet::engine {

struct NetworkOptions;
struct Prepared;

struct HostOptions {
    std::string resolver = "auto";  // auto | file | resolved | none
    bool force = false;             // replace a symlinked resolv.conf
    std::vector<std::string> default_nameservers = {"1.1.1.1", "8.8.8.8"};  // "none": no defaults

    Result<std::vector<state::IpAddress>> default_servers() const;
};

// Fills p.plan.host_operations (and its warnings and conflicts), p.host_targets and p.resolved.
// Does nothing — no file read, no D-Bus — when the config manages no names and nodenet set no
// systemd-resolved link before.
Status plan_host_side(const NetworkOptions& options, Prepared& p);

// Undoes host operations an apply carried out (for `--confirm-timeout`'s revert, which runs in a
// process of its own: it connects to systemd-resolved anew). "" when all went back, else what failed.
std::string revert_host(const NetworkOptions& options, const std::vector<plan::HostOperation>& done);

}  // namespace nodenet::engine
