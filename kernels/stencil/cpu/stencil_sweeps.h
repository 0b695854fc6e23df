// The CPU sweep kernels, one per instruction set, behind plain functions so
// the instruction set is chosen by cpuid at run time. The files that define
// them are compiled with that set's flags (see CMakeLists.txt); everything
// they include is data or templates instantiated on their own local types,
// so no code built for a wider instruction set can leak into shared inline
// functions.
#pragma once

#include <cstdint>

namespace flopscope::stencil::cpu {

// Where each point of a padded grid lives (all counts in elements). Rows are
// padded so that x = 0 of every row starts a 64-byte line: aligned vector
// stores, streaming stores included.
struct GridLayout {
  int radius = 1;
  int64_t nx = 0, ny = 0, nz = 0;  // updated (interior) points per axis
  int64_t pitch = 0;               // row stride
  int64_t plane = 0;               // plane stride
  int64_t origin = 0;              // offset of interior point (0, 0, 0)
  int64_t elements = 0;            // the whole allocation
};

// One thread's share of one sweep: interior planes [z0, z1), in y-blocks of
// `block_rows` rows (each block swept through all of the thread's planes,
// two at a time, before the next, so the planes of a block stay in cache;
// choose_block_rows sizes it).
template <typename T>
struct SweepTask {
  GridLayout grid;
  const T* in = nullptr;
  T* out = nullptr;
  const T* weights = nullptr;  // radius + 1 values, in T
  int64_t z0 = 0, z1 = 0;
  int64_t block_rows = 1;
  bool streaming_stores = false;  // non-temporal stores: no write-allocate
};

// Portable code (the compiler's own vectorisation of plain C++).
void sweep_generic(const SweepTask<double>& t);
void sweep_generic(const SweepTask<float>& t);

#if defined(__x86_64__)
void sweep_avx2(const SweepTask<double>& t);  // needs AVX2 and FMA
void sweep_avx2(const SweepTask<float>& t);
void sweep_avx512(const SweepTask<double>& t);  // needs AVX-512F
void sweep_avx512(const SweepTask<float>& t);
#endif

}  // namespace flopscope::stencil::cpu
