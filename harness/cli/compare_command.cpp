// `flopscope compare a.json b.json ...`.
#include <iostream>

#include "harness/cli/cli.h"
#include "harness/compare.h"
#include "harness/errors.h"
#include "harness/json_file.h"

namespace flopscope::cli {

int compare_command(const CompareOptions& o) {
  if (o.files.size() < 2) throw UsageError("compare: give two or more result files");
  std::vector<CompareRun> runs;
  for (const auto& f : o.files) {
    JsonText j = read_json_file(f);
    require_result_schema(j.doc, f);
    runs.push_back({f, std::move(j.doc)});
  }
  print_comparison(std::cout, runs);
  return kExitOk;
}

}  // namespace flopscope::cli
