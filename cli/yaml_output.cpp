#include "cli/yaml_output.h"

#include <cctype>
#include <cstdio>
#include <set>
#include <string>

namespace nodenet::cli {

namespace {

using Json = nlohmann::ordered_json;


// A plain scalar only when no YAML 1.1 reader could take it for anything but this string: letters,
// digits and `_-./`, not a boolean or null word, and, when it starts with a digit (a base62 node
// ID may), holding a letter no number can have. MACs and addresses (`12:34:56` is a sexagesimal
// integer in YAML 1.1) are therefore quoted.
bool plain_yaml(const std::string& s) {
    static const std::set<std::string> kReserved = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
    if (s.empty()) return false;
    if (std::isdigit(static_cast<unsigned char>(s[0]))) {
        // 0x1F, 0o17, 0b101, 1e5 and 1_000 are numbers, 12:34 a sexagesimal; a letter none of them
        // can hold makes a string. Addresses (10.0.0.1, 192.0.2.10/24) stay quoted.
        static const std::string kNumberLetters = "abcdefABCDEFxXoObB";
        bool letter = false;
        for (char c : s)
            if (std::isalpha(static_cast<unsigned char>(c)) && kNumberLetters.find(c) == std::string::npos) letter = true;
        if (!letter) return false;
    } else if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) {
        return false;
    }
    std::string lower;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '_' && c != '-' && c != '.' && c != '/') return false;
        lower += static_cast<char>(std::tolower(u));
    }
    return !kReserved.count(lower);
}

std::string yaml_string(const std::string& s) {
    if (plain_yaml(s)) return s;
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string yaml_scalar(const Json& v) {
    if (v.is_null()) return "null";
    if (v.is_string()) return yaml_string(v.get<std::string>());
    if (v.is_object()) return "{}";
    if (v.is_array()) return "[]";
    return v.dump();  // numbers and booleans read the same in YAML
}

void write_yaml_value(std::ostream& out, const Json& v, int indent, int step);

void write_yaml_mapping(std::ostream& out, const Json& object, int indent, bool first_inline, int step) {
    bool first = true;
    for (const auto& [key, value] : object.items()) {
        if (!(first && first_inline)) out << std::string(static_cast<size_t>(indent), ' ');
        first = false;
        out << yaml_string(key) << ':';
        write_yaml_value(out, value, indent + step, step);
    }
}

void write_yaml_sequence(std::ostream& out, const Json& array, int indent, int step) {
    for (const Json& item : array) {
        out << std::string(static_cast<size_t>(indent), ' ') << '-';
        if (item.is_object() && !item.empty()) {
            out << std::string(static_cast<size_t>(step - 1), ' ');
            write_yaml_mapping(out, item, indent + step, true, step);
        } else {
            write_yaml_value(out, item, indent + step, step);
        }
    }
}

// Writes what follows a "key:" or "-": a scalar on the same line, a collection on the next ones.
void write_yaml_value(std::ostream& out, const Json& v, int indent, int step) {
    if (v.is_object() && !v.empty()) {
        out << '\n';
        write_yaml_mapping(out, v, indent, false, step);
    } else if (v.is_array() && !v.empty()) {
        out << '\n';
        write_yaml_sequence(out, v, indent, step);
    } else {
        out << ' ' << yaml_scalar(v) << '\n';
    }
}

}  // namespace

void print_yaml(std::ostream& out, const Json& array, int step) {
    if (array.empty()) {
        out << "[]\n";
        return;
    }
    write_yaml_sequence(out, array, 0, step);
}

void print_yaml_document(std::ostream& out, const Json& object, int step) {
    if (object.empty()) {
        out << "{}\n";
        return;
    }
    write_yaml_mapping(out, object, 0, false, step);
}

}  // namespace nodenet::cli
