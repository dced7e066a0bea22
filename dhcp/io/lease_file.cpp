#include "dhcp/io/lease_file.h"

#include <cstring>
#include <system_error>

#include "store/atomic_file.h"

namespace nodenet::dhcp::io {

namespace {

constexpr std::string_view kPrefix = "dhcp4-";
constexpr std::string_view kSuffix = ".json";

}  // namespace

std::filesystem::path lease_file(const std::filesystem::path& state_dir, const std::string& iface) {
    return state_dir / (std::string(kPrefix) + iface + std::string(kSuffix));
}

std::optional<std::string> lease_file_link(std::string_view name) {
    if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) || !name.ends_with(kSuffix))
        return std::nullopt;
    return std::string(name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size()));
}

Result<std::optional<Lease>> load_lease(const std::filesystem::path& path, TimePoint now, WallTime wall_now) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::optional<Lease>();
    auto text = store::read_file(path);
    if (!text.ok()) return Error{text.error()};
    auto lease = from_json(*text, now, wall_now);
    if (!lease.ok()) return Error{path.string() + ": " + lease.error()};
    return std::optional<Lease>(std::move(*lease));
}

Status save_lease(const std::filesystem::path& path, const Lease& lease, TimePoint now, WallTime wall_now) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Error{path.parent_path().string() + ": " + ec.message()};
    return store::write_file_atomic(path, to_json(lease, now, wall_now) + "\n", 0644);
}

Status remove_lease(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) return Error{path.string() + ": " + ec.message()};
    return success();
}

}  // namespace nodenet::dhcp::io
