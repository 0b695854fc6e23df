// `flopscope compare a.json b.json ...`: runs side by side, per device,
// kernel, precision and size, with the ratio of each to the first, flagging
// differences beyond the runs' own variation (their coefficients of
// variation). Files of a schema major version this build does not read are
// refused with one line (exit 2).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace flopscope {

struct CompareRun {
  std::string name;  // the file path, for headers
  nlohmann::json doc;
};

// Whether a ratio between two figures is beyond their own variation: more
// than twice their combined CV, and never less than 1%.
bool beyond_variation(double ratio, double cv_a, double cv_b);

// Prints the comparison; returns the number of flagged differences.
int print_comparison(std::ostream& os, const std::vector<CompareRun>& runs);

}  // namespace flopscope
