// nodenet's state directory (default /var/lib/nodenet): what the kernel cannot tell nodenet itself.
// The logical links nodenet created, so that it removes those and only those; and a record of the
// last config found in sync, so that re-applying it costs one kernel read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "plan/diff.h"

namespace nodenet::store {

// The inputs of a plan that came out empty, by digest (plan/sync_digest.h), and what was read to
// see it: the next run that finds the same config, program, ownership and kernel digest needs no
// config parsing to know the plan is empty again.
struct SyncRecord {
    std::string config_digest;
    std::string program;           // build identity of the nodenet binary that planned
    std::string ownership_digest;  // of the created links as recorded in this directory
    std::string kernel_digest;
    // The snapshot filter the kernel digest was taken with.
    std::vector<std::string> links;
    std::vector<uint32_t> tables;
    uint8_t owned_protocol = 0;
    size_t routes = 0;  // in the snapshot then: how the next check reads them (SnapshotFilter::expected_routes)
    std::vector<std::string> desired_warnings, plan_warnings;
};

class StateDir {
public:
    explicit StateDir(std::filesystem::path dir) : dir_(std::move(dir)) {}

    const std::filesystem::path& path() const { return dir_; }

    // Missing file: nothing created yet. A damaged file is an error, never silently "nothing".
    Result<plan::Ownership> load_ownership() const;
    Status save_ownership(const plan::Ownership& owned) const;
    // Digest of what save_ownership would write: equal digests, equal ownership.
    static std::string ownership_digest(const plan::Ownership& owned);

    // A missing, unreadable or damaged record is no record: it only ever saves work.
    std::optional<SyncRecord> load_sync_record() const;
    Status save_sync_record(const SyncRecord& record) const;
    void forget_sync_record() const;

private:
    std::filesystem::path dir_;
};

}  // namespace nodenet::store
