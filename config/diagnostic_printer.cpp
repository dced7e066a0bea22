#include "config/diagnostic_printer.h"

#include <string>

namespace nodenet::config {

namespace {

const char* color_of(config::Severity s) {
    switch (s) {
        case config::Severity::Error: return "\033[1;31m";
        case config::Severity::Warning: return "\033[1;35m";
        case config::Severity::Note: return "\033[1;36m";
    }
    return "";
}

// Spaces up to the caret: tabs stay tabs so the caret lines up under them.
std::string caret_padding(std::string_view line, uint32_t column) {
    std::string pad;
    uint32_t chars = 1;
    for (size_t i = 0; i < line.size() && chars < column; ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: same character
        pad += c == '\t' ? '\t' : ' ';
        ++chars;
    }
    return pad;
}

// Control characters from the config (in a quoted source line, or in a key that became part of a
// path) would garble the terminal or split one diagnostic over several lines for a CI parser.
std::string printable(std::string_view line) {
    std::string s;
    s.reserve(line.size());
    for (char ch : line) {
        unsigned char c = static_cast<unsigned char>(ch);
        s += (c < 0x20 && c != '\t') || c == 0x7F ? '?' : ch;
    }
    return s;
}

}  // namespace

std::string_view source_line(std::string_view source, uint32_t line) {
    size_t start = 0;
    for (uint32_t l = 1; l < line; ++l) {
        size_t nl = source.find('\n', start);
        if (nl == std::string_view::npos) return {};
        start = nl + 1;
    }
    size_t end = source.find('\n', start);
    std::string_view text = source.substr(start, end == std::string_view::npos ? source.size() - start : end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
}

void print_text(std::ostream& os, std::string_view file, std::string_view source,
                const config::Diagnostics& diagnostics, const TextStyle& style) {
    const char* bold = style.color ? "\033[1m" : "";
    const char* reset = style.color ? "\033[0m" : "";
    const char* green = style.color ? "\033[1;32m" : "";
    for (const config::Diagnostic& d : diagnostics.items()) {
        os << bold << file << ':' << d.mark.line << ':' << d.mark.column << ":" << reset << ' '
           << (style.color ? color_of(d.severity) : "") << config::severity_name(d.severity) << ':' << reset << ' ';
        if (!d.path.empty()) os << printable(d.path) << ": ";
        os << printable(d.message) << '\n';
        std::string_view line = d.mark.line ? source_line(source, d.mark.line) : std::string_view();
        if (line.empty()) continue;
        std::string number = std::to_string(d.mark.line);
        os << ' ' << number << " | " << printable(line) << '\n'
           << ' ' << std::string(number.size(), ' ') << " | " << caret_padding(line, d.mark.column) << green << '^'
           << reset << '\n';
    }
}

void append_json(nlohmann::json& array, std::string_view file, const config::Diagnostics& diagnostics) {
    for (const config::Diagnostic& d : diagnostics.items()) {
        array.push_back({{"file", file},
                         {"line", d.mark.line},
                         {"column", d.mark.column},
                         {"severity", config::severity_name(d.severity)},
                         {"path", d.path},
                         {"message", d.message}});
    }
}

}  // namespace nodenet::config
