// The userspace backend's transport: one request per connection to the UNIX socket a userspace
// WireGuard (wireguard-go) listens on, <run_dir>/<iface>.sock, bounded in time and reply size.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"
#include "wireguard/device.h"
#include "wireguard/patch.h"

namespace nodenet::wireguard {

// Where wireguard-go, boringtun and `wg` put and look for the sockets.
inline const std::filesystem::path kDefaultRunDir = "/var/run/wireguard";
constexpr size_t kMaxUapiReply = 4 << 20;  // about 12,000 peers of wireguard-go with one allowed IP each
constexpr std::chrono::milliseconds kDefaultUapiTimeout{5000};

class UapiClient {
public:
    explicit UapiClient(std::filesystem::path run_dir = kDefaultRunDir,
                        std::chrono::milliseconds timeout = kDefaultUapiTimeout)
        : run_dir_(std::move(run_dir)), timeout_(timeout) {}

    std::filesystem::path socket_path(const std::string& iface) const { return run_dir_ / (iface + ".sock"); }

    // Errors name the device, the operation and what failed:
    // "wg0: uapi get: connect /var/run/wireguard/wg0.sock: No such file or directory".
    Result<DeviceConfig> get(const std::string& iface) const;
    // Writes `patch` in one request (see set_request). The daemon applies lines as it reads them:
    // after a failure, the lines before the bad one stay applied.
    Status set(const std::string& iface, const DevicePatch& patch) const;
    // Replaces the device's whole configuration: set(iface, replacement(config)).
    Status set(const std::string& iface, const DeviceConfig& config) const { return set(iface, replacement(config)); }

private:
    // Sends `request` and returns the reply up to its empty line; the error says what failed.
    Result<std::string> exchange(const std::string& iface, std::string_view request) const;

    std::filesystem::path run_dir_;
    std::chrono::milliseconds timeout_;
};

}  // namespace nodenet::wireguard
