#include "cli/resource_view.h"

#include <algorithm>
#include <iostream>

#include "cli/daemon_command.h"
#include "cli/table_output.h"
#include "cli/yaml_output.h"

namespace nodenet::cli {

namespace {

using Json = nlohmann::ordered_json;
using Row = TableRow;

std::string text(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

// ["10.0.0.1","fd00::1"], as talosctl prints a list in a column.
std::string list_cell(const Json& spec, const char* key) {
    auto it = spec.find(key);
    if (it == spec.end() || !it->is_array()) return "[]";
    return it->dump();
}

Row header(const std::string& kind) {
    if (kind == "identities") return {"ID", "VERSION", "NODE ID"};
    if (kind == "affiliates") return {"ID", "VERSION", "HOSTNAME", "MACHINE TYPE", "ADDRESSES"};
    if (kind == "members") return {"ID", "VERSION", "HOSTNAME", "MACHINE TYPE", "OS", "ADDRESSES"};
    if (kind == "discoveryconfig") return {"ID", "VERSION", "DISCOVERY ENABLED"};
    if (kind == "kubespanidentities") return {"ID", "VERSION", "ADDRESS", "PUBLICKEY"};
    if (kind == "kubespanpeerspecs") return {"ID", "VERSION", "LABEL", "ENDPOINTS"};
    if (kind == "kubespanpeerstatuses") return {"ID", "VERSION", "LABEL", "ENDPOINT", "STATE", "RX", "TX"};
    if (kind == "kubespanendpoints") return {"ID", "VERSION", "ENDPOINT", "AFFILIATE ID"};
    return {"ID", "VERSION", "ADDRESSES"};  // nodeaddresses
}

Row row(const std::string& kind, const Json& r) {
    const Json& m = r["metadata"];
    const Json& s = r["spec"];
    Row out{text(m, "id"), text(m, "version")};
    if (kind == "identities") {
        out.push_back(text(s, "nodeId"));
    } else if (kind == "affiliates") {
        out.insert(out.end(), {text(s, "hostname"), text(s, "machineType"), list_cell(s, "addresses")});
    } else if (kind == "members") {
        out.insert(out.end(), {text(s, "hostname"), text(s, "machineType"), text(s, "operatingSystem"), list_cell(s, "addresses")});
    } else if (kind == "discoveryconfig") {
        out.push_back(text(s, "discoveryEnabled"));
    } else if (kind == "kubespanidentities") {
        out.insert(out.end(), {text(s, "address"), text(s, "publicKey")});
    } else if (kind == "kubespanpeerspecs") {
        out.insert(out.end(), {text(s, "label"), list_cell(s, "endpoints")});
    } else if (kind == "kubespanpeerstatuses") {
        out.insert(out.end(), {text(s, "label"), text(s, "endpoint"), text(s, "state"), text(s, "receiveBytes"),
                               text(s, "transmitBytes")});
    } else if (kind == "kubespanendpoints") {
        out.insert(out.end(), {text(s, "endpoint"), text(s, "affiliateID")});
    } else {
        out.push_back(list_cell(s, "addresses"));
    }
    return out;
}


}  // namespace

const std::vector<std::string>& daemon_resource_kinds() {
    static const std::vector<std::string> kinds{"identities",         "affiliates",        "members",
                                                "discoveryconfig",    "nodeaddresses",     "kubespanidentities",
                                                "kubespanpeerspecs",  "kubespanpeerstatuses", "kubespanendpoints"};
    return kinds;
}

void print_resources(std::ostream& out, const std::string& kind, const Json& resources, const std::string& output) {
    if (output == "json") {
        // One object a line per resource would break `jq .`; an array reads everywhere.
        out << resources.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
        return;
    }
    if (output == "yaml") {
        bool first = true;
        for (const Json& r : resources) {
            if (!first) out << "---\n";
            first = false;
            print_yaml_document(out, r, 4);
        }
        return;
    }
    std::vector<Row> rows{header(kind)};
    for (const Json& r : resources) rows.push_back(row(kind, r));
    print_table(out, rows, 3);  // talosctl's tabwriter
}

int run_get_resources(const std::filesystem::path& runtime_dir, const std::string& kind, const std::string& ns,
                      const std::string& output) {
    daemon::Request r;
    r.op = daemon::Op::Get;
    r.kind = kind;
    r.ns = ns;
    return call_daemon(runtime_dir, r, "", [&](const nlohmann::ordered_json& line) {
        if (!line.contains("resources")) return;
        print_resources(std::cout, kind, Json(line["resources"]), output);
        std::cout.flush();
    });
}

}  // namespace nodenet::cli
