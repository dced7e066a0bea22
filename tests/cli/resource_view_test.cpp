// `nodenet get affiliates|members|identities ...`: the columns and the YAML layout of talosctl.
#include "cli/resource_view.h"
#include "cli/yaml_output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace nodenet::cli {
namespace {

using Json = nlohmann::ordered_json;

Json affiliates() {
    return Json::parse(R"J([{"metadata":{"namespace":"cluster","type":"Affiliates.cluster.talos.dev","id":"Utoh3O0Z","version":2},
        "spec":{"nodeId":"Utoh3O0Z","addresses":["10.5.0.2","2001:db8::2"],"hostname":"cp-1.lab","nodename":"cp-1",
                "operatingSystem":"Talos (v1.11.0)","machineType":"controlplane","controlPlane":{"apiServerPort":6443}}}])J");
}

TEST(ResourceView, TablesHaveTalosColumns) {
    std::ostringstream out;
    print_resources(out, "affiliates", affiliates(), "table");
    EXPECT_EQ(out.str(),
              "ID         VERSION   HOSTNAME   MACHINE TYPE   ADDRESSES\n"
              "Utoh3O0Z   2         cp-1.lab   controlplane   [\"10.5.0.2\",\"2001:db8::2\"]\n");
    std::ostringstream members;
    Json m = affiliates();
    m[0]["metadata"]["id"] = "cp-1";
    print_resources(members, "members", m, "table");
    EXPECT_NE(members.str().find("ID     VERSION   HOSTNAME   MACHINE TYPE   OS                ADDRESSES"), std::string::npos)
        << members.str();
}

TEST(ResourceView, YamlIsTalosctlsLayout) {
    std::ostringstream out;
    Json identity = Json::parse(R"J([{"metadata":{"namespace":"cluster","type":"Identities.cluster.talos.dev","id":"local","version":1},
        "spec":{"nodeId":"Utoh3O0ZvnMx3ZBRqgmUgY3TbXDnPh27uqIgmjEjoPT"}}])J");
    print_resources(out, "identities", identity, "yaml");
    EXPECT_EQ(out.str(),
              "metadata:\n    namespace: cluster\n    type: Identities.cluster.talos.dev\n    id: local\n    version: 1\n"
              "spec:\n    nodeId: Utoh3O0ZvnMx3ZBRqgmUgY3TbXDnPh27uqIgmjEjoPT\n");
    std::ostringstream two;
    Json list = affiliates();
    list.push_back(list[0]);
    print_resources(two, "affiliates", list, "yaml");
    EXPECT_NE(two.str().find("---\nmetadata:"), std::string::npos);
    EXPECT_NE(two.str().find("    addresses:\n        - \"10.5.0.2\"\n"), std::string::npos) << two.str();
}

}  // namespace
}  // namespace nodenet::cli

namespace nodenet::cli {
namespace {

TEST(YamlOutput, APlainScalarStartsWithADigitOnlyWhenNoNumberCouldBeRead) {
    std::ostringstream out;
    print_yaml_document(out, nlohmann::ordered_json{{"id", "0ff9TBXMvAs7B9yz"}, {"hex", "0x1F"}, {"time", "12:34"},
                                                    {"exp", "1e5"}, {"addr", "10.0.0.1"}, {"plain", "node-1"}},
                        4);
    EXPECT_EQ(out.str(), "id: 0ff9TBXMvAs7B9yz\nhex: \"0x1F\"\ntime: \"12:34\"\nexp: \"1e5\"\naddr: \"10.0.0.1\"\nplain: node-1\n");
}

}  // namespace
}  // namespace nodenet::cli
