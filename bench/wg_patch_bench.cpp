// One step of bench/wg_patch_bench.sh: reads a userspace WireGuard device, moves one peer's allowed
// IPs (peer INDEX, by public key order, between two prefixes so that each run changes something) and
// writes the patch, as a reconciliation does. Prints "peers bytes read_us write_us": the peers the
// request names, its size, and the time of the read and of the write (diff included).
//
//   wg_patch_bench IFACE INDEX [RUN_DIR]
#include <chrono>
#include <cstdio>
#include <string>

#include "wireguard/backend.h"
#include "wireguard/uapi_codec.h"

using namespace nodenet;
using namespace nodenet::wireguard;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s IFACE INDEX [RUN_DIR]\n", argv[0]);
        return 2;
    }
    std::string iface = argv[1];
    size_t index = std::stoul(argv[2]);
    Userspace backend{UapiClient(argc > 3 ? argv[3] : kDefaultRunDir)};

    auto t0 = Clock::now();
    auto actual = backend.read(iface);
    auto t1 = Clock::now();
    if (!actual.ok()) {
        std::fprintf(stderr, "%s\n", actual.error().c_str());
        return 1;
    }
    DeviceConfig desired = normalized(*actual);
    for (PeerConfig& p : desired.peers) p.endpoint.clear();  // what a config names: no roamed endpoints
    if (index >= desired.peers.size()) {
        std::fprintf(stderr, "the device has %zu peers\n", desired.peers.size());
        return 1;
    }
    auto& ips = desired.peers[index].allowed_ips;
    auto a = state::parse_ip_prefix("10.250.0.0/24"), b = state::parse_ip_prefix("10.251.0.0/24");
    ips = {ips.size() == 1 && ips[0] == *a ? *b : *a};

    auto t2 = Clock::now();
    DevicePatch patch = device_patch(desired, *actual);
    Status s = backend.write(iface, patch);
    auto t3 = Clock::now();
    if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.error().c_str());
        return 1;
    }
    auto request = set_request(patch);
    auto us = [](auto d) { return static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()); };
    std::printf("%zu %zu %lld %lld\n", patch.peers.size(), request.ok() ? request->size() : 0, us(t1 - t0), us(t3 - t2));
    return 0;
}
