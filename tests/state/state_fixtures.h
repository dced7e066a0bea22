// Shared by the tests of state/: configs parsed from YAML text exactly as `nodenet validate` does,
// and a hand-made kernel with a few kinds of links for device selectors to match.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/validate.h"
#include "schema/schema_check.h"
#include "state/layers.h"
#include "state/objects.h"

namespace nodenet::state::testing {

// The config of `text`, which must pass validation (warnings are fine).
inline config::Config parse_config(const std::string& text) {
    static const auto schema = schema::SchemaChecker::load();
    EXPECT_TRUE(schema.ok());
    config::Validation v = config::validate(text, *schema, {});
    for (const config::Diagnostic& d : v.diagnostics.items())
        EXPECT_NE(d.severity, config::Severity::Error) << d.path << ": " << d.message << "\nin:\n" << text;
    return std::move(v.config);
}

// A controlplane v1alpha1 document whose `machine.network` is `network` (indented by 4 spaces).
inline std::string machine_network(const std::string& network) {
    return "version: v1alpha1\nmachine:\n  type: controlplane\n  network:\n" + network;
}

inline ObservedLink observed(std::string name, std::string mac, std::string permanent, std::string driver,
                             std::string bus, std::string pci, bool physical) {
    ObservedLink l;
    l.name = std::move(name);
    l.hardware_addr = std::move(mac);
    l.permanent_addr = std::move(permanent);
    l.driver = std::move(driver);
    l.bus_path = std::move(bus);
    l.pci_id = std::move(pci);
    l.physical = physical;
    return l;
}

// Two virtio NICs, two ixgbe ports (the second already carries the first one's MAC, as a bond
// member does), a veth and the loopback.
inline KernelState test_kernel() {
    KernelState k;
    k.links = {
        observed("lo", "00:00:00:00:00:00", "", "", "", "", false),
        observed("eth0", "52:54:00:12:34:01", "52:54:00:12:34:01", "virtio_net", "0000:00:03.0", "1AF4:1000", true),
        observed("eth1", "52:54:00:12:34:02", "52:54:00:12:34:02", "virtio_net", "0000:00:04.0", "1AF4:1000", true),
        observed("enp1s0f0", "3c:fd:fe:aa:00:01", "3c:fd:fe:aa:00:01", "ixgbe", "0000:01:00.0", "8086:10FB", true),
        observed("enp1s0f1", "3c:fd:fe:aa:00:01", "3c:fd:fe:aa:00:02", "ixgbe", "0000:01:00.1", "8086:10FB", true),
        observed("veth0", "9a:1b:2c:3d:4e:5f", "", "veth", "", "", false),
    };
    for (size_t i = 0; i < k.links.size(); ++i) k.links[i].index = static_cast<int>(i + 1);
    return k;
}

template <class T>
std::vector<T> where(const std::vector<T>& specs, const std::string& link) {
    std::vector<T> out;
    std::copy_if(specs.begin(), specs.end(), std::back_inserter(out), [&](const T& s) { return s.link == link; });
    return out;
}

inline std::vector<Link> links_named(const LayeredSpecs& specs, const std::string& name) {
    std::vector<Link> out;
    std::copy_if(specs.links.begin(), specs.links.end(), std::back_inserter(out),
                 [&](const Link& l) { return l.name == name; });
    return out;
}

inline std::vector<std::string> names_of(const std::vector<Link>& links) {
    std::vector<std::string> out;
    for (const Link& l : links) out.push_back(l.name);
    return out;
}

inline bool any_contains(const std::vector<std::string>& texts, const std::string& part) {
    return std::any_of(texts.begin(), texts.end(),
                       [&](const std::string& t) { return t.find(part) != std::string::npos; });
}

inline IpPrefix prefix(const std::string& text) { return *parse_ip_prefix(text); }
inline IpAddress ip(const std::string& text) { return *parse_ip_address(text); }

}  // namespace nodenet::state::testing
