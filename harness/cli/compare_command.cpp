// `flopscope compare a.json b.json ...`.
#include <iostream>
#include <sstream>

#include "harness/cli/cli.h"
#include "harness/compare.h"
#include "harness/errors.h"
#include "harness/json_file.h"

namespace flopscope::cli {

int compare_command(const CompareOptions& o) {
  if (o.files.size() < 2) throw UsageError("compare: give two or more result files");
  // Columns are lettered A to Z.
  if (o.files.size() > 26) throw UsageError("compare: at most 26 result files at once");
  std::vector<CompareRun> runs;
  for (const auto& f : o.files) {
    JsonText j = read_json_file(f);
    require_result_schema(j.doc, f, j.text);
    runs.push_back({f, std::move(j.doc)});
    // Each file is read alone first, so a malformed field names its file.
    std::ostringstream ignored;
    consume_document(f, [&] { return print_comparison(ignored, {runs.back()}); });
  }
  std::ostringstream table;
  print_comparison(table, runs);
  std::cout << table.str();
  return kExitOk;
}

}  // namespace flopscope::cli
