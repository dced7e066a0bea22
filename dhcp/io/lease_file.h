// The lease of each link in the state directory, `dhcp4-<link>.json` and `dhcp6-<link>.json`
// (the leases' to_json forms): written after every ApplyLease, read at start for INIT-REBOOT (v4)
// or the confirming REBIND (v6), deleted when the lease is removed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "dhcp/dhcp4_lease.h"
#include "dhcp/dhcp6_lease.h"

namespace nodenet::dhcp::io {

std::filesystem::path lease_file(const std::filesystem::path& state_dir, const std::string& iface);
std::filesystem::path lease6_file(const std::filesystem::path& state_dir, const std::string& iface);
// The link a lease file belongs to, from its name; nullopt for any other file.
std::optional<std::string> lease_file_link(std::string_view file_name);
std::optional<std::string> lease6_file_link(std::string_view file_name);

// The lease as it stands at `now`; nullopt when there is no file. A damaged file is an error.
Result<std::optional<Lease>> load_lease(const std::filesystem::path& path, TimePoint now, WallTime wall_now);
Result<std::optional<v6::Lease>> load_lease6(const std::filesystem::path& path, TimePoint now, WallTime wall_now);
// Atomic and durable: after a crash the file holds this lease or the one before.
Status save_lease(const std::filesystem::path& path, const Lease& lease, TimePoint now, WallTime wall_now);
Status save_lease(const std::filesystem::path& path, const v6::Lease& lease, TimePoint now, WallTime wall_now);
// A missing file is no error.
Status remove_lease(const std::filesystem::path& path);

}  // namespace nodenet::dhcp::io
