#include "daemon/io/resource_json.h"

namespace nodenet::daemon::io {

using Json = nlohmann::ordered_json;

Json resource_metadata(const char* ns, const char* type, const std::string& id, uint64_t version) {
    return Json{{"namespace", ns}, {"type", type}, {"id", id}, {"version", version}};
}

Json ip_list(const std::vector<state::IpAddress>& list) {
    Json a = Json::array();
    for (const auto& ip : list) a.push_back(ip.str());
    return a;
}

Json prefix_list(const std::vector<state::IpPrefix>& list) {
    Json a = Json::array();
    for (const auto& p : list) a.push_back(p.str());
    return a;
}

}  // namespace nodenet::daemon::io
