// `nodenet get identities|affiliates|members|discoveryconfig|nodeaddresses`: resources the daemon
// keeps, under Talos's names and columns (talosctl get ...), as a table, YAML documents (talosctl's
// layout: metadata then spec, four-space indents) or JSON.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nodenet::cli {

// The kinds the daemon answers for, as `get` accepts them.
const std::vector<std::string>& daemon_resource_kinds();

// Asks the daemon of `runtime_dir` and prints; the exit status (1 without a daemon, with a
// message saying so).
int run_get_resources(const std::filesystem::path& runtime_dir, const std::string& kind, const std::string& ns,
                      const std::string& output);

// The printing alone (tests).
void print_resources(std::ostream& out, const std::string& kind, const nlohmann::ordered_json& resources,
                     const std::string& output);

}  // namespace nodenet::cli
