// Reading a config file (or standard input for "-"), bounded in size before anything is read.
#pragma once

#include <string>

#include "common/result.h"

namespace nodenet::cli {

struct ConfigFile {
    std::string text;
    bool too_large = false;  // text is empty; size says how large the file is
    uint64_t size = 0;
};

Result<ConfigFile> read_config_file(const std::string& path, uint64_t max_bytes);

}  // namespace nodenet::cli
