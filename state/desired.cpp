#include "state/desired.h"

#include "state/from_config.h"

namespace nodenet::state {

LayeredSpecs default_layer(const DesiredOptions& options) {
    LayeredSpecs defaults;
    if (!options.default_nameservers.empty()) defaults.resolvers.push_back(default_resolver(options.default_nameservers));
    if (options.loopback_up) {
        Link lo;
        lo.name = "lo";
        lo.up = true;
        lo.origin = {Layer::Default, "the default layer (lo is always up)"};
        defaults.links.push_back(std::move(lo));
    }
    return defaults;
}

namespace {

// A link nodenet configures but does not create must exist by the time it is applied; saying so
// here lets `plan` show why nothing happens to it.
void warn_missing_links(const DesiredState& state, const KernelState& kernel, std::vector<std::string>& warnings) {
    for (const auto& [name, link] : state.links) {
        if (link.logical()) continue;
        if (!kernel.link(name))
            warnings.push_back("link " + name + " (" + link.origin.source + ") does not exist in the kernel");
    }
}

}  // namespace

Result<DesiredResult> desired_state(const config::Config& config, const KernelState& kernel,
                                    std::vector<LayeredSpecs> operator_layers, const DesiredOptions& options) {
    auto configured = specs_from_config(config, kernel);
    if (!configured) return Error{configured.error()};
    auto host = host_specs_from_config(config);
    if (!host) return Error{host.error()};
    std::vector<LayeredSpecs> layers{default_layer(options), std::move(*host)};
    for (LayeredSpecs& l : operator_layers) layers.push_back(std::move(l));
    layers.push_back(std::move(*configured));

    DesiredResult result;
    for (const LayeredSpecs& l : layers)
        result.warnings.insert(result.warnings.end(), l.warnings.begin(), l.warnings.end());
    result.state = merge(layers, result.warnings);
    warn_missing_links(result.state, kernel, result.warnings);
    return result;
}

}  // namespace nodenet::state
