// Portable copy and triad: plain C++ left to the compiler's vectorisation
// for the build's baseline instruction set; no streaming stores.
#include "kernels/stream/cpu/stream_loops.h"

namespace flopscope::stream::cpu {

namespace {

template <typename Scalar>
struct Portable {
  using T = Scalar;
  using V = Scalar;
  static constexpr int W = 1;
  static V set1(T a) { return a; }
  static V load(const T* p) { return *p; }
  static V madd(V a, V b, V c) { return a * b + c; }
  static void store(T* p, V v) { *p = v; }
  static void stream(T* p, V v) { *p = v; }
  static void fence() {}
};

#include "kernels/stream/cpu/stream_loop_body.h"

template <typename T>
void run_cached(const StreamTask<T>& t) {
  StreamTask<T> cached = t;
  cached.streaming_stores = false;
  stream_dispatch<Portable<T>>(cached);
}

}  // namespace

void stream_generic(const StreamTask<double>& t) {
  run_cached(t);
}
void stream_generic(const StreamTask<float>& t) {
  run_cached(t);
}

}  // namespace flopscope::stream::cpu
