// The kernel backend for real, in a throwaway network namespace: a device created with `ip link add
// type wireguard`, configured over generic netlink, read back with `wg show dump` and with get().
// Skipped, with the reason, on kernels without WireGuard; the error nodenet then gives is checked.
#include <gtest/gtest.h>

#include "tests/netlink/netns.h"
#include "tests/wireguard/wg_dump.h"
#include "wireguard/backend.h"
#include "wireguard/genl_client.h"

namespace nodenet::wireguard {
namespace {

using testing::expect_dump_shows;

constexpr const char* kNoModule = "kernel has no WireGuard module (generic netlink family \"wireguard\" not found)";

Key key_of(uint8_t fill) {
    Key k;
    k.bytes.fill(fill);
    return k;
}

// A device whose allowed IPs take several requests: `limit` is the kernel backend's default.
DeviceConfig device(size_t ips_per_peer) {
    DeviceConfig d;
    d.private_key = key_of(0x31);
    d.listen_port = 51820;
    d.firewall_mark = 7;
    for (uint8_t i = 0; i < 3; ++i) {
        PeerConfig p;
        p.public_key = *public_key(key_of(static_cast<uint8_t>(0x40 + i)));
        if (i == 0) p.preshared_key = key_of(0x55);
        if (i == 1) p.endpoint = "192.0.2." + std::to_string(i) + ":51820";
        if (i == 2) p.endpoint = "[2001:db8::2]:4500";
        p.persistent_keepalive_seconds = i == 0 ? 25 : 0;
        for (size_t j = 0; j < ips_per_peer; ++j)
            p.allowed_ips.push_back(*state::parse_ip_prefix("10." + std::to_string(i) + "." + std::to_string(j / 256) +
                                                            "." + std::to_string(j % 256) + "/32"));
        d.peers.push_back(p);
    }
    return d;
}

TEST(WireguardKernel, WithoutTheModuleTheErrorSaysSo) {
    if (kernel_has_wireguard()) GTEST_SKIP() << "this kernel has WireGuard";
    Kernel kernel;
    EXPECT_EQ(kernel.read("wg0").error(), std::string("wg0: genl get: ") + kNoModule);
    EXPECT_EQ(kernel.configure("wg0", DeviceConfig{}).error(), std::string("wg0: genl set: ") + kNoModule);
}

TEST(WireguardKernel, ConfiguresAndReadsBackADevice) {
    NODENET_NETNS_OR_SKIP(ns);
    if (!kernel_has_wireguard()) GTEST_SKIP() << kNoModule;
    const std::string name = "wgtest0";
    ns.must("link add " + name + " type wireguard");
    // 3 peers x 2,000 allowed IPs: several requests, and a dump of several messages.
    for (size_t ips : {size_t{2}, size_t{2000}}) {
        DeviceConfig want = device(ips);
        std::string result = ns.in_child([&] {
            Kernel kernel;
            if (Status s = kernel.configure(name, want); !s) return s.error();
            auto back = kernel.read(name);
            if (!back) return back.error();
            return *back == want ? std::string() : std::string("read back differs");
        });
        EXPECT_EQ(result, "") << ips << " allowed IPs per peer";
        auto dump = ns.run({"wg", "show", name, "dump"});
        ASSERT_EQ(dump.exit_code, 0) << dump.err;
        expect_dump_shows(dump.out, want);
    }
    std::string missing = ns.in_child([] {
        Kernel kernel;
        auto r = kernel.read("nosuchwg");
        return r.ok() ? std::string("read a device that does not exist") : r.error();
    });
    EXPECT_EQ(missing.rfind("nosuchwg: genl get: No such device", 0), 0u) << missing;
}

}  // namespace
}  // namespace nodenet::wireguard
