#include "harness/text_table.h"

#include <algorithm>

namespace flopscope {

std::vector<std::string> format_columns(const std::vector<std::vector<std::string>>& rows,
                                        const std::vector<TextColumn>& columns) {
  std::vector<size_t> width(columns.size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size() && c < columns.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  std::vector<std::string> lines;
  lines.reserve(rows.size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : std::string();
      if (c > 0) line.append(columns[c].gap, ' ');
      const std::string pad(width[c] - cell.size(), ' ');
      if (c + 1 == columns.size())
        line += columns[c].right_aligned ? pad + cell : cell;
      else
        line += columns[c].right_aligned ? pad + cell : cell + pad;
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace flopscope
