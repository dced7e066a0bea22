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
#include "wireguard/uapi_client.h"

namespace nodenet::wireguard {

class Backend {
public:
    virtual ~Backend() = default;
    virtual Result<DeviceConfig> read(const std::string& iface) = 0;
    // Makes the device exactly `config`; every peer is replaced, so sessions restart.
    virtual Status configure(const std::string& iface, const DeviceConfig& config) = 0;
    virtual std::string name() const = 0;  // "kernel", "userspace": for logs
};

// The kernel's WireGuard, in the network namespace of the calling thread. The generic netlink
// socket is opened on first use, so that a kernel without WireGuard fails there, naming the device.
class Kernel : public Backend {
public:
    Result<DeviceConfig> read(const std::string& iface) override;
    Status configure(const std::string& iface, const DeviceConfig& config) override;
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
    Status configure(const std::string& iface, const DeviceConfig& config) override {
        return client_.set(iface, config);
    }
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
