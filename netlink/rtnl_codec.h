// Byte level of the snapshot: the rtnetlink dump requests nodenet sends and the decoding of the
// kernel's RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE / RTM_NEWRULE answers into observed objects. No I/O, so that
// kinds this kernel lacks (VLAN) and odd messages (multipath, RTA_VIA, peer addresses) are tested
// on crafted bytes.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "netlink/rtnl_socket.h"
#include "state/objects.h"

namespace nodenet::netlink {

// Every link, without statistics (RTEXT_FILTER_SKIP_STATS): they are most of a link message's size.
NlMsgPtr link_dump_request();

// Addresses of one link (ifindex > 0) or of all links (0).
NlMsgPtr address_dump_request(int ifindex);

// Routes, filtered by the kernel on whatever is non-zero: table, output link, protocol.
struct RouteDumpFilter {
    uint32_t table = 0;
    int oif = 0;
    uint8_t protocol = 0;
};
NlMsgPtr route_dump_request(const RouteDumpFilter& filter);

// Policy routing rules of every family in one dump. The kernel filters rule dumps by family only
// (strict checking refuses any other filter), and hosts hold a handful of rules.
NlMsgPtr rule_dump_request();

// A link as the kernel describes it. `vlan->parent` stays empty: it is a name, resolved once every
// link is known. `parent_index` is 0 when IFLA_LINK names a link of another namespace (a veth peer
// moved away), because the index would name the wrong link here.
Result<state::ObservedLink> decode_link(nlmsghdr* hdr);

// Addresses of other families (MCTP, Phonet…) give nullopt.
Result<std::optional<state::ObservedAddress>> decode_address(nlmsghdr* hdr);

struct DecodedRoute {
    state::ObservedRoute route;
    // Output links of the next hops of a multipath route (RTA_MULTIPATH). Such a route has no single
    // link or gateway: `route.link_index` is 0 and `route.gateway` empty.
    std::vector<int> hop_links;
};

// Other families (multicast routing, MPLS) and cloned/cache entries (RTM_F_CLONED) give nullopt.
Result<std::optional<DecodedRoute>> decode_route(nlmsghdr* hdr);

// Rules of IPv4 and IPv6; those of other families (multicast routing's, RTNL_FAMILY_IPMR) give
// nullopt. A rule without FRA_PRIORITY has priority 0: the kernel leaves the attribute out then.
Result<std::optional<state::ObservedRule>> decode_rule(nlmsghdr* hdr);

}  // namespace nodenet::netlink
