// The discovery server's read-only inspect view (`/inspect?clusterID=…`, as Talos's landing page
// has): what anyone holding the cluster ID could List anyway, summarised (IDs, sizes, counts,
// remaining TTLs), never the encrypted bytes themselves. Pure.
#pragma once

#include <string>
#include <string_view>

#include "discovery/server_state.h"

namespace nodenet::discovery {

// {"cluster_id", "affiliates": [{"id", "data_bytes", "endpoints", "expires_in_s",
// "endpoint_expires_in_s": [...]}], "watchers"}; an unknown cluster has no affiliates.
std::string inspect_cluster_json(const ServerState& state, std::string_view cluster_id, ServerTime now);

}  // namespace nodenet::discovery
