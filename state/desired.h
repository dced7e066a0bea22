// The desired state of the machine's network: every layer's specs, merged.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/validate.h"
#include "state/layers.h"
#include "state/objects.h"

namespace nodenet::state {

struct DesiredResult {
    DesiredState state;
    std::vector<std::string> warnings;  // from every layer, then from the merge
};

// The default layer (empty, see default_layer()) and the configuration layer (specs_from_config),
// merged. Pure: `kernel` is the observed state, read only to resolve device selectors and to
// warn about configured links the kernel does not have. Later layers (DHCP) join the merge here.
// `operator_layers` are the DHCP leases' specs (specs_from_dhcp4), merged between the two.
Result<DesiredResult> desired_state(const config::Config& config, const KernelState& kernel,
                                    std::vector<LayeredSpecs> operator_layers = {});

// Talos's default layer brings `lo` up with 127.0.0.1/8 and runs DHCP on unconfigured physical
// links. nodenet adds neither: it never touches a link the config does not mention, and the kernel
// sets up `lo` itself. The hook stays so that defaults nodenet does want have their layer.
LayeredSpecs default_layer(const config::Config& config, const KernelState& kernel);

}  // namespace nodenet::state
