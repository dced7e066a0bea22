// Tables for people: the first row is the header, columns padded to their widest cell.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nodenet::cli {

using TableRow = std::vector<std::string>;

// `gap` spaces between columns: 2 as `ip -br` and `kubectl get` print, 3 as talosctl's tabwriter.
// The last column is not padded.
void print_table(std::ostream& out, const std::vector<TableRow>& rows, size_t gap = 2);

}  // namespace nodenet::cli
