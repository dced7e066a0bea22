// What validation says about a config: each finding with its place in the file and its YAML path.
#pragma once

#include <string>
#include <iterator>
#include <vector>

#include "config/yaml_tree.h"

namespace nodenet::config {

enum class Severity { Error, Warning, Note };

const char* severity_name(Severity severity);

struct Diagnostic {
    Severity severity = Severity::Error;
    yaml::Mark mark;
    std::string path;     // YAML path: machine.network.interfaces[0].routes[2].gateway
    std::string message;  // names the bad value; Talos's wording where Talos has a rule
};

// Collects findings; a sink passed by reference so every rule can add to it.
class Diagnostics {
public:
    void error(yaml::Mark mark, std::string path, std::string message) {
        add(Severity::Error, mark, std::move(path), std::move(message));
    }
    void warning(yaml::Mark mark, std::string path, std::string message) {
        add(Severity::Warning, mark, std::move(path), std::move(message));
    }
    void note(yaml::Mark mark, std::string path, std::string message) {
        add(Severity::Note, mark, std::move(path), std::move(message));
    }
    void add(Severity severity, yaml::Mark mark, std::string path, std::string message) {
        items_.push_back(Diagnostic{severity, mark, std::move(path), std::move(message)});
    }

    // Under --strict every warning is an error, as with `talosctl validate --strict`.
    void promote_warnings();
    // Source order: by line, then column; findings at one place keep the order they were found.
    void sort();

    // Puts `other`'s findings at `position` of this list, as if they had been found there.
    void insert(size_t position, Diagnostics&& other) {
        items_.insert(items_.begin() + static_cast<std::ptrdiff_t>(position), std::make_move_iterator(other.items_.begin()),
                      std::make_move_iterator(other.items_.end()));
    }
    size_t size() const { return items_.size(); }

    bool has_errors() const;
    size_t count(Severity severity) const;
    const std::vector<Diagnostic>& items() const { return items_; }

private:
    std::vector<Diagnostic> items_;
};

}  // namespace nodenet::config
