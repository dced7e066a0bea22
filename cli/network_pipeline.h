// The path shared by `plan` and `apply`: config -> desired state; kernel -> observed state; the plan.
#pragma once

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "config/validate.h"
#include "plan/diff.h"
#include "state/objects.h"
#include "store/state_dir.h"

namespace nodenet::cli {

struct NetworkOptions {
    std::string config_path;
    std::filesystem::path state_dir = "/var/lib/nodenet";
    std::filesystem::path root = "/";  // prefix of every file nodenet reads or writes
    std::string output = "text";
    int confirm_timeout = 0;  // apply only: seconds until an unconfirmed apply is reverted

    store::StateDir state() const;
};

struct Prepared {
    state::DesiredState desired;
    state::KernelState kernel;
    plan::Ownership owned;
    plan::Plan plan;
    std::vector<std::string> warnings;
};

// Validates the config (printing its diagnostics when it has errors), reads the kernel state of
// what the config manages, and plans. Errors name the step that failed.
Result<Prepared> prepare(const NetworkOptions& options);

// Adds the shared options (-c, --state-dir, --root, -o) to a subcommand.
void add_network_options(CLI::App& cmd, NetworkOptions& options);

}  // namespace nodenet::cli
