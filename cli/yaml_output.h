// YAML for people and scripts, written from JSON values: plain scalars only where no YAML 1.1
// reader could take them for something else, everything else double-quoted.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace nodenet::cli {

// A sequence of items ("[]" when empty); `step`: the indentation of each level (2, or 4 as
// talosctl writes resources).
void print_yaml(std::ostream& out, const nlohmann::ordered_json& array, int step = 2);
// One mapping at the top level.
void print_yaml_document(std::ostream& out, const nlohmann::ordered_json& object, int step = 2);

}  // namespace nodenet::cli
