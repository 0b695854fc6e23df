#include "harness/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace flopscope {

Summary summarize(std::vector<double> v) {
  Summary s;
  s.count = static_cast<int>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  s.best = v.back();
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  if (n > 1 && s.mean != 0) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.cv = std::sqrt(ss / (n - 1)) / std::fabs(s.mean);
  }
  return s;
}

}  // namespace flopscope
