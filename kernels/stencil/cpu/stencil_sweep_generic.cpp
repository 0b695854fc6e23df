// Portable sweeps: plain C++ one point at a time, left to the compiler's
// own vectorisation for the build's baseline instruction set. The fallback
// for CPUs without AVX2 and for non-x86 machines; no streaming stores.
#include "kernels/stencil/cpu/stencil_sweeps.h"
#include "kernels/stencil/stencil_spec.h"

namespace flopscope::stencil::cpu {

namespace {

template <typename Scalar>
struct Portable {
  using T = Scalar;
  using V = Scalar;
  static constexpr int W = 1;
  static V set1(T a) { return a; }
  static V loadu(const T* p) { return *p; }
  static V add(V a, V b) { return a + b; }
  static V mul(V a, V b) { return a * b; }
  static V madd(V a, V b, V c) { return a * b + c; }
  static void store(T* p, V v) { *p = v; }
  static void stream(T* p, V v) { *p = v; }
  static void fence() {}
  static void prefetch(const T*) {}
};

#include "kernels/stencil/cpu/stencil_sweep_body.h"

}  // namespace

void sweep_generic(const SweepTask<double>& t) {
  SweepTask<double> cached = t;
  cached.streaming_stores = false;
  sweep_dispatch<Portable<double>>(cached);
}
void sweep_generic(const SweepTask<float>& t) {
  SweepTask<float> cached = t;
  cached.streaming_stores = false;
  sweep_dispatch<Portable<float>>(cached);
}

}  // namespace flopscope::stencil::cpu
