// The two calls the apply code needs on a WireGuard device, whoever runs it: the kernel (generic
// netlink) or a userspace daemon (wireguard-go's UAPI socket). `wg` chooses the same way.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "wireguard/device.h"
#include "wireguard/genl_client.h"
#include "wireguard/patch.h"
#include "wireguard/uapi_client.h"

namespace nodenet::wireguard {

class Backend {
public:
    virtual ~Backend() = default;
    // The device's configuration, with each peer's stats and the endpoint it uses now.
    virtual Result<DeviceConfig> read(const std::string& iface) = 0;
    // Writes `patch` as it is, even an empty one.
    virtual Status write(const std::string& iface, const DevicePatch& patch) = 0;
    virtual std::string name() const = 0;  // "kernel", "userspace": for logs

    // Makes the device `desired`. With `actual` (the device as last read): only device_patch(desired,
    // *actual) is written, and nothing at all when it is empty, so that unchanged peers keep their
    // sessions. Without: every peer is replaced (replacement()), and sessions restart.
    Status configure(const std::string& iface, const DeviceConfig& desired, const DeviceConfig* actual = nullptr);
};

// The kernel's WireGuard, in the network namespace of the calling thread. The generic netlink
// socket is opened on first use, so that a kernel without WireGuard fails there, naming the device.
class Kernel : public Backend {
public:
    Result<DeviceConfig> read(const std::string& iface) override;
    Status write(const std::string& iface, const DevicePatch& patch) override;
    std::string name() const override { return "kernel"; }

private:
    Status ensure_open(const std::string& iface, const char* op);
    std::optional<GenlClient> client_;
};

// A userspace daemon listening on <run_dir>/<iface>.sock.
class Userspace : public Backend {
public:
    explicit Userspace(UapiClient client = UapiClient()) : client_(std::move(client)) {}
    Result<DeviceConfig> read(const std::string& iface) override { return client_.get(iface); }
    Status write(const std::string& iface, const DevicePatch& patch) override { return client_.set(iface, patch); }
    std::string name() const override { return "userspace"; }

private:
    UapiClient client_;
};

// Whether a userspace daemon runs the device: <run_dir>/<iface>.sock exists. (Such a device reads
// back from rtnetlink as a plain tun link.)
bool runs_in_userspace(const std::string& iface, const std::filesystem::path& run_dir = kDefaultRunDir);

// Userspace when runs_in_userspace(iface), else the kernel.
std::unique_ptr<Backend> backend_for(const std::string& iface, const std::filesystem::path& run_dir = kDefaultRunDir);

}  // namespace nodenet::wireguard
