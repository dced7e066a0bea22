// Diagnostics as people read them (compiler style, with the source line and a caret) and as CI
// systems read them (a JSON array of {file, line, column, severity, path, message}).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/diagnostic.h"

namespace nodenet::config {

struct TextStyle {
    bool color = false;
};

void print_text(std::ostream& os, std::string_view file, std::string_view source,
                const config::Diagnostics& diagnostics, const TextStyle& style);

void append_json(nlohmann::json& array, std::string_view file, const config::Diagnostics& diagnostics);

// The line'th line of `source` (1-based), without its newline.
std::string_view source_line(std::string_view source, uint32_t line);

}  // namespace nodenet::config
