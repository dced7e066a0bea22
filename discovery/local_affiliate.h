// The node's own affiliate (Talos's LocalAffiliateController), built from what the daemon knows:
// its node ID, the kernel's addresses, the host name, the config's machine type and the operating
// system. Pure: every input is passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/affiliate.h"
#include "state/objects.h"

namespace nodenet::discovery {

// The port Talos publishes for a control plane: its local API server port, 6443 unless
// cluster.apiServer says otherwise (nodenet does not read that part of the config).
inline constexpr uint16_t kDefaultApiServerPort = 6443;

// Talos's NodeAddress sets, from the kernel (reference: NodeAddress). `current`: addresses of
// universe scope that are not loopback, multicast or link-local, on links that are up (and, for
// a physical link, have carrier). `routed`: current minus the KubeSpan link's own addresses and
// SideroLink's ULAs (fdae:41e4:649b:9303::/64). Sorted as Go's netip.Addr.Compare sorts (IPv4
// first), one entry per address.
struct NodeAddresses {
    std::vector<IpPrefix> current;
    std::vector<IpPrefix> routed;
};
NodeAddresses node_addresses(const state::KernelState& kernel, std::string_view kubespan_link = "kubespan");

// PRETTY_NAME of an os-release file (shell-quoted value unquoted), "Linux" when it has none.
std::string os_pretty_name(std::string_view os_release);

struct LocalFacts {
    std::string node_id;
    std::vector<IpPrefix> routed_addresses;  // NodeAddresses::routed
    std::string fqdn;                        // host name with its domain
    std::string machine_type;                // machine.type as written ("" and "join" are workers)
    std::string operating_system;            // os_pretty_name(/etc/os-release)
};

// Talos's rules: hostname = the FQDN; nodename = the short host name in lower case (kubelet's
// default, registerWithFQDN off); the control plane's part only on init/controlplane machines.
Affiliate local_affiliate(const LocalFacts& facts);

}  // namespace nodenet::discovery
