// An affiliate as a discovery service carries it: protobuf (affiliate.h) encrypted with the
// cluster's key (affiliate_crypto.h). seal_* makes what AffiliateUpdate sends; open_affiliate reads
// what List and Watch return. Pure: the nonce is passed in.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "discovery/affiliate_codec.h"
#include "discovery/affiliate_crypto.h"

namespace nodenet::discovery {

struct SealedAffiliate {
    std::string data;                    // affiliate_data of AffiliateUpdate
    std::vector<std::string> endpoints;  // affiliate_endpoints: one blob per endpoint
};

// The node's own affiliate, checked first. Its endpoints are sealed only when it has KubeSpan, as
// Talos publishes them only then.
Result<SealedAffiliate> seal_affiliate(const ClusterKey& key, const Affiliate& affiliate, const Nonce& nonce);

// Endpoints alone: those harvested for another affiliate, sent under that affiliate's ID.
Result<std::vector<std::string>> seal_endpoints(const ClusterKey& key, std::span<const Endpoint> endpoints);

struct OpenedAffiliate {
    Affiliate affiliate;
    std::vector<std::string> warnings;  // endpoints left out, each with its reason
};

// An affiliate from the service (id, data, endpoints). An error means the whole affiliate is skipped
// and says why (`affiliate 3fQ…: authentication failed (AES-GCM): another cluster's secret, …`);
// an endpoint that cannot be read is left out with a warning, the others are kept (as Talos does).
// The data must name the ID it is published under: Talos always publishes it so, and an affiliate
// claiming another node's ID would be merged into that node.
Result<OpenedAffiliate> open_affiliate(const ClusterKey& key, std::string_view id, std::string_view data,
                                       std::span<const std::string> endpoints);

}  // namespace nodenet::discovery
