#include "engine/network_pipeline.h"

#include <unistd.h>

#include <sstream>

#include "engine/config_file.h"
#include "config/diagnostic_printer.h"
#include "engine/phase_timer.h"
#include "engine/program_identity.h"
#include "netlink/converge.h"
#include "plan/sync_digest.h"
#include "schema/schema_check.h"
#include "state/desired.h"

namespace nodenet::engine {

namespace {

Result<config::Config> validate_config(const NetworkOptions& options, const std::string& text, PhaseTimer& timer,
                                       std::vector<std::string>* warnings = nullptr) {
    const std::string& path = options.config_path;
    auto schema = schema::SchemaChecker::load();
    if (!schema.ok()) return Error{"embedded schema: " + schema.error()};
    timer.mark("load schema");
    config::Validation v = config::validate(text, *schema, {});
    timer.mark("validate");
    if (v.diagnostics.has_errors()) {
        std::string verdict = path + ": the config has errors; nothing was changed";
        if (options.diagnostics) {
            config::print_text(*options.diagnostics, path, text, v.diagnostics, {options.diagnostics_color});
            return Error{verdict};
        }
        std::ostringstream shown;
        config::print_text(shown, path, text, v.diagnostics, {false});
        return Error{shown.str() + verdict};
    }
    if (warnings)
        for (const config::Diagnostic& d : v.diagnostics.items())
            warnings->push_back(path + ":" + std::to_string(d.mark.line) + ":" + std::to_string(d.mark.column) + ": " +
                                d.path + ": " + d.message);
    return std::move(v.config);
}

Result<ConfigFile> read_bounded(const std::string& path) {
    auto file = read_config_file(path, config::kMaxConfigBytes);
    if (!file.ok()) return Error{"cannot read " + file.error()};
    if (file->too_large) return Error{path + ": " + config::too_large_message(file->size)};
    return file;
}

netlink::SnapshotFilter filter_of(const store::SyncRecord& r) {
    netlink::SnapshotFilter f;
    f.links.insert(r.links.begin(), r.links.end());
    f.tables.insert(r.tables.begin(), r.tables.end());
    f.owned_protocol = r.owned_protocol;
    f.expected_routes = r.routes;
    f.rules = true;  // records are made with managed_filter(), which reads every rule
    return f;
}

// The config, program and ownership of the last empty plan, and a kernel whose managed part reads
// the same as then: the plan is empty again, without parsing the config. Otherwise the snapshot
// taken to find out is handed back, to be reused when the full path needs the same filter.
std::optional<Prepared> in_sync_by_record(const NetworkOptions& options, const std::string& config_digest,
                                          const plan::Ownership& owned, std::optional<state::KernelState>& read,
                                          netlink::SnapshotFilter& read_with) {
    if (program_identity().empty()) return std::nullopt;
    auto r = options.state().load_sync_record();
    if (!r || r->config_digest != config_digest || r->program != program_identity() ||
        r->ownership_digest != store::StateDir::ownership_digest(owned))
        return std::nullopt;
    read_with = filter_of(*r);
    auto kernel = netlink::read_kernel_state(read_with);
    if (!kernel.ok()) return std::nullopt;
    if (plan::kernel_digest(*kernel) != r->kernel_digest) {
        read = std::move(*kernel);
        return std::nullopt;
    }
    Prepared p;
    p.owned = owned;
    p.kernel = std::move(*kernel);
    p.warnings = std::move(r->desired_warnings);
    p.plan.warnings = std::move(r->plan_warnings);
    p.config_digest = config_digest;
    p.in_sync_by_record = true;
    return p;
}

// The part of prepare() after the config is loaded: links, desired state, kernel read, plan.
Result<Prepared> plan_against_kernel(const NetworkOptions& options, const config::Config& config, plan::Ownership owned,
                                     std::vector<state::LayeredSpecs> leases, std::string config_digest,
                                     std::optional<state::KernelState> read, const netlink::SnapshotFilter& read_with,
                                     PhaseTimer& timer) {
    Prepared p;
    p.config_digest = std::move(config_digest);
    p.owned = std::move(owned);
    p.with_leases = !leases.empty();
    // Links first: device selectors are resolved against them.
    Result<state::KernelState> links = read ? Result<state::KernelState>(*read)
                                            : netlink::read_kernel_state(netlink::SnapshotFilter{});
    if (!links.ok()) return Error{"read links: " + links.error()};
    timer.mark("read links");
    p.dhcp_links = state::dhcp_links(config, *links);
    auto defaults = options.host.default_servers();
    if (!defaults.ok()) return Error{defaults.error()};
    auto desired = state::desired_state(config, *links, std::move(leases), {std::move(*defaults), options.loopback_up});
    if (!desired.ok()) return Error{options.config_path + ": " + desired.error()};
    p.desired = std::move(desired->state);
    p.warnings = std::move(desired->warnings);
    timer.mark("desired state");
    netlink::SnapshotFilter filter = netlink::managed_filter(p.desired, p.owned);
    if (read && filter == read_with) {
        p.kernel = std::move(*read);
    } else {
        auto kernel = netlink::read_kernel_state(filter);
        if (!kernel.ok()) return Error{"read kernel state: " + kernel.error()};
        p.kernel = std::move(*kernel);
    }
    timer.mark("read kernel");
    p.plan = plan::make_plan(p.desired, p.kernel, p.owned);
    if (auto s = plan_host_side(options, p); !s.ok()) return Error{s.error()};
    timer.mark("plan");
    return p;
}

}  // namespace

// A relative --state-dir is relative to the working directory, as any path argument is; --root
// then prefixes the absolute result.
store::StateDir NetworkOptions::state() const {
    return store::StateDir(root / std::filesystem::absolute(state_dir).relative_path());
}

Result<Prepared> prepare(const NetworkOptions& options, std::vector<state::LayeredSpecs> leases) {
    PhaseTimer timer;
    if (options.config_path.empty()) {
        auto owned = options.state().load_ownership();
        if (!owned.ok()) return Error{owned.error()};
        return plan_against_kernel(options, config::Config{}, std::move(*owned), std::move(leases), "", {}, {}, timer);
    }
    auto file = read_bounded(options.config_path);
    if (!file.ok()) return Error{file.error()};
    std::string config_digest = plan::text_digest(file->text);
    timer.mark("read config");
    auto owned = options.state().load_ownership();
    if (!owned.ok()) return Error{owned.error()};
    std::optional<state::KernelState> read;
    netlink::SnapshotFilter read_with;
    if (leases.empty())
        if (auto p = in_sync_by_record(options, config_digest, *owned, read, read_with)) {
            timer.mark("in sync (record)");
            return std::move(*p);
        }
    auto config = validate_config(options, file->text, timer);
    if (!config.ok()) return Error{config.error()};
    return plan_against_kernel(options, std::move(*config), std::move(*owned), std::move(leases),
                               std::move(config_digest), std::move(read), read_with, timer);
}

Result<LoadedConfig> load_config(const NetworkOptions& options, const std::string* text) {
    PhaseTimer timer;
    LoadedConfig loaded;
    if (text) {
        loaded.text = *text;
    } else {
        auto file = read_bounded(options.config_path);
        if (!file.ok()) return Error{file.error()};
        loaded.text = std::move(file->text);
    }
    auto config = validate_config(options, loaded.text, timer, &loaded.warnings);
    if (!config.ok()) return Error{config.error()};
    loaded.config = std::move(*config);
    loaded.digest = plan::text_digest(loaded.text);
    return loaded;
}

Result<Prepared> prepare_loaded(const NetworkOptions& options, const LoadedConfig& config,
                                std::vector<state::LayeredSpecs> leases) {
    PhaseTimer timer;
    auto owned = options.state().load_ownership();
    if (!owned.ok()) return Error{owned.error()};
    return plan_against_kernel(options, config.config, std::move(*owned), std::move(leases), config.digest, {}, {},
                               timer);
}

void record_in_sync(const NetworkOptions& options, const Prepared& p, const plan::Plan& empty_plan,
                    const netlink::SnapshotFilter& filter, const state::KernelState& kernel,
                    const plan::Ownership& owned) {
    if (program_identity().empty() || !empty_plan.empty() || !empty_plan.conflicts.empty()) return;
    if (p.with_leases || !p.dhcp_links.empty()) return;  // leases change on their own: never "in sync" by record
    // Files and names are not in the kernel digest: a config that manages them is planned in full.
    if (p.desired.host != state::HostSettings{} || !owned.resolved_links.empty()) return;
    store::SyncRecord r;
    r.config_digest = p.config_digest;
    r.program = program_identity();
    r.ownership_digest = store::StateDir::ownership_digest(owned);
    r.kernel_digest = plan::kernel_digest(kernel);
    r.links.assign(filter.links.begin(), filter.links.end());
    r.tables.assign(filter.tables.begin(), filter.tables.end());
    r.owned_protocol = filter.owned_protocol;
    r.routes = kernel.routes.size();
    r.desired_warnings = p.warnings;
    r.plan_warnings = empty_plan.warnings;
    (void)options.state().save_sync_record(r);  // only ever saves work; losing it costs a full plan
}

}  // namespace nodenet::engine
