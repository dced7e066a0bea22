// Exit status of `nodenet validate`, the part of its contract a CI job relies on:
// 0 no errors (warnings allowed), 1 at least one error, 2 wrong usage or an unreadable file.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/cli/run_nodenet.h"

namespace nodenet::cli_test {
namespace {

constexpr char kValidConfig[] =
    "version: v1alpha1\n"
    "machine:\n"
    "  type: worker\n"
    "  network:\n"
    "    hostname: node-1\n";

constexpr char kWarningOnlyConfig[] =
    "version: v1alpha1\n"
    "machine:\n"
    "  type: worker\n"
    "  network:\n"
    "    nameservers: [dns.example.com]\n";

constexpr char kErrorConfig[] =
    "version: v1alpha1\n"
    "machine:\n"
    "  type: worker\n"
    "  network:\n"
    "    interfaces: [{interface: eth0, addresses: [10.0.0.300/24]}]\n";

TEST(CliExitCodes, ValidConfigExitsZeroAndSaysOk) {
    TempDir dir;
    std::string file = dir.write("valid.yaml", kValidConfig);
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, file + ": ok\n");
    EXPECT_EQ(r.err, "");
}

TEST(CliExitCodes, WarningsAloneStillExitZero) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", dir.write("warn.yaml", kWarningOnlyConfig)});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(": warning: "), std::string::npos) << r.out;
}

TEST(CliExitCodes, AnyErrorExitsOne) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", dir.write("error.yaml", kErrorConfig)});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find(": error: "), std::string::npos) << r.out;
}

TEST(CliExitCodes, ErrorInOneOfSeveralFilesExitsOne) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", dir.write("a.yaml", kValidConfig), dir.write("b.yaml", kErrorConfig),
                               dir.write("c.yaml", kWarningOnlyConfig)});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
}

TEST(CliExitCodes, MissingFileExitsTwoWithItsNameOnStderr) {
    TempDir dir;
    std::string missing = (dir.path() / "missing.yaml").string();
    RunResult r = run_nodenet({"validate", missing});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
}

TEST(CliExitCodes, DirectoryExitsTwo) {
    TempDir dir;
    RunResult r = run_nodenet({"validate", dir.path().string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
}

TEST(CliExitCodes, UnreadableFileExitsTwo) {
    if (geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
    TempDir dir;
    std::string file = dir.write("secret.yaml", kValidConfig);
    std::filesystem::permissions(file, std::filesystem::perms::none);
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
}

// One bad path in a CI glob must not hide the findings in the other files.
TEST(CliExitCodes, UnreadableFileAmongOthersExitsTwoAndTheOthersAreStillReported) {
    TempDir dir;
    std::string valid = dir.write("valid.yaml", kValidConfig);
    std::string missing = (dir.path() / "missing.yaml").string();
    std::string broken = dir.write("broken.yaml", kErrorConfig);
    RunResult r = run_nodenet({"validate", valid, missing, broken});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find(valid + ": ok\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(broken + ":5:48: error: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(broken + ": 1 error\n"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

struct UsageCase {
    const char* name;
    std::vector<std::string> args;
};

class CliWrongUsage : public ::testing::TestWithParam<UsageCase> {};

TEST_P(CliWrongUsage, ExitsTwoWithAMessageOnStderrAndNothingOnStdout) {
    TempDir dir;
    std::vector<std::string> args = GetParam().args;
    // A real file, so that only the usage mistake can be the reason for the failure.
    for (std::string& a : args)
        if (a == "FILE") a = dir.write("valid.yaml", kValidConfig);
    RunResult r = run_nodenet(args);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err, "");
}

INSTANTIATE_TEST_SUITE_P(
    CliUsage, CliWrongUsage,
    ::testing::Values(UsageCase{"NoSubcommand", {}},
                      UsageCase{"UnknownSubcommand", {"frobnicate", "FILE"}},
                      UsageCase{"UnknownFlag", {"validate", "--bogus", "FILE"}},
                      UsageCase{"BadOutputFormat", {"validate", "-o", "xml", "FILE"}},
                      UsageCase{"OutputFormatMissing", {"validate", "FILE", "-o"}},
                      UsageCase{"BadMode", {"validate", "--mode", "vm", "FILE"}},
                      UsageCase{"NoFiles", {"validate"}},
                      UsageCase{"NoFilesButFlags", {"validate", "--strict", "-o", "json"}}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return std::string(info.param.name); });

TEST(CliExitCodes, HelpExitsZeroAndShowsTheUsage) {
    RunResult r = run_nodenet({"validate", "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("--strict"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--mode"), std::string::npos) << r.out;
}

TEST(CliExitCodes, TopLevelHelpExitsZero) {
    RunResult r = run_nodenet({"--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("validate"), std::string::npos) << r.out;
}

TEST(CliExitCodes, VersionExitsZeroAndPrintsTheVersion) {
    RunResult r = run_nodenet({"--version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "nodenet 0.1.0\n");
}

TEST(CliExamples, EveryShippedExampleIsValid) {
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(NODENET_SOURCE_DIR "/examples")) {
        if (entry.path().extension() != ".yaml") continue;
        ++checked;
        RunResult r = run_nodenet({"validate", entry.path().string()});
        EXPECT_EQ(r.exit_code, 0) << entry.path() << '\n' << r.out << r.err;
        EXPECT_EQ(r.out, entry.path().string() + ": ok\n");
    }
    EXPECT_GE(checked, 3);
}

TEST(CliExamples, BrokenExampleFailsWithTheDidYouMeanForVlanId) {
    std::string file = NODENET_SOURCE_DIR "/examples/broken/broken.yaml";
    RunResult r = run_nodenet({"validate", file});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find(file + ":11:13: error: machine.network.interfaces[0].vlans[0].vlanID: "
                                "unknown key \"vlanID\"; did you mean \"vlanId\"?\n"),
              std::string::npos)
        << r.out;
}

}  // namespace
}  // namespace nodenet::cli_test
