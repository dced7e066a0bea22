// One apply, all or nothing: what nodenet will own is recorded first, the plan is converged, and
// on failure the kernel is converged back to the state read before. Shared by `apply` and by the
// DHCP client's lease changes.
#pragma once

#include <string>

#include "engine/network_pipeline.h"
#include "netlink/converge.h"

namespace nodenet::engine {

struct Applied {
    netlink::ConvergeResult result;
    plan::Ownership either;  // what nodenet owned before or after: the scope of a later revert
    // Files written, host name set, systemd-resolved links changed: what a later revert undoes.
    std::vector<plan::HostOperation> host_done;
};

// Runs `p.plan` (consumed). The error says what failed and whether the rollback worked.
Result<Applied> run_transaction(const NetworkOptions& options, Prepared& p);

// "rolled back; the kernel is as it was before", or what is left when the rollback failed.
std::string describe_restore(const netlink::ConvergeResult& r);

}  // namespace nodenet::engine
