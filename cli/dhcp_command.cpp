#include "cli/dhcp_command.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/dhcp_apply.h"
#include "cli/lease_view.h"
#include "common/hex_bytes.h"
#include "cli/network_options.h"
#include "dhcp/dhcp4_options.h"
#include "dhcp/io/lease_file.h"
#include "dhcp/io/runner.h"
#include "dhcp/io/runner6.h"

namespace nodenet::cli {

using engine::LeaseSink;
using engine::NetworkOptions;
using engine::make_apply_sink;

namespace {

constexpr uint32_t kDefaultRouteMetric = 1024;  // Talos's default for DHCP routes
constexpr int kUsage = 2;                        // as for any other wrong usage

struct DhcpArgs {
    std::string iface;
    bool once = false;
    bool apply = false;
    bool release = false;
    bool probe = false;
    bool ipv6 = false;
    bool rapid_commit = false;
    int timeout = 30;
    std::string client_id = "mac";
    std::string duid;
    std::string hostname;
    uint32_t metric = kDefaultRouteMetric;
    NetworkOptions network;  // -c, --state-dir, --root, -o
};

Result<dhcp::ClientConfig> client_config(const DhcpArgs& a) {
    dhcp::ClientConfig c;
    c.client_id = a.client_id == "none"   ? dhcp::ClientIdMode::None
                  : a.client_id == "duid" ? dhcp::ClientIdMode::Duid
                                          : dhcp::ClientIdMode::Mac;
    if (c.client_id == dhcp::ClientIdMode::Duid) {
        if (a.duid.empty()) return Error{"--client-id duid needs --duid HEX"};
        auto duid = parse_hex_bytes(a.duid);
        if (!duid) return Error{"--duid \"" + a.duid + "\": not hex bytes like 00:01:ab"};
        // Option 61 holds 2 to 255 bytes (RFC 2132 §9.14).
        if (duid->size() < 2 || duid->size() > 255) return Error{"--duid: 2 to 255 bytes, not " + std::to_string(duid->size())};
        c.duid = std::move(*duid);
    } else if (!a.duid.empty()) {
        return Error{"--duid is used only with --client-id duid"};
    }
    if (!a.hostname.empty()) {
        if (!dhcp::valid_dns_name(a.hostname)) return Error{"--hostname \"" + a.hostname + "\": not a valid host name"};
        c.hostname = a.hostname;
    }
    c.send_release = a.release;
    c.probe_address = a.probe;
    return c;
}

void print_lease(const DhcpArgs& a, const dhcp::Lease& lease) {
    if (a.network.output == "json")
        std::cout << lease_json(a.iface, lease).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                  << '\n';
    else
        std::cout << lease_text(a.iface, lease);
}

void print_lease(const DhcpArgs& a, const dhcp::v6::Lease& lease) {
    if (a.network.output == "json")
        std::cout << lease6_json(a.iface, lease).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                  << '\n';
    else
        std::cout << lease6_text(a.iface, lease);
}

// The runner's leases, handed to the plan/apply path; `Handler` is the runner's interface
// (dhcp::io::LeaseHandler or Lease6Handler) and `L` its lease.
template <class Handler, class L>
class SinkHandler : public Handler {
public:
    SinkHandler(LeaseSink& sink, std::string iface) : sink_(sink), iface_(std::move(iface)) {}
    Status apply(const L& lease) override { return sink_.apply(iface_, lease); }
    Status remove(const L& lease) override { return sink_.remove(iface_, lease); }

private:
    LeaseSink& sink_;
    std::string iface_;
};

// One run of either client: the apply sink with --apply, the loop, and --once's lease printed.
template <class Handler, class L, class Options, class Run>
int run_client_loop(const DhcpArgs& a, Options options, Run run) {
    std::unique_ptr<LeaseSink> sink;
    std::optional<SinkHandler<Handler, L>> handler;
    if (a.apply) {
        sink = make_apply_sink(a.network, a.metric);
        handler.emplace(*sink, a.iface);
    }
    options.iface = a.iface;
    options.handler = handler ? &*handler : nullptr;
    options.once = a.once;
    options.timeout = std::chrono::seconds(a.timeout);
    auto outcome = run(std::move(options));
    if (!outcome.ok()) {
        std::cerr << "nodenet: " << outcome.error() << '\n';
        return 1;
    }
    if (!a.once) return 0;
    if (!outcome->lease) {
        std::cerr << "nodenet: " << a.iface << ": stopped before a lease was obtained\n";
        return 1;
    }
    print_lease(a, *outcome->lease);
    std::cout.flush();
    return 0;
}

// DHCPv6 takes the DUID as it is (RFC 8415 §11), DUID-LL when none is given.
Result<dhcp::v6::ClientConfig> client6_config(const DhcpArgs& a) {
    if (a.client_id != "mac") return Error{"--client-id is DHCPv4's option 61; DHCPv6 identifies itself by --duid"};
    if (a.probe) return Error{"--probe is DHCPv4's ARP probe; the kernel checks DHCPv6 addresses (DAD)"};
    if (!a.hostname.empty()) return Error{"--hostname is sent by the DHCPv4 client only"};
    dhcp::v6::ClientConfig c;
    if (!a.duid.empty()) {
        auto duid = parse_hex_bytes(a.duid);
        if (!duid) return Error{"--duid \"" + a.duid + "\": not hex bytes like 00:01:ab"};
        if (duid->size() < 3 || duid->size() > dhcp::v6::kMaxDuidSize)
            return Error{"--duid: a DUID has 3 to 130 bytes, not " + std::to_string(duid->size())};
        c.duid = std::move(*duid);
    }
    c.rapid_commit = a.rapid_commit;
    c.send_release = a.release;
    return c;
}

int run_dhcp6(const DhcpArgs& a) {
    auto config = client6_config(a);
    if (!config.ok()) {
        std::cerr << "nodenet: " << config.error() << '\n';
        return kUsage;
    }
    dhcp::io::Runner6Options options;
    options.client = std::move(*config);
    options.lease_file = dhcp::io::lease6_file(a.network.state().path(), a.iface);
    return run_client_loop<dhcp::io::Lease6Handler, dhcp::v6::Lease>(a, std::move(options), dhcp::io::run_client6);
}

int run_dhcp(const DhcpArgs& a) {
    if (a.ipv6) return run_dhcp6(a);
    if (a.rapid_commit) {
        std::cerr << "nodenet: --rapid-commit is a DHCPv6 option (with -6)\n";
        return kUsage;
    }
    auto config = client_config(a);
    if (!config.ok()) {
        std::cerr << "nodenet: " << config.error() << '\n';
        return kUsage;
    }
    dhcp::io::RunnerOptions options;
    options.client = std::move(*config);
    options.lease_file = dhcp::io::lease_file(a.network.state().path(), a.iface);
    return run_client_loop<dhcp::io::LeaseHandler, dhcp::Lease>(a, std::move(options), dhcp::io::run_client);
}

}  // namespace

void add_dhcp_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<DhcpArgs>();
    CLI::App* cmd = app.add_subcommand("dhcp", "Run the DHCPv4 (or, with -6, DHCPv6) client on a link");
    cmd->add_option("iface", a->iface, "The link")->required();
    cmd->add_flag("-6,--ipv6", a->ipv6, "DHCPv6 (IA_NA) instead of DHCPv4");
    cmd->add_flag("--rapid-commit", a->rapid_commit, "DHCPv6: offer Rapid Commit (Solicit/Reply, two messages)");
    cmd->add_flag("--once", a->once, "Obtain a lease, print it and exit");
    cmd->add_flag("--apply", a->apply, "Configure each lease in the kernel (through the plan, with -c's config)");
    cmd->add_option("--timeout", a->timeout, "With --once: seconds to wait for a lease")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->add_option("-o,--output", a->network.output, "Output format of --once")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_option("--state-dir", a->network.state_dir, "Where nodenet keeps the lease")->capture_default_str();
    cmd->add_option("--root", a->network.root, "Prefix of every file nodenet reads or writes")->capture_default_str();
    add_host_options(*cmd, a->network.host);
    cmd->add_option("--client-id", a->client_id, "Option 61: none, the MAC, or --duid's bytes")
        ->check(CLI::IsMember({"none", "mac", "duid"}))
        ->capture_default_str();
    cmd->add_option("--duid", a->duid, "Hex bytes: option 61 with --client-id duid; the DUID with -6 (default DUID-LL)");
    cmd->add_option("--hostname", a->hostname, "Host name to send (option 12)");
    cmd->add_flag("--release", a->release, "Send DHCPRELEASE and remove the lease on SIGTERM/SIGINT");
    cmd->add_flag("--probe", a->probe, "Probe an offered address with ARP first (RFC 5227); DHCPDECLINE it when another host answers");
    cmd->add_option("--metric", a->metric, "Metric of the routes of the lease (with --apply)")->capture_default_str();
    cmd->add_option("-c,--config", a->network.config_path, "Machine config merged above the lease (with --apply)");
    cmd->callback([a, &exit_code] { exit_code = run_dhcp(*a); });
}

}  // namespace nodenet::cli
