#include "discovery/server_snapshot.h"

#include <chrono>

#include "discovery/proto/server_snapshot.pb.h"

namespace nodenet::discovery {

namespace pb = nodenet::discovery::snapshot;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string encode_server_snapshot(const ServerState& state, ServerTime now) {
    pb::ServerSnapshot message;
    for (const auto& [cluster_id, cluster] : state.clusters()) {
        pb::ClusterSnapshot* c = nullptr;
        for (const auto& [id, affiliate] : cluster.affiliates) {
            if (affiliate.expiration <= now) continue;  // gc() has not run yet; it is gone all the same
            if (!c) {
                c = message.add_clusters();
                c->set_id(cluster_id);
            }
            auto* a = c->add_affiliates();
            a->set_id(id);
            a->set_data(affiliate.data);
            a->set_remaining_ttl_ms(duration_cast<milliseconds>(affiliate.expiration - now).count());
            for (const auto& endpoint : affiliate.endpoints) {
                if (endpoint.expiration <= now) continue;
                auto* e = a->add_endpoints();
                e->set_data(endpoint.data);
                e->set_remaining_ttl_ms(duration_cast<milliseconds>(endpoint.expiration - now).count());
            }
        }
    }
    return message.SerializeAsString();
}

Result<ServerState> decode_server_snapshot(std::string_view bytes, ServerTime now) {
    pb::ServerSnapshot message;
    if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return Error{"not a nodenet discovery server snapshot (protobuf does not parse)"};
    ServerState state;
    for (int ci = 0; ci < message.clusters_size(); ++ci) {
        const auto& cluster = message.clusters(ci);
        for (int ai = 0; ai < cluster.affiliates_size(); ++ai) {
            const auto& affiliate = cluster.affiliates(ai);
            auto where = [&] { return "cluster " + std::to_string(ci) + ", affiliate " + std::to_string(ai) + ": "; };
            milliseconds ttl{affiliate.remaining_ttl_ms()};
            if (ttl.count() <= 0) continue;  // expired while written (cannot happen) or since: gone
            std::optional<std::string_view> data;
            if (!affiliate.data().empty()) data = affiliate.data();
            if (auto s = state.update(cluster.id(), affiliate.id(), data, {}, ttl, now); !s.ok())
                return Error{where() + s.message};
            for (const auto& endpoint : affiliate.endpoints()) {
                milliseconds endpoint_ttl{endpoint.remaining_ttl_ms()};
                if (endpoint_ttl.count() <= 0) continue;
                std::string blob = endpoint.data();
                if (auto s = state.update(cluster.id(), affiliate.id(), std::nullopt, {&blob, 1}, endpoint_ttl, now); !s.ok())
                    return Error{where() + s.message};
            }
        }
    }
    return state;
}

}  // namespace nodenet::discovery
