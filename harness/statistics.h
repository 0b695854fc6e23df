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

// Repetitions whose coefficient of variation is above this disagree by more
// than the differences flopscope's users judge by (a 3% ratio between two
// libraries, a 5% soak drop): the table marks such a figure "noisy" and
// says why. It stays a valid, verified figure; the cv is in the result.
inline constexpr double kNoisyCv = 0.05;

}  // namespace flopscope
