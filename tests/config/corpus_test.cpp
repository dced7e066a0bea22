// Every file of the shared Talos corpus gets Talos's verdict under the network rules
// (../shared/corpus/talos-configs/SOURCES.tsv says how Talos treats each file). Errors Talos
// raises outside networking (CA, install disk, etcd) are not nodenet's business and are not
// expected here. Strategic-merge patch fragments are validated as standalone configs: nodenet
// cannot know the base they will be merged into, so a fragment without `machine.type` is a worker.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/validate.h"
#include "schema/schema_check.h"
#include "tests/shared_dir.h"

namespace nodenet::config {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = testing_support::talos_corpus_dir();

constexpr const char* kWorkerVip = "virtual (shared) IP is not allowed on non-controlplane nodes";

// File -> the error messages nodenet must report (empty: the file is valid).
const std::map<std::string, std::multiset<std::string>> kVerdicts = {
    {"decoder-controlplane.yaml", {}},
    {"decoder-worker.yaml", {}},
    {"decoder-double-v1alpha1.yaml", {"duplicate document /v1alpha1/ is not allowed (line 1)"}},
    {"configloader-controlplane.test", {}},
    {"configloader-worker.test", {}},
    {"configloader-multidoc3.test", {}},
    {"configpatcher-apply-config.yaml", {}},
    // Fragments: no machine.type, so a worker, and a worker may not carry a VIP.
    {"configpatcher-apply-strategic2.yaml", {kWorkerVip}},
    {"configpatcher-apply-strategic3.yaml", {}},
    {"configpatcher-apply-expected.yaml", {kWorkerVip}},
    {"configpatcher-patchdelete-config.yaml", {}},
    // `$patch: delete` directives are not config keys: Talos parses them only while patching.
    {"configpatcher-patchdelete-strategic1.yaml",
     {"unknown key \"$patch\"", "expected a scalar, found a mapping"}},
    {"strategic-001-right.yaml", {}},
    {"strategic-001-expected.yaml", {}},
    {"strategic-003-left.yaml", {}},
    {"strategic-003-right.yaml", {kWorkerVip}},
    {"strategic-003-expected.yaml", {}},
    {"stability-v1.11-base-controlplane.yaml", {}},
    {"stability-v1.11-base-worker.yaml", {}},
    {"stability-v1.13-base-controlplane.yaml", {}},
    {"stability-v1.15-base-controlplane.yaml", {}},
    {"configdiff-modified.yaml", {}},
    // Discovery enabled without cluster.id/secret; the control-plane endpoint is present, so
    // Talos reaches the discovery checks.
    {"hcloud-userdata-plain.yaml",
     {"cluster discovery service requires .cluster.id", "cluster discovery service requires .cluster.secret"}},
    {"hostnameconfig.yaml", {}},
    {"resolverconfig.yaml", {}},
    {"statichostconfig.yaml", {}},
    {"linkconfig.yaml", {}},
    {"bondconfig.yaml", {}},
    {"bridgeconfig.yaml", {}},
    {"vlanconfig.yaml", {}},
    {"wireguardconfig.yaml", {}},
    {"dummylinkconfig.yaml", {}},
    {"layer2vipconfig.yaml", {}},
    {"hcloudvipconfig.yaml", {}},
    {"dhcpv4config.yaml", {}},
    {"dhcpv6config.yaml", {}},
    {"ethernetconfig.yaml", {}},
    {"kubespanconfig.yaml", {}},
    {"kubespanendpointsconfig.yaml", {}},
    {"linkaliasconfig.yaml", {}},
    {"discoveryserviceconfig.yaml", {}},
    {"discoveryidentityconfig.yaml", {}},
};

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> listed_files() {
    std::vector<std::string> files;
    std::istringstream tsv(read_file(kCorpus / "SOURCES.tsv"));
    std::string line;
    std::getline(tsv, line);  // header
    while (std::getline(tsv, line))
        if (!line.empty()) files.push_back(line.substr(0, line.find('\t')));
    return files;
}

TEST(TalosCorpus, EveryFileGetsTalossVerdict) {
    if (!fs::exists(kCorpus / "SOURCES.tsv"))
        GTEST_SKIP() << "the shared Talos corpus is not at " << kCorpus << "; these verdicts were not checked";
    auto schema = schema::SchemaChecker::load();
    ASSERT_TRUE(schema.ok()) << schema.error();
    std::vector<std::string> files = listed_files();
    ASSERT_EQ(files.size(), kVerdicts.size()) << "a corpus file has no verdict here, or a verdict has no file";
    for (const std::string& name : files) {
        auto verdict = kVerdicts.find(name);
        ASSERT_NE(verdict, kVerdicts.end()) << name << " has no expected verdict";
        Validation v = validate(read_file(kCorpus / name), *schema, Options{});
        std::multiset<std::string> errors;
        std::string all;
        for (const Diagnostic& d : v.diagnostics.items()) {
            if (d.severity == Severity::Error) errors.insert(d.message);
            all += "\n  " + std::to_string(d.mark.line) + ":" + std::to_string(d.mark.column) + " " +
                   severity_name(d.severity) + " " + d.path + ": " + d.message;
        }
        EXPECT_EQ(errors, verdict->second) << name << all;
    }
}

}  // namespace
}  // namespace nodenet::config
