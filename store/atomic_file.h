// Writing a file so that readers see the old content or the new, never a mix or nothing: a
// temporary file in the same directory, fsync, rename over the target, fsync the directory.
#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

#include "common/result.h"

namespace nodenet::store {

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, mode_t mode);

Result<std::string> read_file(const std::filesystem::path& path);

}  // namespace nodenet::store
