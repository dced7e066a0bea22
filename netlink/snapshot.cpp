#include "netlink/snapshot.h"

#include <linux/rtnetlink.h>

#include <functional>
#include <vector>

#include "netlink/rtnl_codec.h"
#include "netlink/route_census.h"
#include "netlink/rtnl_socket.h"
#include "netlink/sysfs.h"
#include "netlink/wireguard_ops.h"

namespace nodenet::netlink {

namespace {

using state::KernelState;
using state::ObservedAddress;
using state::ObservedLink;
using state::ObservedRoute;

// A dump the kernel flags as inconsistent is run again; a table that changes this often is being
// rewritten by someone else, and an error says so rather than a snapshot that never was.
constexpr int kDumpAttempts = 3;

class Reader {
public:
    Reader(RtnlSocket& socket, SnapshotStats& stats) : socket_(socket), stats_(stats) {}

    bool strict() const { return socket_.strict(); }

    // `restart` undoes what `on_message` kept from an interrupted attempt.
    Status dump(NlMsgPtr request, const std::string& what, const std::function<void()>& restart,
                const MessageHandler& on_message) {
        if (!request) return Error{what + ": out of memory"};
        for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
            restart();
            ++stats_.dump_requests;
            auto outcome = socket_.dump(request.get(), on_message);
            if (!outcome.ok()) return Error{what + ": " + outcome.error()};
            stats_.messages += outcome->messages;
            if (!outcome->interrupted) return success();
        }
        return Error{what + ": the kernel's tables changed during each of " + std::to_string(kDumpAttempts) +
                     " attempts to read them"};
    }

private:
    RtnlSocket& socket_;
    SnapshotStats& stats_;
};

Status read_links(Reader& reader, std::vector<ObservedLink>& links) {
    return reader.dump(
        link_dump_request(), "dump links", [&] { links.clear(); },
        [&](nlmsghdr* hdr) -> Status {
            if (hdr->nlmsg_type != RTM_NEWLINK) return success();
            auto link = decode_link(hdr);
            if (!link.ok()) return Error{link.error()};
            links.push_back(std::move(*link));
            return success();
        });
}

void complete_links(KernelState& state, const std::string& sysfs_root) {
    for (ObservedLink& link : state.links) {
        if (link.vlan && link.parent_index)
            if (const ObservedLink* parent = state.link(link.parent_index)) link.vlan->parent = parent->name;
        read_device_info(sysfs_root, link);
    }
}

Status dump_addresses(Reader& reader, int ifindex, const std::string& what,
                      const std::function<bool(const ObservedAddress&)>& keep, std::vector<ObservedAddress>& out) {
    size_t mark = out.size();
    return reader.dump(
        address_dump_request(ifindex), what, [&] { out.resize(mark); },
        [&](nlmsghdr* hdr) -> Status {
            if (hdr->nlmsg_type != RTM_NEWADDR) return success();
            auto address = decode_address(hdr);
            if (!address.ok()) return Error{address.error()};
            if (*address && keep(**address)) out.push_back(**address);
            return success();
        });
}

Status read_addresses(Reader& reader, const SnapshotFilter& filter, const std::set<int>& managed,
                      KernelState& state) {
    auto keep = [&](const ObservedAddress& a) {
        return filter.all || filter.all_addresses || managed.count(a.link_index) ||
               (filter.owned_protocol != 0 && a.protocol == filter.owned_protocol);
    };
    // The kernel filters address dumps by link only; finding owned addresses anywhere takes them all.
    if (filter.all || filter.all_addresses || filter.owned_protocol != 0 || (!reader.strict() && !managed.empty()))
        return dump_addresses(reader, 0, "dump addresses", keep, state.addresses);
    for (int index : managed) {
        Status status =
            dump_addresses(reader, index, state.link(index)->name + ": dump addresses", keep, state.addresses);
        if (!status.ok()) return status;
    }
    return success();
}

// The managed link a route is read through: its output link, else the first managed next hop.
// Each route belongs to one (table, link) dump this way, even a multipath one over two managed links.
int managed_link_of(const DecodedRoute& d, const std::set<int>& managed) {
    if (managed.count(d.route.link_index)) return d.route.link_index;
    for (int hop : d.hop_links)
        if (managed.count(hop)) return hop;
    return 0;
}

Status dump_routes(Reader& reader, const RouteDumpFilter& request, const std::string& what,
                   const std::function<bool(const DecodedRoute&)>& keep, std::vector<ObservedRoute>& out) {
    size_t mark = out.size();
    return reader.dump(
        route_dump_request(request), what, [&] { out.resize(mark); },
        [&](nlmsghdr* hdr) -> Status {
            if (hdr->nlmsg_type != RTM_NEWROUTE) return success();
            auto route = decode_route(hdr);
            if (!route.ok()) return Error{route.error()};
            if (*route && keep(**route)) out.push_back((*route)->route);
            return success();
        });
}

// The filtered dumps — one per managed (table, link) pair, and one of nodenet's protocol across every
// table for its routes elsewhere — make the kernel fill each owned route of a managed pair twice, and
// walk the main table two or three times. When nearly every route of the namespace is one nodenet
// expects, one dump of everything, kept here, costs about half; when others hold many (a routing
// daemon's full table), the filtered dumps spare reading them. The kernel's route count decides.
bool one_dump_is_cheaper(const SnapshotFilter& filter) {
    constexpr size_t kWorthCounting = 256;  // below, either way takes well under a millisecond
    if (filter.expected_routes < kWorthCounting) return false;
    std::optional<size_t> total = routes_in_namespace();
    return total && *total <= filter.expected_routes + filter.expected_routes / 2;
}

Status read_routes(Reader& reader, const SnapshotFilter& filter, const std::set<int>& managed, KernelState& state) {
    auto managed_here = [&](const DecodedRoute& d) {
        return filter.tables.count(d.route.table) && managed_link_of(d, managed) != 0;
    };
    auto owned = [&](const DecodedRoute& d) {
        return filter.owned_protocol != 0 && d.route.protocol == filter.owned_protocol;
    };
    // Without strict checking the kernel ignores every filter: one dump then costs least.
    if (filter.all || !reader.strict() || one_dump_is_cheaper(filter)) {
        if (!filter.all && (managed.empty() || filter.tables.empty()) && filter.owned_protocol == 0) return success();
        return dump_routes(reader, {}, "dump routes",
                           [&](const DecodedRoute& d) { return filter.all || managed_here(d) || owned(d); },
                           state.routes);
    }
    for (uint32_t table : filter.tables) {
        for (int index : managed) {
            std::string what = state.link(index)->name + ": dump routes of table " + std::to_string(table);
            auto keep = [&](const DecodedRoute& d) {
                return d.route.table == table && managed_link_of(d, managed) == index;
            };
            if (Status status = dump_routes(reader, {table, index, 0}, what, keep, state.routes); !status.ok())
                return status;
        }
    }
    if (filter.owned_protocol == 0) return success();
    std::string what = "dump routes of protocol " + std::to_string(filter.owned_protocol);
    return dump_routes(reader, {0, 0, filter.owned_protocol}, what,
                       [&](const DecodedRoute& d) { return owned(d) && !managed_here(d); }, state.routes);
}

Status read_rules(Reader& reader, std::vector<state::ObservedRule>& rules) {
    return reader.dump(
        rule_dump_request(), "dump rules", [&] { rules.clear(); },
        [&](nlmsghdr* hdr) -> Status {
            if (hdr->nlmsg_type != RTM_NEWRULE) return success();
            auto rule = decode_rule(hdr);
            if (!rule.ok()) return Error{rule.error()};
            if (*rule) rules.push_back(std::move(**rule));
            return success();
        });
}

}  // namespace

Result<KernelState> read_kernel_state(const SnapshotFilter& filter, const std::string& sysfs_root,
                                      SnapshotStats* stats_out) {
    auto socket = RtnlSocket::open();
    if (!socket.ok()) return Error{socket.error()};
    SnapshotStats stats;
    stats.kernel_filtering = socket->strict();
    Reader reader(*socket, stats);

    KernelState state;
    if (Status status = read_links(reader, state.links); !status.ok()) return Error{status.error()};
    complete_links(state, sysfs_root);
    std::set<int> managed;
    for (const std::string& name : filter.links)
        if (const ObservedLink* link = state.link(name)) managed.insert(link->index);
    std::set<int> wireguard_links = managed;
    if (filter.all)
        for (const ObservedLink& l : state.links) wireguard_links.insert(l.index);
    if (Status status = read_wireguard_devices(state, wireguard_links); !status.ok()) return Error{status.error()};
    if (Status status = read_addresses(reader, filter, managed, state); !status.ok()) return Error{status.error()};
    if (Status status = read_routes(reader, filter, managed, state); !status.ok()) return Error{status.error()};
    if (filter.all || filter.rules)
        if (Status status = read_rules(reader, state.rules); !status.ok()) return Error{status.error()};
    if (stats_out) *stats_out = stats;
    return state;
}

}  // namespace nodenet::netlink
