#include "engine/transaction.h"

#include <iostream>
#include <set>

#include "engine/phase_timer.h"
#include "dns/io/host_files.h"
#include "netlink/kernel_features.h"
#include "plan/render.h"

namespace nodenet::engine {

namespace {

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
    u.resolved_links.insert(b.resolved_links.begin(), b.resolved_links.end());
    return u;
}

// The systemd-resolved links nodenet has set after these host operations.
std::set<std::string> resolved_after(std::set<std::string> links, const std::vector<plan::HostOperation>& ops) {
    for (const plan::HostOperation& op : ops) {
        if (auto* s = std::get_if<plan::SetLinkDns>(&op.change)) links.insert(s->link);
        if (auto* r = std::get_if<plan::RevertLinkDns>(&op.change)) links.erase(r->link);
    }
    return links;
}

bool same(const plan::Ownership& a, const plan::Ownership& b) {
    return store::StateDir::ownership_digest(a) == store::StateDir::ownership_digest(b);
}

}  // namespace

std::string describe_restore(const netlink::ConvergeResult& r) {
    if (r.converged) return "rolled back; the kernel is as it was before";
    return "ROLLBACK FAILED (" + (r.failure ? r.failure->message : std::string("did not converge")) +
           "); the kernel holds part of the change: run `nodenet plan` to see what";
}

Result<Applied> run_transaction(const NetworkOptions& options, Prepared& p) {
    plan::Ownership after = owned_after(p.owned, p.plan.operations, !netlink::kernel_keeps_address_protocol());
    after.resolved_links = resolved_after(p.owned.resolved_links, p.plan.host_operations);
    std::vector<plan::HostOperation> host_ops = std::move(p.plan.host_operations);
    Applied a;
    a.either = union_of(p.owned, after);
    // Recorded before the kernel changes: a crash mid-apply must not leave an unrecorded link.
    // (Unchanged, as when only addresses and routes are added, it needs no write and no fsync.)
    if (auto s = same(a.either, p.owned) ? success() : options.state().save_ownership(a.either); !s.ok())
        return Error{s.error() + "; nothing was changed"};
    PhaseTimer timer;
    a.result = netlink::converge(p.desired, a.either, std::move(p.plan));
    timer.mark("execute, verify");
    const netlink::ConvergeResult& c = a.result;
    if (!c.converged) {
        std::string why = "apply failed: " + (c.failure ? c.failure->message
                                                        : "the kernel still differs after " + std::to_string(c.rounds) +
                                                              " rounds:\n" + plan::render_text(c.remaining, false));
        netlink::ConvergeResult back = netlink::restore(p.kernel, p.desired, p.owned, a.either);
        (void)options.state().save_ownership(back.converged ? p.owned : a.either);
        return Error{why + "\nnodenet: " + describe_restore(back)};
    }
    // Names and files last: they point at addresses and links the kernel now has. A failure here
    // undoes the host operations done and takes the kernel back too.
    dns::HostWriter host(options.root, p.resolved.get());
    if (Status s = host.apply(host_ops); !s.ok()) {
        netlink::ConvergeResult back = netlink::restore(p.kernel, p.desired, p.owned, a.either);
        (void)options.state().save_ownership(back.converged ? p.owned : a.either);
        return Error{"apply failed: " + s.error() + "\nnodenet: " + describe_restore(back)};
    }
    a.host_done = std::move(host_ops);
    timer.mark("files, names");
    plan::Ownership owned_now = owned_after(p.owned, c.executed, false);
    owned_now.recorded_addresses = plan::recorded_addresses_after(p.owned, c.executed, c.kernel);
    owned_now.resolved_links = after.resolved_links;
    if (!same(owned_now, a.either)) (void)options.state().save_ownership(owned_now);
    record_in_sync(options, p, c.remaining, netlink::managed_filter(p.desired, a.either), c.kernel, owned_now);
    timer.mark("record");
    return a;
}

}  // namespace nodenet::engine
