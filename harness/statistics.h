// Summary statistics over repetitions.
#pragma once

#include <vector>

namespace flopscope {

struct Summary {
  double median = 0;
  double best = 0;  // the highest rate
  double mean = 0;
  double cv = 0;  // standard deviation / mean (sample), 0 for one value
  int count = 0;
};

Summary summarize(std::vector<double> values);

}  // namespace flopscope
