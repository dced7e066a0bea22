#include "netlink/converge.h"

#include "plan/restore.h"

namespace nodenet::netlink {

SnapshotFilter managed_filter(const state::DesiredState& desired, const plan::Ownership& owned) {
    SnapshotFilter f;
    f.tables.insert(state::kMainTable);
    for (const auto& [name, link] : desired.links) f.links.insert(name);
    for (const auto& [key, a] : desired.addresses) f.links.insert(a.link);
    for (const auto& [key, r] : desired.routes) {
        f.links.insert(r.link);
        f.tables.insert(r.table);
    }
    for (const state::Link& l : owned.created_links) f.links.insert(l.name);
    for (const state::AddressKey& a : owned.recorded_addresses) f.links.insert(std::get<0>(a));
    f.owned_protocol = plan::kNodenetProtocol;
    f.expected_routes = desired.routes.size();
    // Rules are found by protocol too, and the kernel cannot filter their dump: read them all,
    // even for a desired state without rules, to remove the ones nodenet added before.
    f.rules = true;
    return f;
}

ConvergeResult converge(const state::DesiredState& desired, const plan::Ownership& owned, plan::Plan next,
                        int max_rounds) {
    ConvergeResult c;
    for (c.rounds = 0; static_cast<int>(c.rounds) < max_rounds; ++c.rounds) {
        if (next.empty()) {
            c.converged = next.conflicts.empty();
            c.remaining = std::move(next);
            return c;
        }
        ExecuteResult r = execute(next.operations);
        c.requests += r.requests;
        if (r.failure) {
            for (size_t i : r.done) c.executed.push_back(next.operations[i]);
            c.failure = r.failure;
            c.remaining = std::move(next);
            return c;
        }
        for (size_t i : r.done) c.executed.push_back(std::move(next.operations[i]));
        auto kernel = read_kernel_state(managed_filter(desired, owned));
        if (!kernel.ok()) {
            c.failure = Failure{0, "read back the kernel state: " + kernel.error()};
            return c;
        }
        next = plan::make_plan(desired, *kernel, owned);
        c.kernel = std::move(*kernel);
    }
    c.converged = next.empty() && next.conflicts.empty();
    c.remaining = std::move(next);
    return c;
}

}  // namespace nodenet::netlink

namespace nodenet::netlink {

ConvergeResult restore(const state::KernelState& before, const state::DesiredState& scope,
                       const plan::Ownership& owned_before, const plan::Ownership& owned_now) {
    state::DesiredState target = plan::restore_point(before, scope, owned_before);
    SnapshotFilter filter = managed_filter(target, owned_now);
    for (const auto& [name, l] : scope.links) filter.links.insert(name);
    auto now = read_kernel_state(filter);
    if (!now.ok()) {
        ConvergeResult c;
        c.failure = Failure{0, "read the kernel state: " + now.error()};
        return c;
    }
    return converge(target, owned_now, plan::make_plan(target, *now, owned_now));
}

}  // namespace nodenet::netlink
