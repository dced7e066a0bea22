// An affiliate's protobuf form (discovery/proto/affiliate.proto, Talos's client messages): what is
// encrypted before it goes to a discovery service. Pure; libprotobuf, so it lives with the service
// client and server in the module nodenet-discovery.so, not in every command's start-up.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "discovery/affiliate.h"

namespace nodenet::discovery {

// The protobuf bytes of the data (everything but the endpoints), as Talos's pbAffiliate builds the
// message: the KubeSpan part only with a public key, the control plane part only with a port.
// libprotobuf writes fields in number order, as Go's marshaller does, so equal affiliates give
// equal bytes in both.
std::string encode_affiliate_data(const Affiliate& affiliate);

// The affiliate in protobuf bytes, checked (check_affiliate). Its endpoints come separately.
Result<Affiliate> decode_affiliate_data(std::string_view bytes);

std::string encode_endpoint(const Endpoint& endpoint);
Result<Endpoint> decode_endpoint(std::string_view bytes);

}  // namespace nodenet::discovery
