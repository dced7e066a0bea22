#include "dhcp/io/lease_file.h"

#include <cstring>
#include <system_error>

#include "store/atomic_file.h"

namespace nodenet::dhcp::io {

namespace {

constexpr std::string_view kPrefix4 = "dhcp4-";
constexpr std::string_view kPrefix6 = "dhcp6-";
constexpr std::string_view kSuffix = ".json";

std::optional<std::string> link_of(std::string_view name, std::string_view prefix) {
    if (name.size() <= prefix.size() + kSuffix.size() || !name.starts_with(prefix) || !name.ends_with(kSuffix))
        return std::nullopt;
    return std::string(name.substr(prefix.size(), name.size() - prefix.size() - kSuffix.size()));
}

template <class L, class FromJson>
Result<std::optional<L>> load(const std::filesystem::path& path, FromJson from_json) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::optional<L>();
    auto text = store::read_file(path);
    if (!text.ok()) return Error{text.error()};
    Result<L> lease = from_json(*text);
    if (!lease.ok()) return Error{path.string() + ": " + lease.error()};
    return std::optional<L>(std::move(*lease));
}

Status save(const std::filesystem::path& path, const std::string& json) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Error{path.parent_path().string() + ": " + ec.message()};
    return store::write_file_atomic(path, json + "\n", 0644);
}

}  // namespace

std::filesystem::path lease_file(const std::filesystem::path& state_dir, const std::string& iface) {
    return state_dir / (std::string(kPrefix4) + iface + std::string(kSuffix));
}

std::filesystem::path lease6_file(const std::filesystem::path& state_dir, const std::string& iface) {
    return state_dir / (std::string(kPrefix6) + iface + std::string(kSuffix));
}

std::optional<std::string> lease_file_link(std::string_view name) { return link_of(name, kPrefix4); }
std::optional<std::string> lease6_file_link(std::string_view name) { return link_of(name, kPrefix6); }

Result<std::optional<Lease>> load_lease(const std::filesystem::path& path, TimePoint now, WallTime wall_now) {
    return load<Lease>(path, [&](const std::string& text) { return from_json(text, now, wall_now); });
}

Result<std::optional<v6::Lease>> load_lease6(const std::filesystem::path& path, TimePoint now, WallTime wall_now) {
    return load<v6::Lease>(path, [&](const std::string& text) { return v6::from_json(text, now, wall_now); });
}

Status save_lease(const std::filesystem::path& path, const Lease& lease, TimePoint now, WallTime wall_now) {
    return save(path, to_json(lease, now, wall_now));
}

Status save_lease(const std::filesystem::path& path, const v6::Lease& lease, TimePoint now, WallTime wall_now) {
    return save(path, v6::to_json(lease, now, wall_now));
}

Status remove_lease(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) return Error{path.string() + ": " + ec.message()};
    return success();
}

}  // namespace nodenet::dhcp::io
