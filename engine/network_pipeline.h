// The path shared by `plan` and `apply`: config -> desired state; kernel -> observed state; the plan.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include "engine/host_side.h"
#include "common/result.h"
#include "config/validate.h"
#include "netlink/snapshot.h"
#include "plan/diff.h"
#include "state/dhcp_links.h"
#include "state/layers.h"
#include "state/objects.h"
#include "store/state_dir.h"

namespace nodenet::engine {

struct NetworkOptions {
    std::string config_path;
    std::filesystem::path state_dir = "/var/lib/nodenet";
    std::filesystem::path root = "/";  // prefix of every file nodenet reads or writes
    std::string output = "text";
    int confirm_timeout = 0;  // apply only: seconds until an unconfirmed apply is reverted
    int dhcp_timeout = 30;    // apply only: seconds to wait for each DHCP lease
    HostOptions host;         // resolver, hosts and host-name writers
    bool loopback_up = false;  // the daemon: `lo` up, as Talos's default layer has it
    // Where a config's errors are shown, compiler style (`file:line:col: error: ...` with the source
    // line): a terminal's stderr, say. Null: they are part of prepare()'s error message, as the
    // daemon hands them to the client that asked for the apply.
    std::ostream* diagnostics = nullptr;
    bool diagnostics_color = false;

    store::StateDir state() const;
};

struct Prepared {
    state::DesiredState desired;
    state::KernelState kernel;
    plan::Ownership owned;
    plan::Plan plan;
    std::vector<std::string> warnings;
    std::string config_digest;
    bool in_sync_by_record = false;  // the plan is empty by the in-sync record; `desired` is not filled
    bool with_leases = false;        // DHCP layers took part: no in-sync record (leases change on their own)
    state::DhcpLinks dhcp_links;  // the config's links that run a DHCP client
    plan::HostTargets host_targets;                // where names go this run (plan_host_side)
    std::shared_ptr<dns::ResolvedClient> resolved;  // set when systemd-resolved is the resolver writer
};

// Validates the config (printing its diagnostics when it has errors), reads the kernel state of
// what the config manages, and plans. `leases`: the DHCP layers (state::specs_from_dhcp4), merged
// under the config. Without a config path, the leases alone. Errors name the step that failed.
Result<Prepared> prepare(const NetworkOptions& options, std::vector<state::LayeredSpecs> leases = {});

// A config read and validated once, for a process that plans many times against the same config
// (the daemon: every kernel change, lease and timer plans again, and parsing 10,000 routes each
// time would cost more than the plan).
struct LoadedConfig {
    config::Config config;
    std::string text;    // the bytes, as read
    std::string digest;  // plan::text_digest(text)
    std::vector<std::string> warnings;  // the validation's warnings, rendered
};

// Reads and validates `text` (from options.config_path when `text` is null). Errors as prepare()'s.
Result<LoadedConfig> load_config(const NetworkOptions& options, const std::string* text = nullptr);

// prepare() for a config already loaded: no file read, no parse, no in-sync record.
Result<Prepared> prepare_loaded(const NetworkOptions& options, const LoadedConfig& config,
                                std::vector<state::LayeredSpecs> leases = {});

// Remembers in the state directory that `empty_plan`, planned against `kernel` (read with `filter`)
// with `owned`, was empty, so that the next prepare() of the same config can skip the parse.
// Nothing is recorded when DHCP takes part: a lease changes without the config changing.
void record_in_sync(const NetworkOptions& options, const Prepared& p, const plan::Plan& empty_plan,
                    const netlink::SnapshotFilter& filter, const state::KernelState& kernel,
                    const plan::Ownership& owned);

}  // namespace nodenet::engine
