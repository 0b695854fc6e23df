// FFTW 3 loaded at run time (libfftw3 / libfftw3f with their OpenMP thread
// layer), so one flopscope build runs on machines without it and says why.
// Only the handful of functions the FFT kernel calls.
#pragma once

#include <memory>
#include <string>

namespace flopscope::fft::cpu {

// T is double (libfftw3, fftw_ prefix) or float (libfftw3f, fftwf_).
// Complex arrays are interleaved T[2] (fftw_complex).
template <typename T>
struct FftwLibrary {
  using Plan = void*;
  void* (*malloc_)(size_t) = nullptr;
  void (*free_)(void*) = nullptr;
  Plan (*plan_many_dft)(int rank, const int* n, int howmany, T* in, const int* inembed, int istride,
                        int idist, T* out, const int* onembed, int ostride, int odist, int sign,
                        unsigned flags) = nullptr;
  void (*execute)(const Plan) = nullptr;
  void (*destroy_plan)(Plan) = nullptr;
  int (*import_wisdom_from_filename)(const char*) = nullptr;
  char* (*export_wisdom_to_string)() = nullptr;
  int (*init_threads)() = nullptr;            // null without a thread layer
  void (*plan_with_nthreads)(int) = nullptr;  // null without a thread layer
  std::string version;                        // "fftw-3.3.10-sse2-avx"
  std::string threading;                      // "openmp", "pthreads", or "none"
};

// The library for T, loaded once per process; nullptr with *why set when
// libfftw3 (or libfftw3f) is missing.
template <typename T>
const FftwLibrary<T>* load_fftw(std::string* why);

inline constexpr int kForward = -1;      // FFTW_FORWARD
inline constexpr int kBackward = +1;     // FFTW_BACKWARD
inline constexpr unsigned kMeasure = 0;  // FFTW_MEASURE

}  // namespace flopscope::fft::cpu
