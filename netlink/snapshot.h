// The kernel's links, addresses, routes and policy routing rules as nodenet sees them: one snapshot read through
// rtnetlink dumps. Reading needs no privileges.
//
// Only what nodenet manages is read, and the kernel does the filtering (NETLINK_GET_STRICT_CHK,
// kernel >= 4.20): a host with a full BGP table, or thousands of service addresses on another link,
// costs one kernel-side table walk per dump and sends nothing extra to user space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "common/result.h"
#include "state/objects.h"

namespace nodenet::netlink {

// What to read besides every link (there are few, and device selectors need them all).
//
//   addresses: on a link named in `links`, or carrying IFA_PROTO `owned_protocol` on any link;
//   routes:    in a table of `tables` whose output link (or one of its next hops) is in `links`,
//              or carrying RTPROT `owned_protocol` in any table and on any link;
//   rules:     all of them, IPv4 and IPv6, when `rules` (or `all`) is set: one dump, which the
//              kernel cannot filter. Only plans need them (they find nodenet's own rules by
//              FRA_PROTOCOL), so reads for links or addresses alone do not pay for the dump.
//
// A route of a managed table on an unmanaged link is not read: that is what keeps a BGP table in
// `main` out of the snapshot. The kernel cannot filter addresses by IFA_PROTO, so a non-zero
// `owned_protocol` costs one dump of all addresses (routes are still filtered in the kernel).
struct SnapshotFilter {
    bool all = false;                // everything (for `nodenet get`)
    bool all_addresses = false;      // every link's addresses, whatever `links` says (discovery's node addresses)
    std::set<std::string> links;     // names of links nodenet manages
    std::set<uint32_t> tables;       // routing tables nodenet manages (main = 254)
    uint8_t owned_protocol = 0;      // also include addresses/routes with this IFA_PROTO / RTPROT anywhere
    bool rules = false;              // policy routing rules, all of them
    // How many routes the snapshot is expected to hold (the desired ones, or the last snapshot's): a
    // hint for how to read them, not part of what is read (equal filters read the same whatever it is).
    size_t expected_routes = 0;

    bool operator==(const SnapshotFilter& o) const {
        return all == o.all && all_addresses == o.all_addresses && links == o.links && tables == o.tables &&
               owned_protocol == o.owned_protocol && rules == o.rules;
    }
};

// What the kernel sent, so that a test can tell filtering in the kernel from filtering here.
struct SnapshotStats {
    size_t dump_requests = 0;
    size_t messages = 0;          // RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE and RTM_NEWRULE messages received
    bool kernel_filtering = false;  // NETLINK_GET_STRICT_CHK was accepted
};

// `sysfs_root` is where /sys is mounted (tests pass a fake tree). It must belong to the caller's
// network namespace, as `ip netns exec` arranges; a sysfs entry whose ifindex differs from the
// link's is ignored rather than attributed to the wrong device.
Result<state::KernelState> read_kernel_state(const SnapshotFilter& filter, const std::string& sysfs_root = "/sys",
                                             SnapshotStats* stats = nullptr);

}  // namespace nodenet::netlink
