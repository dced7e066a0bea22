#include "discovery/server_inspect.h"

#include <nlohmann/json.hpp>

namespace nodenet::discovery {

namespace {

int64_t seconds_left(ServerTime expiration, ServerTime now) {
    return std::chrono::duration_cast<std::chrono::seconds>(expiration - now).count();
}

}  // namespace

std::string inspect_cluster_json(const ServerState& state, std::string_view cluster_id, ServerTime now) {
    nlohmann::json affiliates = nlohmann::json::array();
    size_t watchers = 0;
    if (auto cluster = state.clusters().find(cluster_id); cluster != state.clusters().end()) {
        watchers = cluster->second.watchers.size();
        for (const auto& [id, affiliate] : cluster->second.affiliates) {
            nlohmann::json endpoint_ttls = nlohmann::json::array();
            for (const auto& e : affiliate.endpoints) endpoint_ttls.push_back(seconds_left(e.expiration, now));
            // IDs are UTF-8 (checked on update), so they are valid JSON strings.
            affiliates.push_back({{"id", id},
                                  {"data_bytes", affiliate.data.size()},
                                  {"endpoints", affiliate.endpoints.size()},
                                  {"expires_in_s", seconds_left(affiliate.expiration, now)},
                                  {"endpoint_expires_in_s", endpoint_ttls}});
        }
    }
    nlohmann::json out{{"cluster_id", std::string(cluster_id)}, {"affiliates", affiliates}, {"watchers", watchers}};
    // The cluster ID comes from the query string and may not be UTF-8: replaced, never thrown.
    return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace nodenet::discovery
