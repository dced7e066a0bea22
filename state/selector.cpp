#include "state/selector.h"

#include <array>
#include <cctype>
#include <utility>

namespace nodenet::state {

namespace {

// Each text field of a selector with the observed value it is matched against.
std::array<std::pair<const config::Text*, const std::string*>, 5> text_fields(const config::DeviceSelector& s,
                                                                             const ObservedLink& l) {
    return {{{&s.hardware_addr, &l.hardware_addr},
             {&s.permanent_addr, &l.permanent_addr},
             {&s.pci_id, &l.pci_id},
             {&s.driver, &l.driver},
             {&s.bus_path, &l.bus_path}}};
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool matches(const config::DeviceSelector& s, const ObservedLink& link, bool ignore_case) {
    for (auto [pattern, value] : text_fields(s, link)) {
        if (pattern->value.empty()) continue;  // unset: not part of the AND
        bool ok = ignore_case ? glob_match(lower(pattern->value), lower(*value)) : glob_match(pattern->value, *value);
        if (!ok) return false;
    }
    // Talos compares `physical` after the text fields; with AND semantics the order does not
    // matter, and a selector of `physical` alone selects every physical (or virtual) link.
    return !s.physical.value || *s.physical.value == link.physical;
}

bool has_any_field(const config::DeviceSelector& s) {
    return !s.hardware_addr->empty() || !s.permanent_addr->empty() || !s.pci_id->empty() || !s.driver->empty() ||
           !s.bus_path->empty() || s.physical.value.has_value();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view subject) {
    if (pattern.empty()) return subject.empty();
    if (pattern == "*") return true;
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        size_t star = pattern.find('*', start);
        parts.push_back(pattern.substr(start, star == std::string_view::npos ? star : star - start));
        if (star == std::string_view::npos) break;
        start = star + 1;
    }
    if (parts.size() == 1) return subject == pattern;
    bool leading = pattern.front() == '*', trailing = pattern.back() == '*';
    // As go-glob: each part before the last is found at its first occurrence after the previous
    // one (the first must start the subject unless the pattern starts with `*`); the last part
    // must end what remains.
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        size_t at = subject.find(parts[i]);
        if (at == std::string_view::npos || (i == 0 && !leading && at != 0)) return false;
        subject.remove_prefix(at + parts[i].size());
    }
    return trailing || subject.ends_with(parts.back());
}

std::vector<std::string> select_links(const config::DeviceSelector& selector, const KernelState& kernel) {
    std::vector<std::string> names;
    // An empty selector is refused by validation; should one get here it selects nothing rather
    // than every link of the machine.
    if (!has_any_field(selector)) return names;
    for (const ObservedLink& link : kernel.links)
        if (matches(selector, link, false)) names.push_back(link.name);
    return names;
}

std::vector<std::string> links_matching_ignoring_case(const config::DeviceSelector& selector,
                                                      const KernelState& kernel) {
    std::vector<std::string> names;
    if (!has_any_field(selector)) return names;
    for (const ObservedLink& link : kernel.links)
        if (matches(selector, link, true)) names.push_back(link.name);
    return names;
}

std::string describe_selector(const config::DeviceSelector& s) {
    static constexpr std::array<const char*, 5> keys = {"hardwareAddr", "permanentAddr", "pciID", "driver",
                                                        "busPath"};
    static const ObservedLink none;
    std::string out;
    auto add = [&out](const std::string& field) { out += (out.empty() ? "" : ", ") + field; };
    size_t i = 0;
    for (auto [pattern, value] : text_fields(s, none)) {
        (void)value;
        if (!pattern->value.empty()) add(std::string(keys[i]) + ": \"" + pattern->value + "\"");
        ++i;
    }
    if (s.physical.value) add(std::string("physical: ") + (*s.physical.value ? "true" : "false"));
    return "{" + out + "}";
}

}  // namespace nodenet::state
