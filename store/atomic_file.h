// Writing a file so that readers see the old content or the new, never a mix or nothing: a
// temporary file in the same directory, fsync, rename over the target, fsync the directory.
#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

#include "common/result.h"

namespace nodenet::store {

// Durable: fsync the file and the directory, so that the new content survives a power loss.
// Cache: skip both; after a crash the file may be old or gone, but still never partial.
enum class Durability { Durable, Cache };

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, mode_t mode,
                         Durability durability = Durability::Durable);

Result<std::string> read_file(const std::filesystem::path& path);

}  // namespace nodenet::store
