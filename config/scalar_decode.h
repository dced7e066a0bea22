// Decoding of YAML scalars into Go-typed values the way go-yaml (v3/v4), and so Talos, does it.
//
// Plain scalars are resolved as go-yaml's resolve(): null, bool (true/True/TRUE/false/...),
// int (strconv.ParseInt of the text without '_', base prefixes and leading-0 octal included, then
// ParseUint above int64), float, otherwise string. Quoted and block scalars, and `!!str`, are strings;
// an explicit tag (`!!int "12"`) is resolved as that tag and must agree with the text.
// Error messages are fragments; the caller prefixes the YAML path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/yaml_tree.h"

namespace nodenet::config {

// Go `string`: the raw text of any scalar (`1500` -> "1500", `true` -> "true"); null -> "".
Result<std::string> decode_string(const yaml::Node& node);

// Go `*bool`: null -> nullopt; true/false forms, plus the YAML 1.1 words y/yes/on/n/no/off (in
// their go-yaml spellings) even when quoted.
Result<std::optional<bool>> decode_bool(const yaml::Node& node);

// Go signed integer of range [min, max] named `go_type` in messages: null -> 0; a resolved int,
// or a float that converts losslessly (1500.0, 1e3).
Result<int64_t> decode_int(const yaml::Node& node, int64_t min, int64_t max, std::string_view go_type);

// Go unsigned integer of range [0, max]; as decode_int, negatives rejected.
Result<uint64_t> decode_uint(const yaml::Node& node, uint64_t max, std::string_view go_type);

// Go `time.Duration`: a string parsed by time.ParseDuration, or the integer 0; null -> 0.
Result<int64_t> decode_duration(const yaml::Node& node);

}  // namespace nodenet::config
