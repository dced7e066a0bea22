#include "cli/table_output.h"

#include <algorithm>

namespace nodenet::cli {

void print_table(std::ostream& out, const std::vector<TableRow>& rows, size_t gap) {
    if (rows.empty()) return;
    std::vector<size_t> width(rows.front().size(), 0);
    for (const TableRow& row : rows)
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const TableRow& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size() && i < width.size()) line += std::string(width[i] - row[i].size() + gap, ' ');
        }
        out << line << '\n';
    }
}

}  // namespace nodenet::cli
