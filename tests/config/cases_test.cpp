// Runs every config under tests/cases/. Each file states what `nodenet validate` must report,
// in comment lines at its top, in the CLI's own format without the file name:
//
//   # options: --strict --mode container
//   # expect: 9:35: error: machine.network.interfaces[0].addresses[1]: invalid CIDR address: 10.0.0.300/24
//
// The reported list must equal the expected list exactly: same order, nothing missing, nothing extra.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/validate.h"
#include "schema/schema_check.h"

namespace nodenet::config {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> case_files() {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(NODENET_SOURCE_DIR "/tests/cases"))
        if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
    std::sort(files.begin(), files.end());
    return files;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string format(const Diagnostic& d) {
    std::string s = std::to_string(d.mark.line) + ":" + std::to_string(d.mark.column) + ": " +
                    severity_name(d.severity) + ": ";
    if (!d.path.empty()) s += d.path + ": ";
    return s + d.message;
}

struct Expectation {
    Options options;
    std::vector<std::string> diagnostics;
};

Expectation read_expectation(const std::string& text) {
    Expectation e;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("# expect: ", 0) == 0) e.diagnostics.push_back(line.substr(10));
        if (line.rfind("# options:", 0) == 0) {
            e.options.strict = line.find("--strict") != std::string::npos;
            if (line.find("--mode container") != std::string::npos) e.options.mode = Mode::Container;
            if (line.find("--mode cloud") != std::string::npos) e.options.mode = Mode::Cloud;
        }
    }
    return e;
}

class Case : public testing::TestWithParam<std::string> {};

TEST_P(Case, ReportsExactlyTheExpectedDiagnostics) {
    static const auto schema = schema::SchemaChecker::load();
    ASSERT_TRUE(schema.ok()) << schema.error();
    std::string text = read_file(fs::path(NODENET_SOURCE_DIR "/tests/cases") / GetParam());
    Expectation expected = read_expectation(text);
    Validation v = validate(text, *schema, expected.options);
    std::vector<std::string> actual;
    for (const Diagnostic& d : v.diagnostics.items()) actual.push_back(format(d));
    EXPECT_EQ(actual, expected.diagnostics) << "in tests/cases/" << GetParam();
}

std::string case_name(const testing::TestParamInfo<std::string>& info) {
    std::string name = info.param.substr(0, info.param.size() - 5);
    std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, Case, testing::ValuesIn(case_files()), case_name);

}  // namespace
}  // namespace nodenet::config
