// The parts of a plan that are not rtnetlink requests: WireGuard devices. Their keys and peers go
// through the kernel's generic netlink family, or the UAPI socket of wireguard-go; where the kernel
// has no WireGuard, a WireGuard link is created by starting wireguard-go, as wg-quick does.
#pragma once

#include <set>

#include "common/result.h"
#include "plan/operation.h"
#include "state/objects.h"

namespace nodenet::netlink {

// Whether `op` runs here rather than as rtnetlink requests.
bool runs_outside_rtnetlink(const plan::Operation& op);

// Runs such an operation; the error names the link and what failed.
Status run_outside_rtnetlink(const plan::Operation& op);

// Reads the configuration of every WireGuard link among `links` (by index) into the snapshot. A
// TUN device with a wireguard-go socket is reported as a "wireguard" link: that is what it is.
Status read_wireguard_devices(state::KernelState& state, const std::set<int>& links);

}  // namespace nodenet::netlink
