// The kernel backend's transport: a generic netlink socket on the family "wireguard", in the
// network namespace of the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "wireguard/device.h"
#include "wireguard/patch.h"

struct nl_sock;

namespace nodenet::wireguard {

constexpr std::chrono::milliseconds kDefaultGenlTimeout{5000};

// Whether the kernel offers the generic netlink family "wireguard" (the module is loaded or built in;
// resolving it may load the module).
bool kernel_has_wireguard();

class GenlClient {
public:
    // Fails with "kernel has no WireGuard module (…)" when the family is missing.
    static Result<GenlClient> open(std::chrono::milliseconds timeout = kDefaultGenlTimeout);

    // Errors name the device and the operation: "wg0: genl get: No such device".
    Result<DeviceConfig> get(const std::string& iface);
    // Writes `patch`, in as many requests as genl_set_requests makes; they are applied one by one,
    // so a failure may leave the earlier ones applied.
    Status set(const std::string& iface, const DevicePatch& patch);
    // Replaces the device's whole configuration: set(iface, replacement(config)).
    Status set(const std::string& iface, const DeviceConfig& config) { return set(iface, replacement(config)); }

private:
    struct SockDeleter {
        void operator()(nl_sock* sock) const;
    };
    GenlClient() = default;
    Status send_bytes(std::span<const uint8_t> message);
    // One datagram, waiting at most until `deadline`.
    Result<std::vector<uint8_t>> receive(std::chrono::steady_clock::time_point deadline);
    Result<DeviceConfig> get_once(const std::string& iface);

    std::unique_ptr<nl_sock, SockDeleter> sock_;
    uint16_t family_ = 0;
    uint32_t seq_ = 1;
    std::chrono::milliseconds timeout_{kDefaultGenlTimeout};
};

}  // namespace nodenet::wireguard
