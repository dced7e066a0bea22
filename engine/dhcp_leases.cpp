#include "engine/dhcp_leases.h"

#include "common/hex_bytes.h"
#include "dhcp/io/lease_file.h"
#include "dhcp/io/runner.h"
#include "dhcp/io/runner6.h"
#include "state/from_dhcp4.h"
#include "state/from_dhcp6.h"

namespace nodenet::engine {

namespace {

state::Dhcp4LayerOptions layer_options(const state::Dhcp4Link& l) { return {l.route_metric, false, l.ignore_hostname}; }

}  // namespace

// The client identifier as the config asks; validation has already refused a duidRaw that is not hex.
dhcp::ClientConfig client_config(const state::Dhcp4Link& l) {
    dhcp::ClientConfig c;
    c.client_id = l.client_id == state::DhcpClientId::None ? dhcp::ClientIdMode::None
                  : l.client_id == state::DhcpClientId::Mac ? dhcp::ClientIdMode::Mac
                                                            : dhcp::ClientIdMode::Duid;
    c.duid = parse_hex_bytes(l.duid_hex).value_or(std::vector<uint8_t>{});
    c.hostname = l.hostname;
    return c;
}

Result<dhcp::v6::ClientConfig> client6_config(const state::Dhcp6Link& l) {
    dhcp::v6::ClientConfig c;
    if (l.duid_hex.empty()) return c;  // DUID-LL of the link's MAC
    auto duid = parse_hex_bytes(l.duid_hex);
    if (!duid || duid->size() < 3 || duid->size() > dhcp::v6::kMaxDuidSize)
        return Error{l.link + ": " + l.source + ": DUID \"" + l.duid_hex + "\" is not 3 to 130 hex bytes"};
    c.duid = std::move(*duid);
    return c;
}

state::LayeredSpecs lease_layer(const state::Dhcp4Link& link, const dhcp::Lease& lease, dhcp::TimePoint now) {
    return state::specs_from_dhcp4(link.link, lease, layer_options(link), now);
}

state::LayeredSpecs lease_layer(const state::Dhcp6Link& link, const dhcp::v6::Lease& lease, dhcp::TimePoint now) {
    return state::specs_from_dhcp6(link.link, lease, link.route_metric, now);
}

std::vector<state::LayeredSpecs> persisted_lease_layers(const NetworkOptions& options, const state::DhcpLinks& links) {
    std::vector<state::LayeredSpecs> layers;
    auto now = dhcp::Clock::now();
    auto wall = std::chrono::system_clock::now();
    for (const state::Dhcp6Link& l : links.v6) {
        auto lease = dhcp::io::load_lease6(dhcp::io::lease6_file(options.state().path(), l.link), now, wall);
        if (!lease.ok() || !*lease || (*lease)->expires_at() <= now) continue;
        layers.push_back(state::specs_from_dhcp6(l.link, **lease, l.route_metric, now));
    }
    for (const state::Dhcp4Link& l : links.v4) {
        auto lease = dhcp::io::load_lease(dhcp::io::lease_file(options.state().path(), l.link), now, wall);
        if (!lease.ok() || !*lease || (*lease)->expires_at() <= now) continue;
        layers.push_back(state::specs_from_dhcp4(l.link, **lease, layer_options(l), now));
    }
    return layers;
}

Result<std::vector<state::LayeredSpecs>> obtain_lease_layers(const NetworkOptions& options,
                                                             const state::DhcpLinks& links,
                                                             std::chrono::seconds timeout) {
    std::vector<state::LayeredSpecs> layers;
    for (const state::Dhcp6Link& l : links.v6) {
        auto config = client6_config(l);
        if (!config.ok()) return Error{config.error()};
        dhcp::io::Runner6Options r;
        r.iface = l.link;
        r.client = std::move(*config);
        r.lease_file = dhcp::io::lease6_file(options.state().path(), l.link);
        r.once = true;
        r.timeout = timeout;
        auto outcome = dhcp::io::run_client6(std::move(r));
        if (!outcome.ok()) return Error{outcome.error()};
        if (!outcome->lease) return Error{l.link + ": no DHCPv6 lease"};
        layers.push_back(state::specs_from_dhcp6(l.link, *outcome->lease, l.route_metric, dhcp::Clock::now()));
    }
    for (const state::Dhcp4Link& l : links.v4) {
        dhcp::io::RunnerOptions r;
        r.iface = l.link;
        r.client = client_config(l);
        r.lease_file = dhcp::io::lease_file(options.state().path(), l.link);
        r.once = true;
        r.timeout = timeout;
        auto outcome = dhcp::io::run_client(std::move(r));
        if (!outcome.ok()) return Error{outcome.error()};
        if (!outcome->lease) return Error{l.link + ": no DHCP lease"};
        layers.push_back(state::specs_from_dhcp4(l.link, *outcome->lease, layer_options(l), dhcp::Clock::now()));
    }
    return layers;
}

}  // namespace nodenet::engine
