// Portable scalar chains: the fallback where no vector kernel exists yet.
#include <cmath>

#include "kernels/peak/cpu/peak_chains.h"
#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::cpu {

namespace {
template <typename T, int kChains>
void scalar_chains(int64_t thread, int64_t rounds, T* out) {
  const T a = static_cast<T>(kMultiplier), b = static_cast<T>(kAddend);
  T acc[kChains];
  for (int64_t r = 0; r < rounds; ++r) {
    for (int c = 0; c < kChains; ++c) acc[c] = static_cast<T>(start_value(thread, c, 0));
    for (int s = 0; s < kStepsPerRound; ++s)
      for (int c = 0; c < kChains; ++c) acc[c] = std::fma(acc[c], a, b);
  }
  for (int c = 0; c < kChains; ++c) out[c] = acc[c];
}
}  // namespace

void chains_fp64_scalar(int64_t thread, int64_t rounds, double* out) {
  scalar_chains<double, kScalarFp64.chains>(thread, rounds, out);
}
void chains_fp32_scalar(int64_t thread, int64_t rounds, float* out) {
  scalar_chains<float, kScalarFp32.chains>(thread, rounds, out);
}

}  // namespace flopscope::peak::cpu
