#include "cli/plan_command.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <set>

#include "cli/network_pipeline.h"
#include "cli/phase_timer.h"
#include "netlink/confirm_watchdog.h"
#include "netlink/converge.h"
#include "netlink/kernel_features.h"
#include "plan/render.h"

namespace nodenet::cli {

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
    if (!p.ok()) {
        std::cerr << "nodenet: " << p.error() << '\n';
        return 1;
    }
    int code = p->plan.empty() && p->plan.conflicts.empty() ? 0 : 2;
    print_plan(*p, options.output);
    return code;
}

// What nodenet owns after these operations: created links are added, deleted ones dropped; on a
// kernel that drops IFA_PROTO, every address it adds is recorded (`record_addresses`).
plan::Ownership owned_after(const plan::Ownership& before, const std::vector<plan::Operation>& ops,
                            bool record_addresses) {
    plan::Ownership after;
    std::set<std::string> deleted;
    for (const plan::Operation& op : ops)
        if (auto* d = std::get_if<plan::DeleteLink>(&op.change)) deleted.insert(d->link->name);
    for (const state::Link& l : before.created_links)
        if (!deleted.count(l.name)) after.created_links.push_back(l);
    for (const plan::Operation& op : ops)
        if (auto* c = std::get_if<plan::CreateLink>(&op.change)) after.created_links.push_back(*c->link);
    after.recorded_addresses = before.recorded_addresses;
    for (const plan::Operation& op : ops) {
        if (auto* d = std::get_if<plan::DeleteAddress>(&op.change)) after.recorded_addresses.erase(d->address.key());
        if (auto* a = std::get_if<plan::AddAddress>(&op.change); a && record_addresses)
            after.recorded_addresses.insert(a->address.key());
    }
    return after;
}

plan::Ownership union_of(const plan::Ownership& a, const plan::Ownership& b) {
    plan::Ownership u = a;
    std::set<std::string> names;
    for (const state::Link& l : a.created_links) names.insert(l.name);
    for (const state::Link& l : b.created_links)
        if (names.insert(l.name).second) u.created_links.push_back(l);
    u.recorded_addresses.insert(b.recorded_addresses.begin(), b.recorded_addresses.end());
    return u;
}

std::string describe_restore(const netlink::ConvergeResult& r) {
    if (r.converged) return "rolled back; the kernel is as it was before";
    return "ROLLBACK FAILED (" + (r.failure ? r.failure->message : std::string("did not converge")) +
           "); the kernel holds part of the change: run `nodenet plan` to see what";
}

std::filesystem::path confirm_pid_file(const NetworkOptions& o) { return o.state().path() / "confirm.pid"; }

// Converges the kernel to the config. On failure, converges it back to how it was.
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
    plan::Ownership after = owned_after(p->owned, p->plan.operations, !netlink::kernel_keeps_address_protocol());
    plan::Ownership either = union_of(p->owned, after);
    auto same = [](const plan::Ownership& a, const plan::Ownership& b) {
        return store::StateDir::ownership_digest(a) == store::StateDir::ownership_digest(b);
    };
    // Recorded before the kernel changes: a crash mid-apply must not leave an unrecorded link.
    // (Unchanged, as when only addresses and routes are added, it needs no write and no fsync.)
    if (auto s = same(either, p->owned) ? success() : options.state().save_ownership(either); !s.ok()) {
        std::cerr << "nodenet: " << s.error() << "; nothing was changed\n";
        return 1;
    }
    // Shown before it runs, as terraform does: when it fails, the report below says which step.
    print_plan(*p, options.output);
    PhaseTimer timer;
    netlink::ConvergeResult c = netlink::converge(p->desired, either, std::move(p->plan));
    timer.mark("execute, verify");
    if (!c.converged) {
        std::cerr << "nodenet: apply failed: "
                  << (c.failure ? c.failure->message
                                : "the kernel still differs after " + std::to_string(c.rounds) + " rounds:\n" +
                                      plan::render_text(c.remaining, false))
                  << '\n';
        netlink::ConvergeResult back = netlink::restore(p->kernel, p->desired, p->owned, either);
        (void)options.state().save_ownership(back.converged ? p->owned : either);
        std::cerr << "nodenet: " << describe_restore(back) << '\n';
        return 1;
    }
    plan::Ownership owned_now = owned_after(p->owned, c.executed, false);
    owned_now.recorded_addresses = plan::recorded_addresses_after(p->owned, c.executed, c.kernel);
    if (!same(owned_now, either)) (void)options.state().save_ownership(owned_now);
    record_in_sync(options, *p, c.remaining, netlink::managed_filter(p->desired, either), c.kernel, owned_now);
    timer.mark("record");
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    std::cout << "Applied " << c.executed.size() << " operation(s) with " << c.requests << " netlink request(s) in "
              << static_cast<int>(ms + 0.5) << " ms; the kernel matches the config.\n";
    if (options.confirm_timeout <= 0) return 0;
    const Prepared& before = *p;
    auto revert = [&before, &either, &options] {
        netlink::ConvergeResult back = netlink::restore(before.kernel, before.desired, before.owned, either);
        if (back.converged) (void)options.state().save_ownership(before.owned);
        return describe_restore(back);
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
    cmd->callback([options, &exit_code] { exit_code = run_apply(*options); });
}

void add_confirm_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<NetworkOptions>();
    CLI::App* cmd = app.add_subcommand("confirm", "Keep the change of an apply --confirm-timeout");
    cmd->add_option("--state-dir", options->state_dir, "Where nodenet keeps what it created")->capture_default_str();
    cmd->add_option("--root", options->root, "Prefix of every file nodenet reads or writes")->capture_default_str();
    cmd->callback([options, &exit_code] { exit_code = run_confirm(*options); });
}

}  // namespace nodenet::cli
