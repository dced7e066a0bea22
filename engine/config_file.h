// Reading a config file (or standard input for "-"), bounded in size before anything is read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace nodenet::engine {

struct ConfigFile {
    std::string text;
    bool too_large = false;  // text is empty
    std::optional<uint64_t> size;  // known up front for regular files; a pipe is read to the limit only
};

Result<ConfigFile> read_config_file(const std::string& path, uint64_t max_bytes);

}  // namespace nodenet::engine
