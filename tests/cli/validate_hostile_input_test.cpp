// Input nobody should write but someone will feed to `nodenet validate`: each must end in a
// clear error diagnostic and exit 1, quickly and in little memory, never in a crash or a hang.
#include <gtest/gtest.h>

#include <errno.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/run_nodenet.h"

namespace nodenet::cli_test {
namespace {

constexpr uint64_t k100MB = 100ull * 1024 * 1024;
// nodenet itself needs a few MB; the 16 MiB size limit must keep it far from the input's size.
// Linux reports as the child's ru_maxrss the larger of nodenet's own peak and this test process's
// RSS at fork, so the tests keep their own buffers small; under ASan this process alone can be
// over the bound, and then a peak no higher than its RSS at fork is all that can be told.
constexpr long kMaxRssKb = 64 * 1024;

void expect_bounded_rss(const RunResult& r) {
    EXPECT_LT(r.max_rss_kb, std::max(kMaxRssKb, r.rss_at_fork_kb + 1024)) << "this process at fork: " << r.rss_at_fork_kb
                                                                           << " kB";
}

struct Diagnostic {
    std::string header;  // "LINE:COL: severity: ..." after the file name
    std::string caret;   // the caret line, empty when nodenet prints none
};

// The diagnostics of a single-file run, parsed back from the text format.
std::vector<Diagnostic> diagnostics_of(const std::string& out, const std::string& file) {
    std::vector<std::string> lines = lines_of(out);
    std::vector<Diagnostic> found;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].rfind(file + ":", 0) != 0 || lines[i].rfind(file + ": ", 0) == 0) continue;
        Diagnostic d{lines[i].substr(file.size() + 1), ""};
        if (i + 2 < lines.size() && lines[i + 2].find('^') != std::string::npos) d.caret = lines[i + 2];
        found.push_back(d);
    }
    return found;
}

void expect_single_error(const RunResult& r, const std::string& file, const std::string& position_and_message) {
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    std::vector<Diagnostic> found = diagnostics_of(r.out, file);
    ASSERT_EQ(found.size(), 1u) << r.out.substr(0, 2000);
    EXPECT_EQ(found[0].header, position_and_message);
}

TEST(CliHostileInput, AliasBombIsRefused) {
    TempDir dir;
    std::string text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    for (char c = 'b'; c <= 'i'; ++c) {
        std::string prev(1, static_cast<char>(c - 1));
        text += std::string(1, c) + ": &" + c + " [";
        for (int i = 0; i < 9; ++i) text += (i ? ",*" : "*") + prev;
        text += "]\n";
    }
    std::string file = dir.write("bomb.yaml", text);
    RunResult r = run_nodenet({"validate", file});
    // Line 7 is the first whose expansion (9^7 nodes) crosses the limit of 1,000,000.
    expect_single_error(r, file, "7:11: error: YAML: aliases expand the document beyond 1000000 nodes");
    expect_bounded_rss(r);
    RecordProperty("max_rss_kb", std::to_string(r.max_rss_kb));
}

TEST(CliHostileInput, HundredThousandNestedBracketsAreRefused) {
    TempDir dir;
    std::string file = dir.write("nested.yaml", std::string(100'000, '[') + "\n");
    RunResult r = run_nodenet({"validate", file});
    expect_single_error(r, file, "1:129: error: YAML: nesting is deeper than 128 levels");
}

TEST(CliHostileInput, HundredMegabyteFileIsRefusedBySizeWithoutReadingIt) {
    TempDir dir;
    std::string file = dir.sparse("huge.yaml", static_cast<off_t>(k100MB));
    RunResult r = run_nodenet({"validate", file});
    expect_single_error(r, file, "1:1: error: config is 104857600 bytes, over the limit of 16777216 bytes");
    expect_bounded_rss(r);
    RecordProperty("max_rss_kb", std::to_string(r.max_rss_kb));
}

// A pipe has no size: nodenet must stop reading once past the limit and leave the writer with
// EPIPE, instead of draining 100 MB or buffering it.
TEST(CliHostileInput, HundredMegabytesThroughStdinStopAtTheLimit) {
    RunOptions options;
    options.stdin_writer = [](int fd) -> uint64_t {
        std::string chunk(64 * 1024, 'a');
        uint64_t written = 0;
        while (written < k100MB) {
            ssize_t n = write(fd, chunk.data(), chunk.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;  // EPIPE: nodenet closed its end, as it should
            written += static_cast<uint64_t>(n);
        }
        return written;
    };
    RunResult r = run_nodenet({"validate", "-"}, options);
    expect_single_error(r, "<stdin>", "1:1: error: config is over the limit of 16777216 bytes");
    EXPECT_LT(r.stdin_bytes_written, 32ull * 1024 * 1024) << "nodenet read on past the limit";
    expect_bounded_rss(r);
    RecordProperty("max_rss_kb", std::to_string(r.max_rss_kb));
}

TEST(CliHostileInput, FileJustAtTheLimitIsRead) {
    TempDir dir;
    std::string text = "version: v1alpha1\nmachine:\n  type: worker\n";
    text.resize(16 * 1024 * 1024, '\n');
    std::string file = dir.write("limit.yaml", text);
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, file + ": ok\n");
}

TEST(CliHostileInput, RandomBinaryIsAYamlError) {
    std::mt19937 random(20240601);
    std::string bytes(1024 * 1024, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
    TempDir dir;
    std::string file = dir.write("random.bin", bytes);
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.signal, 0);
    std::vector<Diagnostic> found = diagnostics_of(r.out, file);
    ASSERT_EQ(found.size(), 1u) << r.out.substr(0, 2000);
    EXPECT_TRUE(std::regex_search(found[0].header, std::regex(R"(^[1-9]\d*:[1-9]\d*: error: YAML: )")))
        << found[0].header;
    EXPECT_EQ(r.out.find('\033'), std::string::npos) << "raw escape byte reached the terminal";
}

TEST(CliHostileInput, RandomBinaryGivesParseableJson) {
    std::mt19937 random(20240601);
    std::string bytes(1024 * 1024, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
    TempDir dir;
    RunResult r = run_nodenet({"validate", "-o", "json", dir.write("random.bin", bytes)});
    EXPECT_EQ(r.exit_code, 1);
    nlohmann::json d = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(d.is_array()) << r.out.substr(0, 2000);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_GE(d[0]["line"].get<int>(), 1);
    EXPECT_GE(d[0]["column"].get<int>(), 1);
}

constexpr char kValidHead[] =
    "version: v1alpha1\n"
    "machine:\n"
    "  type: worker\n"
    "  network:\n";
constexpr char kValidTail[] =
    "    nameservers: [10.0.0.53]\n"
    "cluster:\n"
    "  controlPlane: {endpoint: https://k8s.example.com:6443}\n";

// 0xFF can begin no UTF-8 sequence; "ñ" before it is two bytes but one column.
TEST(CliHostileInput, InvalidUtf8InTheMiddleOfAValidConfigIsReportedAtTheBadByte) {
    TempDir dir;
    std::string file = dir.write("bad-byte.yaml", std::string(kValidHead) + "    hostname: \"ñ\xFF\"\n" + kValidTail);
    RunResult r = run_nodenet({"validate", file});
    expect_single_error(r, file, "5:17: error: YAML: invalid leading UTF-8 octet (byte 0xFF)");
    std::vector<Diagnostic> found = diagnostics_of(r.out, file);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].caret, "   | " + std::string(16, ' ') + "^");
}

TEST(CliHostileInput, TruncatedUtf8SequenceIsReportedAtTheByteThatBreaksIt) {
    TempDir dir;
    std::string file =
        dir.write("truncated.yaml", std::string(kValidHead) + "    hostname: \"node\xE2\x82-1\"\n" + kValidTail);
    RunResult r = run_nodenet({"validate", file});
    expect_single_error(r, file, "5:21: error: YAML: invalid trailing UTF-8 octet (byte 0x2D)");
}

TEST(CliHostileInput, ControlCharacterIsReportedAtItsPlace) {
    TempDir dir;
    std::string file = dir.write("bell.yaml", std::string(kValidHead) + "    hostname: node\a1\n" + kValidTail);
    RunResult r = run_nodenet({"validate", file});
    expect_single_error(r, file, "5:19: error: YAML: control characters are not allowed (byte 0x07)");
}

TEST(CliHostileInput, FileOfOnlyNulBytesIsAnError) {
    TempDir dir;
    std::string file = dir.write("nul.yaml", std::string(64 * 1024, '\0'));
    RunResult r = run_nodenet({"validate", file});
    expect_single_error(r, file, "1:1: error: YAML: control characters are not allowed (byte 0x00)");
}

TEST(CliHostileInput, EmptyFileIsConfigNotFound) {
    TempDir dir;
    std::string file = dir.write("empty.yaml", "");
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, file + ":1:1: error: config not found\n" + file + ": 1 error\n");
}

TEST(CliHostileInput, CommentsOnlyIsConfigNotFound) {
    TempDir dir;
    std::string file = dir.write("comments.yaml", "# nothing here\n\n");
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find(": error: config not found\n"), std::string::npos) << r.out;
}

TEST(CliHostileInput, ByteOrderMarkLoadsFine) {
    TempDir dir;
    std::string file = dir.write("bom.yaml", "\xEF\xBB\xBF" + std::string(kValidHead) + kValidTail);
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, file + ": ok\n");
}

// The mark is not a character anyone sees: columns on line 1 are the same as without it.
TEST(CliHostileInput, ByteOrderMarkDoesNotShiftColumnsOfLineOne) {
    TempDir dir;
    const std::string line = "machine: {type: worker, network: {bogus: 1}}\n";
    std::string plain = dir.write("plain.yaml", line);
    std::string bom = dir.write("bom.yaml", "\xEF\xBB\xBF" + line);
    std::vector<Diagnostic> without = diagnostics_of(run_nodenet({"validate", plain}).out, plain);
    std::vector<Diagnostic> with = diagnostics_of(run_nodenet({"validate", bom}).out, bom);
    ASSERT_EQ(without.size(), 1u);
    ASSERT_EQ(with.size(), 1u);
    EXPECT_EQ(without[0].header.substr(0, 5), "1:35:");
    EXPECT_EQ(with[0].header, without[0].header);
}

// Reader errors (bad UTF-8) are located by byte offset, a different path from parser errors.
TEST(CliHostileInput, ByteOrderMarkDoesNotShiftColumnsOfAnInvalidByteOnLineOne) {
    TempDir dir;
    const std::string line = "machine: {type: worker, network: {hostname: \"a\xFF\"}}\n";
    std::string plain = dir.write("plain.yaml", line);
    std::string bom = dir.write("bom.yaml", "\xEF\xBB\xBF" + line);
    std::vector<Diagnostic> without = diagnostics_of(run_nodenet({"validate", plain}).out, plain);
    std::vector<Diagnostic> with = diagnostics_of(run_nodenet({"validate", bom}).out, bom);
    ASSERT_EQ(without.size(), 1u);
    ASSERT_EQ(with.size(), 1u);
    EXPECT_EQ(without[0].header, "1:47: error: YAML: invalid leading UTF-8 octet (byte 0xFF)");
    EXPECT_EQ(with[0].header, without[0].header);
}

std::string with_crlf(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return out;
}

TEST(CliHostileInput, CrlfLineEndingsLoadFine) {
    TempDir dir;
    std::string file = dir.write("crlf.yaml", with_crlf(std::string(kValidHead) + kValidTail));
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, file + ": ok\n");
}

TEST(CliHostileInput, CrlfLineEndingsKeepLinesAndColumnsAndNoCarriageReturnIsQuoted) {
    TempDir dir;
    std::string file = dir.write(
        "crlf.yaml", with_crlf(std::string(kValidHead) + "    nameservers: [10.0.0.53, dns.example.com]\n"));
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 0);
    std::vector<std::string> out = lines_of(r.out);
    ASSERT_EQ(out.size(), 4u) << r.out;
    EXPECT_EQ(out[0].substr(file.size(), 15), ":5:30: warning:");
    EXPECT_EQ(out[1], " 5 |     nameservers: [10.0.0.53, dns.example.com]");
    EXPECT_EQ(out[2], "   | " + std::string(29, ' ') + "^");
}

TEST(CliHostileInput, CrlfLineEndingsKeepThePositionOfAnInvalidByte) {
    TempDir dir;
    std::string file = dir.write("crlf.yaml", with_crlf(std::string(kValidHead) + "    hostname: \"a\xFF\"\n"));
    RunResult r = run_nodenet({"validate", file});
    expect_single_error(r, file, "5:17: error: YAML: invalid leading UTF-8 octet (byte 0xFF)");
}

}  // namespace
}  // namespace nodenet::cli_test
