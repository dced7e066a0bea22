// A routing rule for the rule tests of the plan and of apply: KubeSpan's (fwmark 0x40/0x60 at
// priority 32500), the rule nodenet installs most.
#pragma once

#include <cstdint>

#include "state/objects.h"

namespace nodenet::rule_fixtures {

inline state::RoutingRule kubespan(state::Family family, uint32_t table = 180) {
    state::RoutingRule r;
    r.family = family;
    r.priority = 32500;
    r.table = table;
    r.fwmark = 0x40;
    r.fwmask = 0x60;
    r.origin.source = "kubespan";
    return r;
}

}  // namespace nodenet::rule_fixtures
