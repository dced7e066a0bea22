// The desired state of the machine's network: every layer's specs, merged.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/validate.h"
#include "state/host_from_config.h"
#include "state/layers.h"
#include "state/objects.h"

namespace nodenet::state {

struct DesiredOptions {
    // The default layer's DNS servers (Talos: 1.1.1.1, 8.8.8.8); they fill in only when a higher
    // layer names a resolver without servers of its own (say, only search domains).
    std::vector<IpAddress> default_nameservers = talos_default_nameservers();
    // `lo` up in the default layer, as Talos's LoopbackLinkController does at boot. The daemon owns
    // the machine's network and sets it; a one-shot apply leaves links the config does not name alone.
    bool loopback_up = false;
};

struct DesiredResult {
    DesiredState state;
    std::vector<std::string> warnings;  // from every layer, then from the merge
};

// The default layer (default_layer()) and the configuration layer (specs_from_config for links,
// addresses and routes, host_specs_from_config for names), merged. Pure: `kernel` is the observed
// state, read only to resolve device selectors and to warn about configured links the kernel does
// not have. `operator_layers` are the DHCP leases' specs (specs_from_dhcp4/6), merged between.
Result<DesiredResult> desired_state(const config::Config& config, const KernelState& kernel,
                                    std::vector<LayeredSpecs> operator_layers = {},
                                    const DesiredOptions& options = {});

// Talos's default layer brings `lo` up with 127.0.0.1/8 and runs DHCP on unconfigured physical
// links. nodenet adds neither: it never touches a link the config does not mention, and the kernel
// sets up `lo` itself. It holds the default DNS servers.
LayeredSpecs default_layer(const DesiredOptions& options);

}  // namespace nodenet::state
