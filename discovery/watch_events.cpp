#include "discovery/watch_events.h"

#include "discovery/affiliate_seal.h"
#include "discovery/proto/cluster.pb.h"

namespace nodenet::discovery {

std::vector<ClientEvent> watch_events(const ClusterKey& key, std::string_view own_node_id, std::string_view endpoint,
                                      const sidero::discovery::server::WatchResponse& response, bool is_snapshot) {
    std::vector<ClientEvent> out;
    auto event = [&](ClientEvent::Kind kind) {
        ClientEvent e{};
        e.kind = kind;
        e.endpoint = std::string(endpoint);
        return e;
    };
    if (is_snapshot) out.push_back(event(ClientEvent::Kind::Snapshot));
    for (const auto& pb : response.affiliates()) {
        const std::string& id = pb.id();
        // The node's own affiliate is the daemon's already; an ID no service keeps names nobody.
        if (id == own_node_id || id.empty() || id.size() > kMaxNodeIdBytes) continue;
        if (response.deleted()) {
            ClientEvent removed = event(ClientEvent::Kind::Removed);
            removed.node_id = id;
            out.push_back(std::move(removed));
            continue;
        }
        if (pb.data().empty()) continue;  // endpoints only, harvested by another node: not an affiliate yet
        std::vector<std::string> endpoints(pb.endpoints().begin(), pb.endpoints().end());
        auto opened = open_affiliate(key, id, pb.data(), endpoints);
        if (!opened.ok()) {
            ClientEvent skipped = event(ClientEvent::Kind::Skipped);
            skipped.node_id = id;
            skipped.message = opened.error();
            out.push_back(std::move(skipped));
            continue;
        }
        if (is_snapshot) {
            out.front().affiliates.push_back(std::move(opened->affiliate));
            for (auto& w : opened->warnings) out.front().warnings.push_back(std::move(w));
            continue;
        }
        ClientEvent upsert = event(ClientEvent::Kind::Upsert);
        upsert.affiliates.push_back(std::move(opened->affiliate));
        upsert.warnings = std::move(opened->warnings);
        out.push_back(std::move(upsert));
    }
    return out;
}

}  // namespace nodenet::discovery
