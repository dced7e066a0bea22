#include "cli/network_pipeline.h"

#include <unistd.h>

#include <iostream>

#include "cli/config_file.h"
#include "cli/diagnostic_printer.h"
#include "netlink/converge.h"
#include "schema/schema_check.h"
#include "state/desired.h"

namespace nodenet::cli {

namespace {

Result<config::Config> load_config(const std::string& path) {
    auto file = read_config_file(path, config::kMaxConfigBytes);
    if (!file.ok()) return Error{"cannot read " + file.error()};
    if (file->too_large) return Error{path + ": " + config::too_large_message(file->size)};
    auto schema = schema::SchemaChecker::load();
    if (!schema.ok()) return Error{"embedded schema: " + schema.error()};
    config::Validation v = config::validate(file->text, *schema, {});
    if (v.diagnostics.has_errors()) {
        print_text(std::cerr, path, file->text, v.diagnostics, TextStyle{isatty(STDERR_FILENO) != 0});
        return Error{path + ": the config has errors; nothing was changed"};
    }
    return std::move(v.config);
}

}  // namespace

// A relative --state-dir is relative to the working directory, as any path argument is; --root
// then prefixes the absolute result.
store::StateDir NetworkOptions::state() const {
    return store::StateDir(root / std::filesystem::absolute(state_dir).relative_path());
}

Result<Prepared> prepare(const NetworkOptions& options) {
    auto config = load_config(options.config_path);
    if (!config.ok()) return Error{config.error()};
    Prepared p;
    auto owned = options.state().load_ownership();
    if (!owned.ok()) return Error{owned.error()};
    p.owned = std::move(*owned);
    // Links first: device selectors are resolved against them.
    netlink::SnapshotFilter links_only;
    auto links = netlink::read_kernel_state(links_only);
    if (!links.ok()) return Error{"read links: " + links.error()};
    auto desired = state::desired_state(*config, *links);
    if (!desired.ok()) return Error{options.config_path + ": " + desired.error()};
    p.desired = std::move(desired->state);
    p.warnings = std::move(desired->warnings);
    auto kernel = netlink::read_kernel_state(netlink::managed_filter(p.desired, p.owned));
    if (!kernel.ok()) return Error{"read kernel state: " + kernel.error()};
    p.kernel = std::move(*kernel);
    p.plan = plan::make_plan(p.desired, p.kernel, p.owned);
    return p;
}

void add_network_options(CLI::App& cmd, NetworkOptions& options) {
    cmd.add_option("-c,--config", options.config_path, "Machine config file")->required();
    cmd.add_option("--state-dir", options.state_dir, "Where nodenet keeps what it created")->capture_default_str();
    cmd.add_option("--root", options.root, "Prefix of every file nodenet reads or writes")->capture_default_str();
    cmd.add_option("-o,--output", options.output, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
}

}  // namespace nodenet::cli
