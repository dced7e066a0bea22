#include "dns/dns_name.h"

#include <cstdio>

namespace nodenet::dns {

namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::string char_problem(char c) {
    switch (c) {
        case '\n': case '\r': return "contains a line break";
        case ' ': case '\t': case '\v': case '\f': return "contains whitespace";
        case '#': return "contains '#', which starts a comment in resolv.conf and /etc/hosts";
        case ';': return "contains ';', which starts a comment in resolv.conf";
        default: break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return "contains a control character";
    if (u >= 0x80) return "contains a character outside ASCII";
    return std::string("contains '") + c + "'; only letters, digits, hyphens and dots are allowed";
}

std::optional<std::string> label_problem(std::string_view label) {
    if (label.empty()) return "has an empty label";
    if (label.size() > kMaxLabel)
        return "label " + quoted_name(std::string(label.substr(0, 20)) + "...") + " is " + std::to_string(label.size()) +
               " characters long, over the limit of 63";
    if (label.front() == '-') return "label " + quoted_name(label) + " starts with a hyphen";
    if (label.back() == '-') return "label " + quoted_name(label) + " ends with a hyphen";
    return std::nullopt;
}

}  // namespace

std::optional<std::string> dns_name_problem(std::string_view name) {
    // Characters first: "contains a line break" says more about `evil\nnameserver x` than its length.
    for (char c : name)
        if (!name_char(c) && c != '.') return char_problem(c);
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) return "is empty";
    if (name.size() > kMaxName)
        return "is " + std::to_string(name.size()) + " characters long, over the limit of 253";
    for (size_t start = 0;;) {
        size_t dot = name.find('.', start);
        if (auto p = label_problem(name.substr(start, dot == std::string_view::npos ? dot : dot - start))) return p;
        if (dot == std::string_view::npos) return std::nullopt;
        start = dot + 1;
    }
}

bool valid_dns_name(std::string_view name) { return !dns_name_problem(name); }

std::string quoted_name(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '"' || c == '\\') out += std::string("\\") + c;
        else if (u < 0x20 || u == 0x7F) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", u);
            out += hex;
        } else
            out += c;
    }
    return out + "\"";
}

}  // namespace nodenet::dns
