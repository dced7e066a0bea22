// rtnetlink requests for each plan operation, as bytes. Building needs no socket and no root, so
// the messages of link kinds this kernel lacks (bond, VLAN, dummy, WireGuard) are still tested.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "plan/operation.h"

namespace nodenet::netlink {

using Message = std::vector<uint8_t>;  // one nlmsghdr with its payload, NLMSG-aligned

// Link names are resolved to interface indexes when the message is built; a link the plan
// creates is resolved after its creation has been acknowledged.
using IndexOf = std::function<int(const std::string& name)>;

// The requests that carry out `op`, in order (most operations need one; enslaving a link needs
// two, since bonds refuse a link that is up). `seq` numbers them from `first_seq` on.
Result<std::vector<Message>> build_requests(const plan::Operation& op, const IndexOf& index_of, uint32_t first_seq);

}  // namespace nodenet::netlink
