// The aarch64 peak chains (kernels/peak/cpu/peak_chains_neon.cpp and the
// SDOT and BFDOT chains of peak_narrow_chains_neon.cpp), built by the cross compiler
// and run under qemu by run-under-qemu.sh: every lane of every chain against
// the spec's closed form, as the peak runs check them on an Arm machine.
// qemu says nothing of speed; the instruction shape is in those files.
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>

#include "kernels/peak/cpu/peak_chains.h"
#include "kernels/peak/cpu/peak_narrow_chains.h"
#include "kernels/peak/peak_spec.h"

namespace {

using namespace flopscope::peak;
using namespace flopscope::peak::cpu;

template <typename T>
bool chains_meet_closed_form(void (*fn)(int64_t, int64_t, T*), ChainShape s, const char* name) {
  T out[256];
  bool ok = true;
  for (int64_t thread : {0, 5}) {
    fn(thread, 2, out);
    double worst = 0;
    for (int c = 0; c < s.chains; ++c)
      for (int l = 0; l < s.lanes; ++l) {
        const long double x0 = static_cast<T>(start_value(thread, c, l));
        const long double want = closed_form(x0, kStepsPerRound);
        const double err = static_cast<double>(std::fabs((out[c * s.lanes + l] - want) / want));
        if (!(err <= worst)) worst = std::isnan(err) ? INFINITY : err;
      }
    const double tol = tolerance(std::numeric_limits<T>::epsilon());
    std::printf("%s thread %lld: %d chains x %d lanes, max error %.3g (tolerance %.3g)\n", name,
                static_cast<long long>(thread), s.chains, s.lanes, worst, tol);
    ok &= worst <= tol;
  }
  // A corrupted lane must fail: the check above is not vacuous.
  fn(0, 1, out);
  out[s.chains * s.lanes - 1] += T(0.5);
  const long double x0 = static_cast<T>(start_value(0, s.chains - 1, s.lanes - 1));
  ok &= std::fabs(out[s.chains * s.lanes - 1] - closed_form(x0, kStepsPerRound)) > 0.1L;
  return ok;
}

// Dot-product chains: every lane exactly its closed form (SDOT: x0 + 6 per
// step; BFDOT: x0 + 2^-13 per step).
template <typename T, typename Start, typename Closed>
bool dot_chains_are_exact(void (*fn)(int64_t, int64_t, T*), ChainShape s, Start start,
                          Closed closed_form, const char* name) {
  T out[256];
  int wrong = 0;
  for (int64_t thread : {0, 3}) {
    fn(thread, 2, out);
    for (int c = 0; c < s.chains; ++c)
      for (int l = 0; l < s.lanes; ++l)
        wrong += out[c * s.lanes + l] != closed_form(start(thread, c, l), kStepsPerRound);
  }
  std::printf("%s: %d chains x %d lanes, %d lanes differ from the closed form\n", name, s.chains,
              s.lanes, wrong);
  return wrong == 0;
}

}  // namespace

int main() {
  const bool ok =
      chains_meet_closed_form<double>(chains_fp64_neon, kNeonFp64, "fp64 neon") &
      chains_meet_closed_form<float>(chains_fp32_neon, kNeonFp32, "fp32 neon") &
      dot_chains_are_exact<int32_t>(chains_int8_neon, kNeonInt8, narrow::int8_start_value,
                                    narrow::int8_closed_form, "int8 sdot") &
      dot_chains_are_exact<float>(chains_bf16_neon, kNeonBf16, narrow::bf16_start_value,
                                  narrow::bf16_closed_form, "bf16 bfdot");
  std::puts(ok ? "NEON chains: ok" : "NEON chains: FAILED");
  return ok ? 0 : 1;
}
