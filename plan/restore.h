// The state before an apply, as a desired state: what a rollback converges back to.
#pragma once

#include "plan/diff.h"
#include "state/objects.h"

namespace nodenet::plan {

// From the kernel state read before the apply: the attributes nodenet may change on the links
// `scope` names (up, MTU, master), the logical links nodenet had created, and the addresses and
// routes and rules that carried nodenet's protocol. Planning towards it undoes an apply, including what
// the kernel removed on its own along the way (routes flushed with the address they relied on).
state::DesiredState restore_point(const state::KernelState& before, const state::DesiredState& scope,
                                  const Ownership& owned_before);

}  // namespace nodenet::plan
