// `wg show <iface> dump`, the reader of WireGuard devices that nodenet did not write, and the
// field-by-field comparison of what it shows with a DeviceConfig. Header-only (tests/CMakeLists.txt
// compiles only *_test.cpp files).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "wireguard/device.h"
#include "wireguard/key.h"

namespace nodenet::wireguard::testing {

// The tab-separated fields of each line.
inline std::vector<std::vector<std::string>> dump_lines(const std::string& dump) {
    std::vector<std::vector<std::string>> lines;
    std::istringstream in(dump);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> fields;
        std::istringstream f(line);
        for (std::string field; std::getline(f, field, '\t');) fields.push_back(field);
        lines.push_back(fields);
    }
    return lines;
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// The device line: private key, public key, port, fwmark ("off" or hex); then one line per peer:
// public key, preshared key, endpoint, allowed IPs (comma-separated), latest handshake, rx, tx,
// keepalive ("off" or seconds). "(none)" stands for what is not set.
inline void expect_dump_shows(const std::string& dump, const DeviceConfig& want) {
    auto lines = dump_lines(dump);
    ASSERT_EQ(lines.size(), want.peers.size() + 1) << dump;
    const auto& dev = lines[0];
    ASSERT_EQ(dev.size(), 4u) << dump;
    EXPECT_EQ(dev[0], want.private_key ? to_base64(clamped(*want.private_key)) : "(none)");  // as the device keeps it
    EXPECT_EQ(dev[1], want.private_key ? to_base64(*public_key(*want.private_key)) : "(none)");
    EXPECT_EQ(dev[2], std::to_string(want.listen_port));
    std::ostringstream mark;
    mark << "0x" << std::hex << want.firewall_mark;
    EXPECT_EQ(dev[3], want.firewall_mark ? mark.str() : "off");
    for (const PeerConfig& p : want.peers) {
        std::string key = to_base64(p.public_key);
        auto line = std::find_if(lines.begin() + 1, lines.end(), [&](const auto& l) { return !l.empty() && l[0] == key; });
        ASSERT_NE(line, lines.end()) << "peer " << key << " missing from:\n" << dump;
        ASSERT_EQ(line->size(), 8u) << dump;
        const auto& f = *line;
        EXPECT_EQ(f[1], p.preshared_key ? to_base64(*p.preshared_key) : "(none)") << key;
        EXPECT_EQ(f[2], p.endpoint.empty() ? "(none)" : p.endpoint) << key;
        std::vector<std::string> want_ips;
        for (const auto& ip : p.allowed_ips) want_ips.push_back(ip.masked().str());
        std::vector<std::string> shown;
        std::istringstream ips(f[3]);
        for (std::string ip; std::getline(ips, ip, ',');) shown.push_back(ip);
        if (want_ips.empty()) {
            EXPECT_EQ(f[3], "(none)") << key;
        } else {
            EXPECT_EQ(sorted(shown), sorted(want_ips)) << key;
        }
        EXPECT_EQ(f[7], p.persistent_keepalive_seconds ? std::to_string(p.persistent_keepalive_seconds) : "off") << key;
    }
}

}  // namespace nodenet::wireguard::testing
