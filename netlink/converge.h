// Plan, execute, read back, until the kernel matches: an apply is not done when its requests are
// acknowledged, but when a fresh read of the kernel plans nothing more. A few rounds may be
// needed, since the kernel acts on its own along the way (deleting an address flushes the routes
// whose gateway it made reachable).
#pragma once

#include <optional>
#include <vector>

#include "netlink/snapshot.h"
#include "netlink/writer.h"
#include "plan/diff.h"

namespace nodenet::netlink {

// What to read for a desired state: its links and tables, plus everything nodenet owns (its
// addresses, routes and rules wherever they are).
SnapshotFilter managed_filter(const state::DesiredState& desired, const plan::Ownership& owned);

struct ConvergeResult {
    bool converged = false;
    std::optional<Failure> failure;         // an operation the kernel refused, or a read that failed
    std::vector<plan::Operation> executed;  // every operation that took effect, in order
    plan::Plan remaining;                   // what is still different when not converged
    state::KernelState kernel;              // the last read back, which `remaining` was planned against
    size_t requests = 0;
    size_t rounds = 0;
};

// Starts from `first` (planned against the current kernel by the caller).
ConvergeResult converge(const state::DesiredState& desired, const plan::Ownership& owned, plan::Plan first,
                        int max_rounds = 3);

}  // namespace nodenet::netlink

namespace nodenet::netlink {

// Brings the kernel back to how `before` had it, for everything an apply towards `scope` could
// have touched: the rollback of a failed, unverifiable or unconfirmed apply.
ConvergeResult restore(const state::KernelState& before, const state::DesiredState& scope,
                       const plan::Ownership& owned_before, const plan::Ownership& owned_now);

}  // namespace nodenet::netlink
