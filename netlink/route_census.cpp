#include "netlink/route_census.h"

#include <charconv>
#include <sstream>
#include <vector>

#include "store/atomic_file.h"

namespace nodenet::netlink {
namespace {

std::string_view trim_end(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return trim_end(s);
}

// "Main:", "Local:", "Id 100:": a table's heading, alone on its line and not indented.
bool is_table_heading(std::string_view line) {
    if (line.empty() || line.front() == ' ' || line.front() == '\t' || line.back() != ':') return false;
    std::string_view name = line.substr(0, line.size() - 1);
    return name == "Main" || name == "Local" || name.starts_with("Id ");
}

}  // namespace

std::optional<size_t> ipv4_routes_from_triestat(std::string_view text) {
    struct Table {
        std::string name, body;
        std::optional<size_t> prefixes;
    };
    std::vector<Table> tables;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (is_table_heading(trim_end(line))) {
            tables.push_back({std::string(trim_end(line)), "", std::nullopt});
            continue;
        }
        if (tables.empty()) continue;  // "Basic info: …"
        tables.back().body.append(line).push_back('\n');
        std::string_view t = trim(line);
        if (t.starts_with("Prefixes:")) {
            std::string_view n = trim(t.substr(9));
            size_t v = 0;
            auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
            if (ec != std::errc{} || p != n.data() + n.size()) return std::nullopt;
            tables.back().prefixes = v;
        }
    }
    if (tables.empty()) return std::nullopt;
    const Table* main = nullptr;
    for (const Table& t : tables)
        if (t.name == "Main:") main = &t;
    size_t total = 0;
    for (const Table& t : tables) {
        if (!t.prefixes) return std::nullopt;
        if (t.name == "Local:" && main && main->body == t.body) continue;  // the merged trie, shown twice
        total += *t.prefixes;
    }
    return total;
}

std::optional<size_t> ipv6_routes_from_rt6_stats(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string field;
    for (int i = 0; i < 4; ++i)
        if (!(in >> field)) return std::nullopt;
    size_t v = 0;
    auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), v, 16);
    if (ec != std::errc{} || p != field.data() + field.size()) return std::nullopt;
    return v;
}

std::optional<size_t> routes_in_namespace(const std::string& proc_net) {
    auto v4_text = store::read_file(proc_net + "/fib_triestat");
    if (!v4_text.ok()) return std::nullopt;
    auto v4 = ipv4_routes_from_triestat(*v4_text);
    if (!v4) return std::nullopt;
    auto v6_text = store::read_file(proc_net + "/rt6_stats");
    if (!v6_text.ok()) return *v4;  // a kernel without IPv6
    auto v6 = ipv6_routes_from_rt6_stats(*v6_text);
    if (!v6) return std::nullopt;
    return *v4 + *v6;
}

}  // namespace nodenet::netlink
