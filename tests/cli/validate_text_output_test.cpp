// The text output of `nodenet validate` as a person reads it: compiler-style header line, the
// source line, a caret under the column, a summary per file; and the options that change it.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/run_nodenet.h"
#include "tests/cli/sample_configs.h"

namespace nodenet::cli_test {
namespace {

// Headers of the diagnostics, one per entry: everything after "FILE:".
std::vector<std::string> headers(const std::string& out, const std::string& file) {
    std::vector<std::string> found;
    for (const std::string& line : lines_of(out))
        if (line.rfind(file + ":", 0) == 0 && line != file + ": ok") found.push_back(line.substr(file.size() + 1));
    return found;
}

TEST(CliTextOutput, DiagnosticIsHeaderSourceLineAndCaret) {
    TempDir dir;
    std::string file = dir.write("c.yaml", kTwoErrorsOneWarning);
    RunResult r = run_nodenet({"validate", file});
    std::vector<std::string> out = lines_of(r.out);
    ASSERT_GE(out.size(), 3u) << r.out;
    EXPECT_EQ(out[0], file +
                          ":7:21: error: machine.network.interfaces[0].addresses[0]: [networking.os.device.addresses] "
                          "\"eth0\": invalid CIDR address: 10.0.0.300/24");
    EXPECT_EQ(out[1], " 7 |         addresses: [10.0.0.300/24]");
    EXPECT_EQ(out[2], "   |                     ^");
}

TEST(CliTextOutput, EveryHeaderHasFileLineColumnSeverityPathAndMessage) {
    TempDir dir;
    std::string file = dir.write("c.yaml", kTwoErrorsOneWarning);
    RunResult r = run_nodenet({"validate", file});
    std::regex header(R"(^(\d+):(\d+): (error|warning|note): ([^ :]+): (.+)$)");
    std::vector<std::string> found = headers(r.out, file);
    ASSERT_EQ(found.size(), 4u) << r.out;  // three diagnostics and the summary
    for (size_t i = 0; i + 1 < found.size(); ++i) EXPECT_TRUE(std::regex_match(found[i], header)) << found[i];
}

TEST(CliTextOutput, SummaryCountsErrorsAndWarningsWithPlurals) {
    TempDir dir;
    std::string mixed = dir.write("mixed.yaml", kTwoErrorsOneWarning);
    std::string warning = dir.write("warning.yaml", kWarningOnly);
    RunResult r = run_nodenet({"validate", mixed, warning});
    std::vector<std::string> out = lines_of(r.out);
    EXPECT_NE(std::find(out.begin(), out.end(), mixed + ": 2 errors, 1 warning"), out.end()) << r.out;
    EXPECT_NE(std::find(out.begin(), out.end(), warning + ": 1 warning"), out.end()) << r.out;
    EXPECT_EQ(out.back(), warning + ": 1 warning");
}

TEST(CliTextOutput, FilesAreReportedInCommandLineOrderEachEndingWithItsSummary) {
    TempDir dir;
    std::string first = dir.write("z-first.yaml", kWarningOnly);
    std::string second = dir.write("a-second.yaml", kTwoErrorsOneWarning);
    RunResult r = run_nodenet({"validate", first, second});
    size_t first_summary = r.out.find(first + ": 1 warning\n");
    size_t second_header = r.out.find(second + ":7:21: error");
    ASSERT_NE(first_summary, std::string::npos) << r.out;
    ASSERT_NE(second_header, std::string::npos) << r.out;
    EXPECT_LT(first_summary, second_header);
}

// The three findings come from different stages (a network rule, an unknown key while decoding
// the v1alpha1 document, a value of another document kind); the user sees them by line.
TEST(CliTextOutput, AllDiagnosticsOfAFileComeInSourceOrder) {
    TempDir dir;
    std::string file = dir.write("order.yaml",
                                 "version: v1alpha1\n"
                                 "machine:\n"
                                 "  type: worker\n"
                                 "  network:\n"
                                 "    interfaces: [{interface: eth0, addresses: [10.0.0.300/24]}]\n"
                                 "    #\n    #\n    #\n    #\n    #\n    #\n"
                                 "    hostnme: node-1\n"
                                 "    #\n    #\n    #\n"
                                 "---\n"
                                 "apiVersion: v1alpha1\n"
                                 "kind: LinkConfig\n"
                                 "name: eth0\n"
                                 "mtu: 99999999999\n");
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 1);
    std::vector<std::string> found = headers(r.out, file);
    ASSERT_EQ(found.size(), 4u) << r.out;
    EXPECT_EQ(found[0].substr(0, 12), "5:48: error:");
    EXPECT_EQ(found[1], "12:5: error: machine.network.hostnme: unknown key \"hostnme\"; did you mean \"hostname\"?");
    EXPECT_EQ(found[2], "20:6: error: LinkConfig[eth0].mtu: 99999999999 is out of range for uint32");
    EXPECT_EQ(found[3], " 3 errors");
}

// Column counts characters: "ñandú→" is 6 characters in 10 bytes.
TEST(CliTextOutput, CaretAfterMultiByteCharactersSitsUnderTheValue) {
    TempDir dir;
    std::string file = dir.write("utf8.yaml",
                                 "version: v1alpha1\n"
                                 "machine:\n"
                                 "  type: worker\n"
                                 "  network:\n"
                                 "    nameservers: [10.0.0.53, \"ñandú→\", dns.example.com]\n");
    RunResult r = run_nodenet({"validate", file});
    std::vector<std::string> out = lines_of(r.out);
    ASSERT_EQ(out.size(), 7u) << r.out;
    EXPECT_EQ(out[3], file + ":5:40: warning: machine.network.nameservers[2]: nameserver \"dns.example.com\" is "
                             "not an IP address; Talos drops it silently");
    EXPECT_EQ(out[4], " 5 |     nameservers: [10.0.0.53, \"ñandú→\", dns.example.com]");
    EXPECT_EQ(out[5], "   | " + std::string(39, ' ') + "^");
}

// A tab is one column but several cells wide: the padding keeps it a tab so the caret lines up.
TEST(CliTextOutput, CaretAfterTabsKeepsTheTabs) {
    TempDir dir;
    std::string file = dir.write("tabs.yaml",
                                 "version: v1alpha1\n"
                                 "machine:\n"
                                 "  type: worker\n"
                                 "  network:\n"
                                 "    nameservers:\t[10.0.0.53,\t\tdns.example.com]\n");
    RunResult r = run_nodenet({"validate", file});
    std::vector<std::string> out = lines_of(r.out);
    ASSERT_EQ(out.size(), 4u) << r.out;
    EXPECT_EQ(out[0].substr(0, file.size() + 14), file + ":5:31: warning");
    EXPECT_EQ(out[1], " 5 |     nameservers:\t[10.0.0.53,\t\tdns.example.com]");
    EXPECT_EQ(out[2], "   | " + std::string(16, ' ') + "\t" + std::string(11, ' ') + "\t\t^");
}

TEST(CliTextOutput, GutterWidensWithTheLineNumber) {
    TempDir dir;
    std::string file = dir.write("long.yaml", std::string(kWarningOnly).insert(0, std::string(120, '\n')));
    RunResult r = run_nodenet({"validate", file});
    std::vector<std::string> out = lines_of(r.out);
    ASSERT_EQ(out.size(), 4u) << r.out;
    EXPECT_EQ(out[1], " 125 |     nameservers: [dns.example.com]");
    EXPECT_EQ(out[2], "     |                   ^");
}

TEST(CliTextOutput, NoColourCodesWhenStdoutIsNotATerminal) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", dir.write("c.yaml", kTwoErrorsOneWarning)});
    ASSERT_NE(r.out, "");
    EXPECT_EQ(r.out.find('\033'), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find('\033'), std::string::npos) << r.err;
}

bool can_open_a_terminal() { return access("/dev/ptmx", R_OK | W_OK) == 0; }

// Shows the test above would notice colours: on a terminal they are there.
TEST(CliTextOutput, ColoursOnATerminal) {
    if (!can_open_a_terminal()) GTEST_SKIP() << "no pseudo-terminals here";
    TempDir dir;
    RunOptions options;
    options.stdout_is_terminal = true;
    RunResult r = run_nodenet({"validate", dir.write("c.yaml", kTwoErrorsOneWarning)}, options);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("\033[1;31merror:"), std::string::npos) << r.out;
}

TEST(CliTextOutput, NoColourEnvironmentVariableTurnsColoursOffOnATerminal) {
    if (!can_open_a_terminal()) GTEST_SKIP() << "no pseudo-terminals here";
    TempDir dir;
    RunOptions options;
    options.stdout_is_terminal = true;
    options.extra_env = {"NO_COLOR=1"};
    RunResult r = run_nodenet({"validate", dir.write("c.yaml", kTwoErrorsOneWarning)}, options);
    ASSERT_NE(r.out.find("error:"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\033'), std::string::npos) << r.out;
}

// A key may hold any character through YAML escapes; printed raw, "\e[2J" would clear the
// user's screen and "\n" would split the diagnostic for a line-based CI parser.
TEST(CliTextOutput, ControlCharactersFromTheConfigAreNotPrintedRaw) {
    TempDir dir;
    std::string file = dir.write("escape.yaml",
                                 "version: v1alpha1\n"
                                 "machine:\n"
                                 "  type: worker\n"
                                 "  network:\n"
                                 "    \"\\e[2Jhost\\nname\\r\": node-1\n");
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 1);
    for (char c : r.out) {
        unsigned char u = static_cast<unsigned char>(c);
        EXPECT_FALSE(u < 0x20 && c != '\n' && c != '\t') << "raw control byte " << int(u) << " in:\n" << r.out;
    }
    std::vector<std::string> out = lines_of(r.out);
    ASSERT_EQ(out.size(), 4u) << r.out;
    EXPECT_EQ(out[0].substr(0, file.size() + 12), file + ":5:5: error:");
}

TEST(CliStrict, WarningOnlyConfigExitsZeroWithoutStrict) {
    TempDir dir;
    std::string file = dir.write("warn.yaml", kWarningOnly);
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(headers(r.out, file).at(0).substr(0, 14), "5:19: warning:");
}

TEST(CliStrict, StrictTurnsTheWarningIntoAnErrorAndExitsOne) {
    TempDir dir;
    std::string file = dir.write("warn.yaml", kWarningOnly);
    RunResult r = run_nodenet({"validate", "--strict", file});
    EXPECT_EQ(r.exit_code, 1);
    std::vector<std::string> found = headers(r.out, file);
    ASSERT_EQ(found.size(), 2u) << r.out;
    EXPECT_EQ(found[0].substr(0, 12), "5:19: error:");
    EXPECT_EQ(found[1], " 1 error");
}

constexpr char kHostDnsEnabled[] =
    "version: v1alpha1\n"
    "machine:\n"
    "  type: worker\n"
    "  features:\n"
    "    hostDNS: {enabled: true, forwardKubeDNSToHost: true}\n";

TEST(CliMode, HostDnsErrorsOnlyInContainerMode) {
    TempDir dir;
    std::string file = dir.write("plain.yaml", "version: v1alpha1\nmachine:\n  type: worker\n");
    for (const char* mode : {"metal", "cloud"}) {
        RunResult r = run_nodenet({"validate", "--mode", mode, file});
        EXPECT_EQ(r.exit_code, 0) << mode << '\n' << r.out;
    }
    RunResult r = run_nodenet({"validate", "--mode", "container", file});
    EXPECT_EQ(r.exit_code, 1);
    std::vector<std::string> found = headers(r.out, file);
    ASSERT_EQ(found.size(), 3u) << r.out;
    EXPECT_EQ(found[0], "2:1: error: machine.features.hostDNS.enabled: feature HostDNS should be enabled in "
                        "container mode (.machine.features.hostDNS.enabled)");
    EXPECT_EQ(found[1], "2:1: error: machine.features.hostDNS.forwardKubeDNSToHost: feature HostDNS should "
                        "forward kube-dns to host in container mode (.machine.features.hostDNS.forwardKubeDNSToHost)");
    EXPECT_EQ(found[2], " 2 errors");
}

TEST(CliMode, ContainerModeAcceptsHostDnsWhenEnabledAndForwarding) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", "-m", "container", dir.write("dns.yaml", kHostDnsEnabled)});
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(CliStdin, DashReadsStandardInputAndNamesItStdin) {
    RunResult r = run_nodenet_with_stdin({"validate", "-"}, kWarningOnly);
    EXPECT_EQ(r.exit_code, 0);
    std::vector<std::string> out = lines_of(r.out);
    ASSERT_EQ(out.size(), 4u) << r.out;
    EXPECT_EQ(out[0].substr(0, 22), "<stdin>:5:19: warning:");
    EXPECT_EQ(out[1], " 5 |     nameservers: [dns.example.com]");
    EXPECT_EQ(out[3], "<stdin>: 1 warning");
}

TEST(CliStdin, StdinAmongFilesKeepsItsPlace) {
    TempDir dir;
    std::string file = dir.write("valid.yaml", kHostDnsEnabled);
    RunResult r = run_nodenet_with_stdin({"validate", file, "-"}, kHostDnsEnabled);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, file + ": ok\n<stdin>: ok\n");
}

TEST(CliStdin, EmptyStandardInputIsAConfigNotFoundError) {
    RunResult r = run_nodenet({"validate", "-"});  // stdin is /dev/null
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "<stdin>:1:1: error: config not found\n<stdin>: 1 error\n");
}

}  // namespace
}  // namespace nodenet::cli_test
