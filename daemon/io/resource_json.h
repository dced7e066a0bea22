// The JSON form of the resources `nodenet get` shows from the daemon, in Talos's names: every
// resource is {metadata: {namespace, type, id, version}, spec: {...}}.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/ip.h"

namespace nodenet::daemon::io {

nlohmann::ordered_json resource_metadata(const char* ns, const char* type, const std::string& id, uint64_t version);
nlohmann::ordered_json ip_list(const std::vector<state::IpAddress>& list);
nlohmann::ordered_json prefix_list(const std::vector<state::IpPrefix>& list);

}  // namespace nodenet::daemon::io
