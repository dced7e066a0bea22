#include "cli/validate_command.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

#include "engine/config_file.h"
#include "config/diagnostic_printer.h"
#include "config/validate.h"
#include "schema/schema_check.h"

namespace nodenet::cli {

using engine::read_config_file;
using config::print_text;
using config::append_json;
using config::TextStyle;

namespace {

struct ValidateArgs {
    std::string mode = "metal";
    bool strict = false;
    std::string output = "text";
    std::vector<std::string> files;
};

config::Mode parse_mode(const std::string& mode) {
    if (mode == "cloud") return config::Mode::Cloud;
    if (mode == "container") return config::Mode::Container;
    return config::Mode::Metal;
}

std::string summary(const config::Diagnostics& d) {
    size_t errors = d.count(config::Severity::Error), warnings = d.count(config::Severity::Warning);
    if (errors == 0 && warnings == 0) return "ok";
    std::string s;
    if (errors) s += std::to_string(errors) + (errors == 1 ? " error" : " errors");
    if (warnings) s += std::string(s.empty() ? "" : ", ") + std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
    return s;
}

int run_validate(const ValidateArgs& args) {
    auto schema = schema::SchemaChecker::load();
    if (!schema.ok()) {
        std::cerr << "nodenet: internal error: embedded schema: " << schema.error() << '\n';
        return 2;
    }
    config::Options options{parse_mode(args.mode), args.strict};
    bool json = args.output == "json";
    TextStyle style{isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr};
    nlohmann::json array = nlohmann::json::array();
    bool unreadable = false, errors = false;
    for (const std::string& path : args.files) {
        std::string name = path == "-" ? "<stdin>" : path;
        auto file = read_config_file(path, config::kMaxConfigBytes);
        if (!file.ok()) {
            std::cerr << "nodenet: cannot read " << file.error() << '\n';
            unreadable = true;
            continue;
        }
        config::Validation v;
        if (file->too_large)
            v.diagnostics.error(yaml::Mark{1, 1}, "", config::too_large_message(file->size));
        else
            v = config::validate(file->text, *schema, options);
        errors = errors || v.diagnostics.has_errors();
        if (json) {
            append_json(array, name, v.diagnostics);
        } else {
            print_text(std::cout, name, file->text, v.diagnostics, style);
            std::cout << name << ": " << summary(v.diagnostics) << '\n';
        }
    }
    if (json) std::cout << array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    std::cout.flush();
    return unreadable ? 2 : errors ? 1 : 0;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<ValidateArgs>();
    CLI::App* cmd = app.add_subcommand("validate", "Check machine config files offline, as Talos does and more");
    cmd->add_option("--mode,-m", args->mode, "Talos runtime mode")
        ->check(CLI::IsMember({"metal", "cloud", "container"}))
        ->capture_default_str();
    cmd->add_flag("--strict", args->strict, "Treat warnings as errors");
    cmd->add_option("-o,--output", args->output, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_option("files", args->files, "Config files (- for standard input)")->required();
    cmd->callback([args, &exit_code] { exit_code = run_validate(*args); });
}

}  // namespace nodenet::cli
