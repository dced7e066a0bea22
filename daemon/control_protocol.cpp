#include "daemon/control_protocol.h"

#include <array>

namespace nodenet::daemon {

namespace {

constexpr std::array<std::pair<Op, std::string_view>, 8> kOps{{{Op::Status, "status"},
                                                                {Op::Events, "events"},
                                                                {Op::WaitOnline, "wait-online"},
                                                                {Op::Apply, "apply"},
                                                                {Op::Confirm, "confirm"},
                                                                {Op::Reload, "reload"},
                                                                {Op::Get, "get"},
                                                                {Op::Leave, "leave"}}};
constexpr size_t kMaxLinks = 256;
constexpr size_t kMaxName = 255;

Result<int64_t> integer(const nlohmann::json& j, const char* key, int64_t low, int64_t high) {
    auto it = j.find(key);
    if (it == j.end()) return int64_t{0};
    if (!it->is_number_integer()) return Error{std::string("\"") + key + "\" is not an integer"};
    int64_t v = it->get<int64_t>();
    if (v < low || v > high)
        return Error{std::string("\"") + key + "\" " + std::to_string(v) + " is outside " + std::to_string(low) + ".." +
                     std::to_string(high)};
    return v;
}

Result<bool> flag(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return false;
    if (!it->is_boolean()) return Error{std::string("\"") + key + "\" is not true or false"};
    return it->get<bool>();
}

Result<std::string> text(const nlohmann::json& j, const char* key, size_t max) {
    auto it = j.find(key);
    if (it == j.end()) return std::string();
    if (!it->is_string()) return Error{std::string("\"") + key + "\" is not a string"};
    std::string s = it->get<std::string>();
    if (s.size() > max) return Error{std::string("\"") + key + "\" is longer than " + std::to_string(max) + " bytes"};
    return s;
}

}  // namespace

bool changes_state(Op op) { return op == Op::Apply || op == Op::Confirm || op == Op::Reload || op == Op::Leave; }

std::string_view op_name(Op op) {
    for (const auto& [o, name] : kOps)
        if (o == op) return name;
    return "?";
}

Result<Request> parse_request(std::string_view line, uint64_t max_config_bytes) {
    if (line.size() > kMaxHeaderBytes) return Error{"request longer than " + std::to_string(kMaxHeaderBytes) + " bytes"};
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{"request is not a JSON object"};
    auto op = text(j, "op", 32);
    if (!op.ok()) return Error{op.error()};
    Request r;
    bool known = false;
    for (const auto& [o, name] : kOps)
        if (*op == name) r.op = o, known = true;
    if (!known) return Error{"unknown request \"" + op->substr(0, 32) + "\""};
    auto tail = integer(j, "tail", 0, 100000);
    auto follow = flag(j, "follow");
    auto any = flag(j, "any");
    auto bytes = integer(j, "config_bytes", 0, static_cast<int64_t>(max_config_bytes));
    auto confirm = integer(j, "confirm_timeout", 0, 86400);
    auto path = text(j, "config_path", 4096);
    auto output = text(j, "output", 8);
    auto kind = text(j, "kind", 32);
    auto ns = text(j, "namespace", 32);
    if (!kind.ok()) return Error{kind.error()};
    if (!ns.ok()) return Error{ns.error()};
    r.kind = *kind;
    r.ns = *ns;
    if (!tail.ok()) return Error{tail.error()};
    if (!follow.ok()) return Error{follow.error()};
    if (!any.ok()) return Error{any.error()};
    if (!bytes.ok()) return Error{bytes.error()};
    if (!confirm.ok()) return Error{confirm.error()};
    if (!path.ok()) return Error{path.error()};
    if (!output.ok()) return Error{output.error()};
    r.tail = static_cast<size_t>(*tail);
    r.follow = *follow;
    r.any = *any;
    r.config_bytes = static_cast<uint64_t>(*bytes);
    r.confirm_timeout = static_cast<int>(*confirm);
    r.config_path = *path;
    if (!output->empty()) {
        if (*output != "text" && *output != "json") return Error{"\"output\" is text or json"};
        r.output = *output;
    }
    if (auto it = j.find("links"); it != j.end()) {
        if (!it->is_array() || it->size() > kMaxLinks) return Error{"\"links\" is not a list of at most 256 names"};
        for (const auto& l : *it) {
            if (!l.is_string() || l.get<std::string>().empty() || l.get<std::string>().size() > kMaxName)
                return Error{"\"links\" holds something that is not a link name"};
            r.links.push_back(l.get<std::string>());
        }
    }
    if (r.op == Op::Apply && r.config_bytes == 0) return Error{"apply without a config (config_bytes is 0)"};
    if (r.op == Op::Get && r.kind.empty()) return Error{"get without a \"kind\""};
    return r;
}

std::string request_line(const Request& r) {
    nlohmann::json j{{"op", op_name(r.op)}};
    if (r.op == Op::Events) j["tail"] = r.tail, j["follow"] = r.follow;
    if (r.op == Op::WaitOnline) j["links"] = r.links, j["any"] = r.any;
    if (r.op == Op::Get) j["kind"] = r.kind, j["namespace"] = r.ns;
    if (r.op == Op::Apply) {
        j["config_bytes"] = r.config_bytes;
        j["config_path"] = r.config_path;
        j["confirm_timeout"] = r.confirm_timeout;
        j["output"] = r.output;
    }
    return j.dump() + "\n";
}

}  // namespace nodenet::daemon
