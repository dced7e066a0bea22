#include "cli/dhcp_leases.h"

#include "common/hex_bytes.h"
#include "dhcp/io/lease_file.h"
#include "dhcp/io/runner.h"
#include "state/from_dhcp4.h"

namespace nodenet::cli {

namespace {

state::Dhcp4LayerOptions layer_options(const state::Dhcp4Link& l) { return {l.route_metric, false}; }

// The client identifier as the config asks; validation has already refused a duidRaw that is not hex.
dhcp::ClientConfig client_config(const state::Dhcp4Link& l) {
    dhcp::ClientConfig c;
    c.client_id = l.client_id == state::DhcpClientId::None ? dhcp::ClientIdMode::None
                  : l.client_id == state::DhcpClientId::Mac ? dhcp::ClientIdMode::Mac
                                                            : dhcp::ClientIdMode::Duid;
    c.duid = parse_hex_bytes(l.duid_hex).value_or(std::vector<uint8_t>{});
    return c;
}

}  // namespace

std::vector<state::LayeredSpecs> persisted_lease_layers(const NetworkOptions& options,
                                                        const std::vector<state::Dhcp4Link>& links) {
    std::vector<state::LayeredSpecs> layers;
    auto now = dhcp::Clock::now();
    for (const state::Dhcp4Link& l : links) {
        auto lease = dhcp::io::load_lease(dhcp::io::lease_file(options.state().path(), l.link), now,
                                          std::chrono::system_clock::now());
        if (!lease.ok() || !*lease || (*lease)->expires_at() <= now) continue;
        layers.push_back(state::specs_from_dhcp4(l.link, **lease, layer_options(l), now));
    }
    return layers;
}

Result<std::vector<state::LayeredSpecs>> obtain_lease_layers(const NetworkOptions& options,
                                                             const std::vector<state::Dhcp4Link>& links,
                                                             std::chrono::seconds timeout) {
    std::vector<state::LayeredSpecs> layers;
    for (const state::Dhcp4Link& l : links) {
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

}  // namespace nodenet::cli
