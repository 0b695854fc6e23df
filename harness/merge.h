// Joining the partial result files of a rack run's ranks into one result:
// device ids qualified by node ("node3/cuda:5"), a section per node, the
// rack total per class, and outliers (devices and nodes below the median of
// their identical peers). Rank 0 does this after gathering over MPI, and
// `flopscope merge` does it from the files when the job died first.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flopscope {

inline constexpr double kDefaultPeerTolerance = 0.05;

struct PartialResult {
  std::string path;  // for messages
  nlohmann::json doc;
  std::string text = {};  // the file as read, for the line in a message; may be empty
};

struct MergeOutcome {
  nlohmann::json doc;
  std::vector<int> missing_ranks;  // no file at all
  std::vector<int> died_ranks;     // a file still saying "running": the rank died mid-run
  int exit_code = 0;    // 3 missing or dead ranks; 130 a rank was interrupted; then as for run
  std::string summary;  // one line
};

// Throws UsageError (exit 2) for a file that is not a partial result of
// this schema, ranks that disagree on the job size, or a rank given twice.
MergeOutcome merge_partials(const std::vector<PartialResult>& parts,
                            double peer_tolerance = kDefaultPeerTolerance,
                            const std::string& gathered_by = "flopscope merge");

// The partial file of a rank next to the final output: run.json ->
// run.rank3.json (run.csv -> run.rank3.csv).
std::string partial_path(const std::string& output, int rank);

}  // namespace flopscope
