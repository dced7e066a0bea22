// Device selectors resolved against the links the kernel has (reference:
// talos-network-config.md §3.4, talos-network-engine.md §1.1 DeviceConfigSpec).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/model.h"
#include "state/objects.h"

namespace nodenet::state {

// The glob of github.com/ryanuber/go-glob, which Talos uses: `*` is the only wildcard, matching
// is case-sensitive, and an empty pattern matches only the empty string.
bool glob_match(std::string_view pattern, std::string_view subject);

// Names of the links matching every set field of the selector, in the kernel's order.
// Text fields are globs; `physical` is compared as a boolean.
std::vector<std::string> select_links(const config::DeviceSelector& selector, const KernelState& kernel);

// The selector's set fields as `{driver: "ixgbe", physical: true}`, for messages.
std::string describe_selector(const config::DeviceSelector& selector);

// When a selector matches nothing only because of letter case (`hardwareAddr: AA:BB:*` against
// the kernel's lower-case MACs), the links it would match ignoring case; else empty.
std::vector<std::string> links_matching_ignoring_case(const config::DeviceSelector& selector,
                                                      const KernelState& kernel);

}  // namespace nodenet::state
