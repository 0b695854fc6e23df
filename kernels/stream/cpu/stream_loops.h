// The CPU stream loops, one per instruction set, behind plain functions so
// the instruction set is chosen by cpuid at run time. As with the stencil's
// sweeps, the files that define them are built with that set's flags and
// instantiate templates only on their own local types.
#pragma once

#include <cstdint>

#include "kernels/stream/stream_spec.h"

namespace flopscope::stream::cpu {

// One thread's share of one pass: elements [begin, end) of a, b and c, with
// `begin` on a 64-byte line.
template <typename T>
struct StreamTask {
  Op op = Op::copy;
  T* a = nullptr;
  const T* b = nullptr;
  const T* c = nullptr;  // triad only
  T scalar = T(0);
  int64_t begin = 0, end = 0;
  bool streaming_stores = false;  // non-temporal stores: no write-allocate
};

void stream_generic(const StreamTask<double>& t);
void stream_generic(const StreamTask<float>& t);

#if defined(__x86_64__)
void stream_avx2(const StreamTask<double>& t);  // needs AVX2 and FMA
void stream_avx2(const StreamTask<float>& t);
void stream_avx512(const StreamTask<double>& t);  // needs AVX-512F
void stream_avx512(const StreamTask<float>& t);
#endif

}  // namespace flopscope::stream::cpu
