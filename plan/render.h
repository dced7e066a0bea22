// A plan as people read it (grouped by link, like `terraform plan`) and as JSON.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plan/operation.h"

namespace nodenet::plan {

// One line per operation: "+ address 10.0.0.5/24", "~ mtu 1500 -> 9000", "- route ...",
// "+ rule 32500: from all fwmark 0x40/0x60 lookup 180" (as `ip rule` prints it).
std::string describe(const Operation& op);

std::string render_text(const Plan& plan, bool color);
nlohmann::json render_json(const Plan& plan);

}  // namespace nodenet::plan
