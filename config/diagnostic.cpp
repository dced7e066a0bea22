#include "config/diagnostic.h"

#include <algorithm>

namespace nodenet::config {

const char* severity_name(Severity severity) {
    switch (severity) {
        case Severity::Error: return "error";
        case Severity::Warning: return "warning";
        case Severity::Note: return "note";
    }
    return "?";
}

void Diagnostics::promote_warnings() {
    for (Diagnostic& d : items_)
        if (d.severity == Severity::Warning) d.severity = Severity::Error;
}

void Diagnostics::sort() {
    std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.mark.line != b.mark.line) return a.mark.line < b.mark.line;
        return a.mark.column < b.mark.column;
    });
}

bool Diagnostics::has_errors() const { return count(Severity::Error) > 0; }

size_t Diagnostics::count(Severity severity) const {
    return static_cast<size_t>(std::count_if(items_.begin(), items_.end(),
                                             [&](const Diagnostic& d) { return d.severity == severity; }));
}

}  // namespace nodenet::config
