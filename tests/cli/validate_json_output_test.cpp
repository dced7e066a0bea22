// `nodenet validate -o json` as a CI system consumes it: one parseable array for all files, each
// diagnostic an object with exactly {file, line, column, severity, path, message}, whatever bytes
// the config contains.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/cli/run_nodenet.h"
#include "tests/cli/sample_configs.h"

namespace nodenet::cli_test {
namespace {

using nlohmann::json;

constexpr char kValid[] = "version: v1alpha1\nmachine:\n  type: worker\n";

// Parses stdout, failing the test (not crashing it) when it is not JSON.
json parse_output(const RunResult& r) {
    json parsed = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON:\n" << r.out;
    EXPECT_TRUE(parsed.is_array()) << r.out;
    return parsed.is_array() ? parsed : json::array();
}

TEST(CliJsonOutput, EachDiagnosticHasExactlyTheSixKeysWithTheirTypes) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", "-o", "json", dir.write("c.yaml", kTwoErrorsOneWarning)});
    EXPECT_EQ(r.exit_code, 1);
    json diagnostics = parse_output(r);
    ASSERT_EQ(diagnostics.size(), 3u) << r.out;
    const std::set<std::string> expected_keys = {"file", "line", "column", "severity", "path", "message"};
    for (const json& d : diagnostics) {
        ASSERT_TRUE(d.is_object()) << d;
        std::set<std::string> keys;
        for (const auto& [key, value] : d.items()) keys.insert(key);
        EXPECT_EQ(keys, expected_keys) << d;
        EXPECT_TRUE(d["file"].is_string()) << d;
        EXPECT_TRUE(d["line"].is_number_unsigned()) << d;
        EXPECT_TRUE(d["column"].is_number_unsigned()) << d;
        EXPECT_TRUE(d["severity"].is_string()) << d;
        EXPECT_TRUE(d["path"].is_string()) << d;
        EXPECT_TRUE(d["message"].is_string()) << d;
    }
}

TEST(CliJsonOutput, ValuesMatchTheTextOutput) {
    TempDir dir;
    std::string file = dir.write("c.yaml", kTwoErrorsOneWarning);
    json d = parse_output(run_nodenet({"validate", "-o", "json", file}));
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0], (json{{"file", file},
                          {"line", 7},
                          {"column", 21},
                          {"severity", "error"},
                          {"path", "machine.network.interfaces[0].addresses[0]"},
                          {"message", "[networking.os.device.addresses] \"eth0\": invalid CIDR address: 10.0.0.300/24"}}));
    EXPECT_EQ(d[1]["severity"], "warning");
    EXPECT_EQ(d[1]["line"], 8);
    EXPECT_EQ(d[2]["path"], "machine.network.kubespan.mtu");
}

TEST(CliJsonOutput, NothingButTheArrayOnStdout) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", "-o", "json", dir.write("c.yaml", kTwoErrorsOneWarning)});
    EXPECT_EQ(r.out.find(": 2 errors"), std::string::npos) << "text summary leaked into JSON:\n" << r.out;
    EXPECT_EQ(r.out.front(), '[');
    EXPECT_EQ(r.out.back(), '\n');
    EXPECT_EQ(r.err, "");
}

TEST(CliJsonOutput, ValidFilesGiveAnEmptyArray) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", "-o", "json", dir.write("a.yaml", kValid), dir.write("b.yaml", kValid)});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(parse_output(r), json::array());
}

TEST(CliJsonOutput, SeveralFilesShareOneArrayInCommandLineOrder) {
    TempDir dir;
    std::string warning = dir.write("warning.yaml", kWarningOnly);
    std::string valid = dir.write("valid.yaml", kValid);
    std::string mixed = dir.write("mixed.yaml", kTwoErrorsOneWarning);
    RunResult r = run_nodenet({"validate", "-o", "json", warning, valid, mixed});
    EXPECT_EQ(r.exit_code, 1);
    json d = parse_output(r);
    ASSERT_EQ(d.size(), 4u) << r.out;
    EXPECT_EQ(d[0]["file"], warning);
    for (size_t i = 1; i < 4; ++i) EXPECT_EQ(d[i]["file"], mixed);
}

TEST(CliJsonOutput, UnreadableFileStillLeavesAValidArrayOfTheOthers) {
    TempDir dir;
    std::string warning = dir.write("warning.yaml", kWarningOnly);
    RunResult r = run_nodenet({"validate", "-o", "json", (dir.path() / "missing.yaml").string(), warning});
    EXPECT_EQ(r.exit_code, 2);
    json d = parse_output(r);
    ASSERT_EQ(d.size(), 1u) << r.out;
    EXPECT_EQ(d[0]["file"], warning);
    EXPECT_NE(r.err.find("missing.yaml"), std::string::npos) << r.err;
}

TEST(CliJsonOutput, StrictMakesTheSeverityError) {
    TempDir dir;
    std::string file = dir.write("warning.yaml", kWarningOnly);
    json plain = parse_output(run_nodenet({"validate", "-o", "json", file}));
    RunResult r = run_nodenet({"validate", "--strict", "-o", "json", file});
    json strict = parse_output(r);
    EXPECT_EQ(r.exit_code, 1);
    ASSERT_EQ(plain.size(), 1u);
    ASSERT_EQ(strict.size(), 1u);
    EXPECT_EQ(plain[0]["severity"], "warning");
    EXPECT_EQ(strict[0]["severity"], "error");
    EXPECT_EQ(strict[0]["message"], plain[0]["message"]);
}

TEST(CliJsonOutput, StdinIsNamedStdin) {
    json d = parse_output(run_nodenet_with_stdin({"validate", "-o", "json", "-"}, kWarningOnly));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0]["file"], "<stdin>");
}

// YAML escapes put any character into a key, and the key into both the path (raw) and the
// message (Go-quoted): quotes, a backslash and a control character must all survive as JSON.
TEST(CliJsonOutput, QuotesBackslashesAndControlCharactersStayValidJson) {
    TempDir dir;
    std::string file = dir.write("escape.yaml",
                                 "version: v1alpha1\n"
                                 "machine:\n"
                                 "  type: worker\n"
                                 "  network:\n"
                                 "    \"host\\x01na\\\"me\\\\\": node-1\n");
    RunResult r = run_nodenet({"validate", "-o", "json", file});
    EXPECT_EQ(r.exit_code, 1);
    json d = parse_output(r);
    ASSERT_EQ(d.size(), 1u) << r.out;
    EXPECT_EQ(d[0]["line"], 5);
    EXPECT_EQ(d[0]["column"], 5);
    EXPECT_EQ(d[0]["path"], "machine.network.host\x01na\"me\\");
    EXPECT_EQ(d[0]["message"], "unknown key \"host\\x01na\\\"me\\\\\"; did you mean \"hostname\"?");
}

// libyaml refuses invalid UTF-8 before any value is built, so the bytes never reach a message;
// the reader's error names the byte and its place instead.
TEST(CliJsonOutput, InvalidUtf8InAQuotedScalarIsReportedAsValidJson) {
    TempDir dir;
    std::string file = dir.write("bad-utf8.yaml",
                                 "version: v1alpha1\n"
                                 "machine:\n"
                                 "  type: worker\n"
                                 "  network:\n"
                                 "    hostname: \"node\xC3\x28x\"\n");
    RunResult r = run_nodenet({"validate", "-o", "json", file});
    EXPECT_EQ(r.exit_code, 1);
    json d = parse_output(r);
    ASSERT_EQ(d.size(), 1u) << r.out;
    EXPECT_EQ(d[0]["line"], 5);
    EXPECT_EQ(d[0]["column"], 21);  // the 0x28 that cannot continue the sequence 0xC3 began
    EXPECT_EQ(d[0]["severity"], "error");
    EXPECT_EQ(d[0]["message"], "YAML: invalid trailing UTF-8 octet (byte 0x28)");
}

// File names are bytes on Linux; a CI job may glob one that is not UTF-8.
TEST(CliJsonOutput, FileNameThatIsNotUtf8StaysValidJson) {
    TempDir dir;
    std::string file = dir.write("bad-\xFF-name.yaml", kWarningOnly);
    RunResult r = run_nodenet({"validate", "-o", "json", file});
    EXPECT_EQ(r.exit_code, 0);
    json d = parse_output(r);
    ASSERT_EQ(d.size(), 1u) << r.out;
    std::string reported = d[0]["file"];
    EXPECT_NE(reported.find("bad-\xEF\xBF\xBD-name.yaml"), std::string::npos)  // U+FFFD in place of 0xFF
        << reported;
}

}  // namespace
}  // namespace nodenet::cli_test
