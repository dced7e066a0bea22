#include "cli/plan_command.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <set>

#include "engine/dhcp_leases.h"
#include "cli/daemon_command.h"
#include "cli/network_options.h"
#include "config/validate.h"
#include "daemon/io/control_client.h"
#include "daemon/io/daemon.h"
#include "engine/config_file.h"
#include "engine/network_pipeline.h"
#include "engine/phase_timer.h"
#include "engine/transaction.h"
#include "netlink/confirm_watchdog.h"
#include "netlink/converge.h"
#include "plan/render.h"

namespace nodenet::cli {

using engine::NetworkOptions;
using engine::Prepared;
using engine::prepare;
using engine::run_transaction;
using engine::record_in_sync;
using engine::persisted_lease_layers;
using engine::obtain_lease_layers;
using engine::describe_restore;
using engine::revert_host;

namespace {

bool color_out() { return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr; }

// Shows the plan with the desired state's warnings ahead of its own (copied into it: a plan of
// thousands of operations is not worth a copy).
void print_plan(Prepared& p, const std::string& output) {
    p.plan.warnings.insert(p.plan.warnings.begin(), p.warnings.begin(), p.warnings.end());
    const plan::Plan& shown = p.plan;
    if (output == "json")
        std::cout << plan::render_json(shown).dump(2) << '\n';
    else
        std::cout << plan::render_text(shown, color_out());
}

int run_plan(const NetworkOptions& options) {
    auto p = prepare(options);
    // With the leases held, as `apply` starts: else their addresses and routes would show as removals.
    if (p.ok() && !p->dhcp_links.empty()) p = prepare(options, persisted_lease_layers(options, p->dhcp_links));
    if (!p.ok()) {
        std::cerr << "nodenet: " << p.error() << '\n';
        return 1;
    }
    int code = p->plan.empty() && p->plan.conflicts.empty() ? 0 : 2;
    print_plan(*p, options.output);
    return code;
}

std::filesystem::path confirm_pid_file(const NetworkOptions& o) { return o.state().path() / "confirm.pid"; }

// Converges the kernel to the config. On failure, converges it back to how it was.
// One all-or-nothing step of an apply with DHCP links; 0 when the kernel matches.
int apply_step(const NetworkOptions& options, Result<Prepared> p) {
    if (!p.ok()) {
        std::cerr << "nodenet: " << p.error() << '\n';
        return 1;
    }
    for (const std::string& w : p->warnings) std::cerr << "nodenet: warning: " << w << '\n';
    if (!p->plan.conflicts.empty()) {
        print_plan(*p, "text");
        std::cerr << "nodenet: not applied: objects nodenet does not own stand in the way; nothing was changed\n";
        return 1;
    }
    if (p->plan.empty()) return 0;
    print_plan(*p, options.output);
    auto applied = run_transaction(options, *p);
    if (!applied.ok()) {
        std::cerr << "nodenet: " << applied.error() << '\n';
        return 1;
    }
    return 0;
}

// The config's links come up with the leases already held (so held addresses stay), then each DHCP
// link asks its server (INIT-REBOOT or DORA), then the new leases are applied.
int run_apply_with_dhcp(const NetworkOptions& options, const state::DhcpLinks& links) {
    if (options.confirm_timeout > 0) {
        std::cerr << "nodenet: --confirm-timeout with DHCP links is not supported yet; nothing was changed\n";
        return 1;
    }
    if (int rc = apply_step(options, prepare(options, persisted_lease_layers(options, links))); rc != 0) return rc;
    auto leases = obtain_lease_layers(options, links, std::chrono::seconds(options.dhcp_timeout));
    if (!leases.ok()) {
        std::cerr << "nodenet: " << leases.error() << "; the rest of the config is applied\n";
        // A lease refused meanwhile (DHCPNAK) is gone from the state directory: out of the kernel with it.
        (void)apply_step(options, prepare(options, persisted_lease_layers(options, links)));
        return 1;
    }
    if (int rc = apply_step(options, prepare(options, std::move(*leases))); rc != 0) return rc;
    std::cout << "Applied with " << links.size() << " DHCP lease(s); the kernel matches the config.\n";
    return 0;
}

int run_apply(const NetworkOptions& options) {
    auto started = std::chrono::steady_clock::now();
    if (netlink::confirm_pending(confirm_pid_file(options))) {
        std::cerr << "nodenet: an earlier apply waits for `nodenet confirm`; confirm it, or let it revert, first\n";
        return 1;
    }
    auto p = prepare(options);
    if (!p.ok()) {
        std::cerr << "nodenet: " << p.error() << '\n';
        return 1;
    }
    if (!p->dhcp_links.empty()) return run_apply_with_dhcp(options, p->dhcp_links);
    for (const std::string& w : p->warnings) std::cerr << "nodenet: warning: " << w << '\n';
    for (const std::string& w : p->plan.warnings) std::cerr << "nodenet: warning: " << w << '\n';
    if (!p->plan.conflicts.empty()) {
        print_plan(*p, "text");
        std::cerr << "nodenet: not applied: objects nodenet does not own stand in the way; nothing was changed\n";
        return 1;
    }
    if (p->plan.empty()) {
        if (!p->in_sync_by_record)
            record_in_sync(options, *p, p->plan, netlink::managed_filter(p->desired, p->owned), p->kernel, p->owned);
        std::cout << "No changes: the kernel matches the config.\n";
        return 0;
    }
    // Shown before it runs, as terraform does: when it fails, the report below says which step.
    print_plan(*p, options.output);
    auto applied = run_transaction(options, *p);
    if (!applied.ok()) {
        std::cerr << "nodenet: " << applied.error() << '\n';
        return 1;
    }
    const netlink::ConvergeResult& c = applied->result;
    const plan::Ownership& either = applied->either;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    std::cout << "Applied " << c.executed.size() + applied->host_done.size() << " operation(s) with " << c.requests << " netlink request(s) in "
              << static_cast<int>(ms + 0.5) << " ms; the kernel matches the config.\n";
    if (options.confirm_timeout <= 0) return 0;
    const Prepared& before = *p;
    const std::vector<plan::HostOperation>& host_done = applied->host_done;
    auto revert = [&before, &either, &options, &host_done] {
        netlink::ConvergeResult back = netlink::restore(before.kernel, before.desired, before.owned, either);
        if (back.converged) (void)options.state().save_ownership(before.owned);
        std::string files = revert_host(options, host_done);
        return describe_restore(back) + (files.empty() ? "" : "; " + files);
    };
    auto s = netlink::start_confirm_watchdog(revert, std::chrono::seconds(options.confirm_timeout),
                                             confirm_pid_file(options), options.state().path() / "confirm.log");
    if (!s.ok()) {
        std::cerr << "nodenet: " << s.error() << "; reverting now: " << revert() << '\n';
        return 1;
    }
    std::cout << "Run `nodenet confirm` within " << options.confirm_timeout
              << " s to keep this change; otherwise it is reverted.\n";
    return 0;
}

// `nodenet apply` while a daemon runs: one process owns the kernel state, so the config goes to
// the daemon, which validates, plans and applies it (and makes it its own config) and sends back
// what it printed and the exit status.
int apply_through_daemon(const NetworkOptions& options, const std::filesystem::path& runtime_dir) {
    auto file = engine::read_config_file(options.config_path, config::kMaxConfigBytes);
    if (!file.ok()) {
        std::cerr << "nodenet: cannot read " << file.error() << '\n';
        return 1;
    }
    if (file->too_large) {
        std::cerr << "nodenet: " << options.config_path << ": " << config::too_large_message(file->size) << '\n';
        return 1;
    }
    daemon::Request r;
    r.op = daemon::Op::Apply;
    r.config_bytes = file->text.size();
    r.config_path = options.config_path;
    r.confirm_timeout = options.confirm_timeout;
    r.output = options.output;
    return call_daemon(runtime_dir, r, file->text);
}

int confirm_through_daemon(const std::filesystem::path& runtime_dir) {
    daemon::Request r;
    r.op = daemon::Op::Confirm;
    return call_daemon(runtime_dir, r, "");
}

int run_confirm(const NetworkOptions& options) {
    auto s = netlink::confirm(confirm_pid_file(options));
    if (!s.ok()) {
        std::cerr << "nodenet: " << s.error() << '\n';
        return 1;
    }
    std::cout << "Confirmed: the applied change stays.\n";
    return 0;
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<NetworkOptions>();
    CLI::App* cmd = app.add_subcommand("plan", "Show what apply would change in the kernel (needs no root)");
    add_network_options(*cmd, *options);
    cmd->callback([options, &exit_code] { exit_code = run_plan(*options); });
}

void add_apply_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<NetworkOptions>();
    CLI::App* cmd = app.add_subcommand("apply", "Make the kernel match the config, all or nothing");
    add_network_options(*cmd, *options);
    cmd->add_option("--confirm-timeout", options->confirm_timeout,
                    "Revert unless `nodenet confirm` runs within this many seconds")
        ->check(CLI::Range(0, 86400));
    cmd->add_option("--dhcp-timeout", options->dhcp_timeout, "Seconds to wait for each DHCP lease")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    auto runtime_dir = std::make_shared<std::filesystem::path>(default_runtime_dir());
    cmd->add_option("--runtime-dir", *runtime_dir, "A daemon's control socket is looked for here")->capture_default_str();
    cmd->callback([options, runtime_dir, &exit_code] {
        bool daemon_runs = daemon::io::ControlClient::daemon_listening(daemon::io::control_socket_path(*runtime_dir));
        exit_code = daemon_runs ? apply_through_daemon(*options, *runtime_dir) : run_apply(*options);
    });
}

void add_confirm_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<NetworkOptions>();
    CLI::App* cmd = app.add_subcommand("confirm", "Keep the change of an apply --confirm-timeout");
    cmd->add_option("--state-dir", options->state_dir, "Where nodenet keeps what it created")->capture_default_str();
    cmd->add_option("--root", options->root, "Prefix of every file nodenet reads or writes")->capture_default_str();
    auto runtime_dir = std::make_shared<std::filesystem::path>(default_runtime_dir());
    cmd->add_option("--runtime-dir", *runtime_dir, "A daemon's control socket is looked for here")->capture_default_str();
    cmd->callback([options, runtime_dir, &exit_code] {
        bool daemon_runs = daemon::io::ControlClient::daemon_listening(daemon::io::control_socket_path(*runtime_dir));
        exit_code = daemon_runs ? confirm_through_daemon(*runtime_dir) : run_confirm(*options);
    });
}

}  // namespace nodenet::cli
