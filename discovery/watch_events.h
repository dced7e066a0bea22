// What one WatchResponse of a discovery service tells the daemon, as ClientEvents (reference §4.3,
// §4.4): the first message of a watch is the snapshot, every later one an upsert, or a removal
// (deleted=true, only IDs). Every affiliate is decrypted and checked with open_affiliate; one that
// cannot be read is Skipped with the reason, one without data is left out silently (the service
// creates an affiliate from an endpoint-only update of another node), and the node's own ID is
// ignored. Pure: no gRPC, only the protobuf message.
#pragma once

#include <string_view>
#include <vector>

#include "discovery/affiliate_crypto.h"
#include "discovery/service_client.h"

namespace sidero::discovery::server {
class WatchResponse;
}

namespace nodenet::discovery {

// `endpoint` is copied into every event.
std::vector<ClientEvent> watch_events(const ClusterKey& key, std::string_view own_node_id, std::string_view endpoint,
                                      const sidero::discovery::server::WatchResponse& response, bool is_snapshot);

}  // namespace nodenet::discovery
