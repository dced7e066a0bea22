// nodenet's state directory (default /var/lib/nodenet): what the kernel cannot tell nodenet itself.
// Today: the logical links nodenet created, so that it removes those and only those.
#pragma once

#include <filesystem>

#include "common/result.h"
#include "plan/diff.h"

namespace nodenet::store {

class StateDir {
public:
    explicit StateDir(std::filesystem::path dir) : dir_(std::move(dir)) {}

    const std::filesystem::path& path() const { return dir_; }

    // Missing file: nothing created yet. A damaged file is an error, never silently "nothing".
    Result<plan::Ownership> load_ownership() const;
    Status save_ownership(const plan::Ownership& owned) const;

private:
    std::filesystem::path dir_;
};

}  // namespace nodenet::store
