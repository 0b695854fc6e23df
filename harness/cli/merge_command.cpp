// `flopscope merge rank0.json rank1.json ... --output rack.json`: joins the
// partial files of a rack run whose job died before rank 0 gathered them.
#include <iostream>

#include "harness/atomic_file.h"
#include "harness/cli/cli.h"
#include "harness/errors.h"
#include "harness/json_file.h"
#include "harness/merge.h"

namespace flopscope::cli {

int merge_command(const MergeOptions& o) {
  if (o.files.empty()) throw UsageError("merge: give the ranks' partial result files");
  check_writable(o.output, "--output");
  // Merging into one of its own inputs would leave nothing to merge again.
  std::vector<std::pair<std::string, std::string>> named{{"--output", o.output}};
  for (const auto& f : o.files) named.push_back({"input", f});
  for (size_t i = 1; i < named.size(); ++i) require_distinct_files({named[0], named[i]});
  std::vector<PartialResult> parts;
  for (const auto& f : o.files) {
    JsonText j = read_json_file(f);
    parts.push_back({f, std::move(j.doc), std::move(j.text)});
  }
  MergeOutcome m = merge_partials(parts, o.peer_tolerance);
  write_file_atomically(o.output, m.doc.dump(2) + "\n");
  std::cout << "merge: " << m.summary << "\n";
  for (const auto& out : m.doc["rack"]["outliers"])
    std::cout << "outlier: " << out.value("device", out.value("node", "?")) << " "
              << out.value("class", "") << " "
              << static_cast<int>(100 * out.value("below_peer_median", 0.0) + 0.5)
              << "% below the median of " << out.value("peers", 0) << " peers\n";
  std::cout << "result: " << o.output << "\n";
  auto list = [](const std::vector<int>& v) {
    std::string s;
    for (int r : v) s += (s.empty() ? "" : ", ") + std::to_string(r);
    return (v.size() == 1 ? " " : "s ") + s;
  };
  if (!m.missing_ranks.empty() || !m.died_ranks.empty())
    std::cerr << "flopscope: merge: "
              << (m.missing_ranks.empty() ? "" : "missing rank" + list(m.missing_ranks) + "; ")
              << (m.died_ranks.empty() ? "" : "rank" + list(m.died_ranks) + " died mid-run; ")
              << "the rack result is incomplete\n";
  return m.exit_code;
}

}  // namespace flopscope::cli
