// Applying DHCP leases through the same plan/apply path as static config: a lease becomes the
// DHCP (operator) layer of the desired state, merged under the config's layer.
#pragma once

#include <memory>
#include <string>

#include "engine/network_pipeline.h"
#include "dhcp/dhcp4_lease.h"
#include "dhcp/dhcp6_lease.h"

namespace nodenet::engine {

// Receives what the DHCP client decides: a lease to install (new or renewed) or to take away.
class LeaseSink {
public:
    virtual ~LeaseSink() = default;
    virtual Status apply(const std::string& iface, const dhcp::Lease& lease) = 0;
    virtual Status remove(const std::string& iface, const dhcp::Lease& lease) = 0;
    virtual Status apply(const std::string& iface, const dhcp::v6::Lease& lease) = 0;
    virtual Status remove(const std::string& iface, const dhcp::v6::Lease& lease) = 0;
};

// A sink that plans and applies each change (config layer from options.config_path when set).
std::unique_ptr<LeaseSink> make_apply_sink(const NetworkOptions& options, uint32_t route_metric);

}  // namespace nodenet::engine
