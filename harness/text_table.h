// Plain-text tables for the terminal: every column as wide as its widest
// cell, so nothing is cut and long cells (a library's configuration, a CPU
// model, a class check) push their column out instead of breaking the rows
// below. Used by the measurement table, certify and devices --topology.
#pragma once

#include <string>
#include <vector>

namespace flopscope {

struct TextColumn {
  bool right_aligned = false;  // numbers
  size_t gap = 1;              // spaces before the column (none before the first)
};

// One line per row (no newline), cells padded to their column's width; the
// last column is not padded, so lines carry no trailing spaces. Rows may be
// shorter than `columns`; a row's missing cells are empty.
std::vector<std::string> format_columns(const std::vector<std::vector<std::string>>& rows,
                                        const std::vector<TextColumn>& columns);

}  // namespace flopscope
