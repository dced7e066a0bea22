#include "wireguard/backend.h"

#include <system_error>

namespace nodenet::wireguard {

Status Kernel::ensure_open(const std::string& iface, const char* op) {
    if (client_) return success();
    auto client = GenlClient::open();
    if (!client) return Error{iface + ": genl " + op + ": " + client.error()};
    client_.emplace(std::move(*client));
    return success();
}

Result<DeviceConfig> Kernel::read(const std::string& iface) {
    if (Status s = ensure_open(iface, "get"); !s) return Error{s.error()};
    return client_->get(iface);
}

Status Kernel::write(const std::string& iface, const DevicePatch& patch) {
    if (Status s = ensure_open(iface, "set"); !s) return s;
    return client_->set(iface, patch);
}

Status Backend::configure(const std::string& iface, const DeviceConfig& desired, const DeviceConfig* actual) {
    if (!actual) return write(iface, replacement(desired));
    DevicePatch patch = device_patch(desired, *actual);
    if (patch.empty()) return success();
    return write(iface, patch);
}

bool runs_in_userspace(const std::string& iface, const std::filesystem::path& run_dir) {
    std::error_code ec;
    // An invalid name makes no socket path; the kernel backend then reports the name.
    return valid_interface_name(iface) && std::filesystem::is_socket(UapiClient(run_dir).socket_path(iface), ec);
}

std::unique_ptr<Backend> backend_for(const std::string& iface, const std::filesystem::path& run_dir) {
    if (runs_in_userspace(iface, run_dir)) return std::make_unique<Userspace>(UapiClient(run_dir));
    return std::make_unique<Kernel>();
}

}  // namespace nodenet::wireguard
