#include "cli/get_command.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "cli/daemon_command.h"
#include "cli/lease_view.h"
#include "cli/resource_view.h"
#include "cli/table_output.h"
#include "cli/yaml_output.h"
#include "cli/network_options.h"
#include "dhcp/io/lease_file.h"
#include "netlink/names.h"
#include "netlink/snapshot.h"

namespace nodenet::cli {

using engine::NetworkOptions;

namespace {

// Keys in the order they are written, so that `name` comes first in JSON and YAML alike.
using Json = nlohmann::ordered_json;
using state::KernelState;

struct GetArgs {
    std::string kind;
    std::string output = "table";
    std::string ns;                         // daemon resources: the namespace (affiliates: cluster-raw)
    std::filesystem::path runtime_dir = default_runtime_dir();
    NetworkOptions files;  // leases: --state-dir and --root
};

Json name_or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json link_name(const KernelState& k, int index) {
    const state::ObservedLink* link = index ? k.link(index) : nullptr;
    return link ? Json(link->name) : Json(nullptr);
}

const char* family_name(state::Family family) { return family == state::Family::V4 ? "inet" : "inet6"; }

Json link_json(const KernelState& k, const state::ObservedLink& l) {
    Json j;
    j["name"] = l.name;
    j["index"] = l.index;
    j["kind"] = name_or_null(l.kind);
    j["up"] = l.up;
    j["carrier"] = l.carrier;
    j["mtu"] = l.mtu;
    j["master"] = link_name(k, l.master_index);
    j["parent"] = link_name(k, l.parent_index);
    j["hardware_addr"] = name_or_null(l.hardware_addr);
    j["permanent_addr"] = name_or_null(l.permanent_addr);
    j["bridge"] = nullptr;
    if (l.bridge) j["bridge"] = Json{{"stp", l.bridge->stp}, {"vlan_filtering", l.bridge->vlan_filtering}};
    j["vlan"] = nullptr;
    if (l.vlan)
        j["vlan"] = Json{{"parent", name_or_null(l.vlan->parent)},
                         {"id", l.vlan->id},
                         {"protocol", l.vlan->q_in_q ? "802.1ad" : "802.1Q"}};
    j["physical"] = l.physical;
    j["driver"] = name_or_null(l.driver);
    j["bus_path"] = name_or_null(l.bus_path);
    j["pci_id"] = name_or_null(l.pci_id);
    return j;
}

Json address_json(const KernelState& k, const state::ObservedAddress& a) {
    Json j;
    j["link"] = link_name(k, a.link_index);
    j["family"] = family_name(a.prefix.family());
    j["address"] = a.prefix.str();
    j["scope"] = netlink::scope_name(a.scope);
    // The kernel sends IFA_PROTO only when someone set it: 0 means "not said", not a protocol.
    j["protocol"] = a.protocol ? Json(netlink::address_protocol_name(a.protocol)) : Json(nullptr);
    j["flags"] = netlink::address_flag_names(a.flags, a.prefix.family());
    j["priority"] = a.priority;
    j["valid_lifetime"] = a.valid_lifetime;
    j["preferred_lifetime"] = a.preferred_lifetime;
    return j;
}

Json route_json(const KernelState& k, const state::ObservedRoute& r) {
    Json j;
    j["table"] = r.table;
    j["family"] = family_name(r.family);
    j["type"] = netlink::route_type_name(r.type);
    j["destination"] = r.destination.str();
    j["gateway"] = r.gateway ? Json(r.gateway->str()) : Json(nullptr);
    j["source"] = r.source ? Json(r.source->str()) : Json(nullptr);
    j["dev"] = link_name(k, r.link_index);
    j["metric"] = r.metric;
    j["protocol"] = netlink::route_protocol_name(r.protocol);
    j["scope"] = netlink::scope_name(r.scope);
    j["mtu"] = r.mtu ? Json(r.mtu) : Json(nullptr);
    return j;
}

Json to_json(const KernelState& k, const std::string& kind) {
    Json array = Json::array();
    if (kind == "links")
        for (const auto& l : k.links) array.push_back(link_json(k, l));
    if (kind == "addresses")
        for (const auto& a : k.addresses) array.push_back(address_json(k, a));
    if (kind == "routes")
        for (const auto& r : k.routes) array.push_back(route_json(k, r));
    return array;
}

// ---- table ----

using Row = TableRow;

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

std::string name_of(const KernelState& k, int index) {
    const state::ObservedLink* link = index ? k.link(index) : nullptr;
    return link ? link->name : "-";
}

std::string lifetime(uint32_t seconds) { return seconds == state::kForeverLifetime ? "forever" : std::to_string(seconds) + "s"; }

std::string joined(const std::vector<std::string>& parts) {
    std::string s;
    for (const std::string& p : parts) s += (s.empty() ? "" : ",") + p;
    return or_dash(s);
}

std::vector<Row> link_rows(const KernelState& k) {
    std::vector<Row> rows{{"NAME", "INDEX", "KIND", "STATE", "CARRIER", "MTU", "MASTER", "MAC"}};
    for (const auto& l : k.links)
        rows.push_back({l.name, std::to_string(l.index), or_dash(l.kind), l.up ? "up" : "down",
                        l.carrier ? "yes" : "no", std::to_string(l.mtu), name_of(k, l.master_index),
                        or_dash(l.hardware_addr)});
    return rows;
}

std::vector<Row> address_rows(const KernelState& k) {
    std::vector<Row> rows{{"LINK", "ADDRESS", "SCOPE", "PROTO", "FLAGS", "VALID", "PREFERRED"}};
    for (const auto& a : k.addresses)
        rows.push_back({name_of(k, a.link_index), a.prefix.str(), netlink::scope_name(a.scope),
                        a.protocol ? netlink::address_protocol_name(a.protocol) : "-",
                        joined(netlink::address_flag_names(a.flags, a.prefix.family())), lifetime(a.valid_lifetime),
                        lifetime(a.preferred_lifetime)});
    return rows;
}

std::vector<Row> route_rows(const KernelState& k) {
    std::vector<Row> rows{{"TABLE", "DESTINATION", "GATEWAY", "DEV", "METRIC", "PROTO", "SCOPE", "TYPE"}};
    for (const auto& r : k.routes)
        rows.push_back({netlink::table_name(r.table), r.destination.len == 0 ? "default" : r.destination.str(),
                        r.gateway ? r.gateway->str() : "-", name_of(k, r.link_index), std::to_string(r.metric),
                        netlink::route_protocol_name(r.protocol), netlink::scope_name(r.scope),
                        netlink::route_type_name(r.type)});
    return rows;
}


// ---- DHCP leases (the state directory's dhcp4-*.json and dhcp6-*.json) ----

struct SavedLease {
    std::string link;
    std::variant<dhcp::Lease, dhcp::v6::Lease> lease;
    std::optional<std::chrono::seconds> remaining;  // nullopt: infinite
};

// Every lease file of the state directory, by link name (DHCPv4 first). A damaged file is reported
// and skipped; `damaged` says that one was.
std::vector<SavedLease> saved_leases(const std::filesystem::path& dir, bool& damaged) {
    std::vector<SavedLease> leases;
    std::error_code ec;
    auto now = dhcp::Clock::now();
    auto wall = std::chrono::system_clock::now();
    auto keep = [&](const std::filesystem::path& path, const std::string& link, auto lease, bool infinite) {
        if (!lease.ok() || !*lease) {
            std::cerr << "nodenet: " << (lease.ok() ? path.string() + ": vanished" : lease.error()) << '\n';
            damaged = true;
            return;
        }
        std::optional<std::chrono::seconds> remaining;
        if (!infinite) remaining = std::chrono::ceil<std::chrono::seconds>((*lease)->expires_at() - now);
        leases.push_back({link, std::move(**lease), remaining});
    };
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        if (auto link = dhcp::io::lease_file_link(name)) {
            auto lease = dhcp::io::load_lease(entry.path(), now, wall);
            keep(entry.path(), *link, lease, lease.ok() && *lease && (*lease)->infinite());
        } else if (auto link6 = dhcp::io::lease6_file_link(name)) {
            auto lease = dhcp::io::load_lease6(entry.path(), now, wall);
            keep(entry.path(), *link6, lease,
                 lease.ok() && *lease && (*lease)->valid == dhcp::v6::kInfiniteDuration);
        }
    }
    std::sort(leases.begin(), leases.end(), [](const auto& a, const auto& b) {
        return std::tuple(a.link, a.lease.index()) < std::tuple(b.link, b.lease.index());
    });
    return leases;
}

std::vector<Row> lease_rows(const std::vector<SavedLease>& leases) {
    std::vector<Row> rows{{"LINK", "ADDRESS", "SERVER", "ROUTES", "DNS", "EXPIRES"}};
    for (const auto& l : leases) {
        std::vector<std::string> routes, dns;
        std::string address, server;
        if (const auto* v4 = std::get_if<dhcp::Lease>(&l.lease)) {
            for (const auto& r : v4->routes()) routes.push_back(route_text(r));
            for (const auto& ip : v4->dns) dns.push_back(ip.str());
            address = v4->address.str();
            server = v4->server_id.str();
        } else {
            const auto& v6 = std::get<dhcp::v6::Lease>(l.lease);
            for (const auto& ip : v6.dns) dns.push_back(ip.str());
            address = v6.address.str() + "/128";
            server = dhcp::v6::hex_colon(v6.server_id);
        }
        rows.push_back({l.link, address, server, joined(routes), joined(dns), remaining_text(l.remaining)});
    }
    return rows;
}

Json leases_json(const std::vector<SavedLease>& leases) {
    Json array = Json::array();
    for (const auto& l : leases) {
        const auto* v4 = std::get_if<dhcp::Lease>(&l.lease);
        Json j = v4 ? lease_json(l.link, *v4) : lease6_json(l.link, std::get<dhcp::v6::Lease>(l.lease));
        j["family"] = v4 ? "ipv4" : "ipv6";
        j["expires_in_seconds"] = l.remaining ? Json(std::max<int64_t>(l.remaining->count(), 0)) : Json(nullptr);
        array.push_back(std::move(j));
    }
    return array;
}

int run_get_leases(const GetArgs& args) {
    bool damaged = false;
    std::vector<SavedLease> leases = saved_leases(args.files.state().path(), damaged);
    if (args.output == "table")
        print_table(std::cout, lease_rows(leases));
    else if (args.output == "json")
        std::cout << leases_json(leases).dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    else
        print_yaml(std::cout, leases_json(leases));
    std::cout.flush();
    return damaged ? 1 : 0;
}

int run_get(const GetArgs& args) {
    if (args.kind == "leases") return run_get_leases(args);
    const auto& resources = daemon_resource_kinds();
    if (std::find(resources.begin(), resources.end(), args.kind) != resources.end())
        return run_get_resources(args.runtime_dir, args.kind, args.ns, args.output);
    netlink::SnapshotFilter filter;
    filter.all = true;
    auto state = netlink::read_kernel_state(filter);
    if (!state.ok()) {
        std::cerr << "nodenet: " << state.error() << '\n';
        return 1;
    }
    if (args.output == "table") {
        print_table(std::cout, args.kind == "links"       ? link_rows(*state)
                               : args.kind == "addresses" ? address_rows(*state)
                                                          : route_rows(*state));
    } else if (args.output == "json") {
        std::cout << to_json(*state, args.kind).dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    } else {
        print_yaml(std::cout, to_json(*state, args.kind));
    }
    std::cout.flush();
    return 0;
}

}  // namespace

void add_get_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<GetArgs>();
    CLI::App* cmd = app.add_subcommand(
        "get", "Show the kernel's links, addresses or routes as nodenet sees them, the DHCP leases it holds, or "
               "what the daemon knows of the cluster (identities, affiliates, members, discoveryconfig, nodeaddresses, "
               "kubespanidentities, kubespanpeerspecs, kubespanpeerstatuses, kubespanendpoints)");
    std::vector<std::string> kinds{"links", "addresses", "routes", "leases"};
    for (const std::string& k : daemon_resource_kinds()) kinds.push_back(k);
    cmd->add_option("kind", args->kind, "What to show")->required()->check(CLI::IsMember(kinds));
    cmd->add_option("--namespace", args->ns, "affiliates: cluster (merged, the default) or cluster-raw (as each service reports them)");
    cmd->add_option("--runtime-dir", args->runtime_dir, "Cluster resources: the daemon's runtime directory (its control socket)")
        ->capture_default_str();
    cmd->add_option("-o,--output", args->output, "Output format")
        ->check(CLI::IsMember({"table", "json", "yaml"}))
        ->capture_default_str();
    cmd->add_option("--state-dir", args->files.state_dir, "leases: where nodenet keeps them")->capture_default_str();
    cmd->add_option("--root", args->files.root, "leases: prefix of every file nodenet reads")->capture_default_str();
    cmd->callback([args, &exit_code] { exit_code = run_get(*args); });
}

}  // namespace nodenet::cli
