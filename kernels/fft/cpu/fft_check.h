// The FFT check, after the timed loop: the round trip (forward, then
// FFTW's backward transform divided by N, against the input: every output
// element feeds every round-tripped one) and a few bins against a direct
// DFT in long double. Errors normalised as fft_spec.h says.
#pragma once

#include <omp.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <vector>

namespace flopscope::fft::cpu {

// Row-major dims (FFTW order: the last varies fastest), batch transforms
// stored one after another.
struct FftShape {
  std::vector<int64_t> dims;
  int64_t batch = 1;
  int64_t points() const {
    int64_t p = 1;
    for (int64_t d : dims) p *= d;
    return p;
  }
};

// max over elements of |back/N - in| / rms(in); T is the real type of the
// interleaved complex arrays.
template <typename T>
double round_trip_error(const T* in, const T* back, const FftShape& s) {
  const int64_t total = s.points() * s.batch;
  const long double inv_n = 1.0L / static_cast<long double>(s.points());
  long double sum_sq = 0, worst = 0;
  bool nan = false;
#pragma omp parallel for reduction(+ : sum_sq) reduction(max : worst) reduction(|| : nan) \
    if (total >= (1 << 16))
  for (int64_t i = 0; i < total; ++i) {
    const long double re = in[2 * i], im = in[2 * i + 1];
    const long double dr = back[2 * i] * inv_n - re, di = back[2 * i + 1] * inv_n - im;
    sum_sq += re * re + im * im;
    const long double e = std::sqrt(dr * dr + di * di);
    if (std::isnan(e)) nan = true;
    if (e > worst) worst = e;
  }
  if (nan) return std::numeric_limits<double>::infinity();
  const long double rms = std::sqrt(sum_sq / static_cast<long double>(total));
  return rms > 0 ? static_cast<double>(worst / rms)
                 : (worst == 0 ? 0.0 : std::numeric_limits<double>::infinity());
}

// exp(-2 pi i r / n) for r in [0, n), in long double: one table per distinct
// dimension, made once.
class Twiddles {
 public:
  explicit Twiddles(const std::vector<int64_t>& dims) {
    for (int64_t n : dims) {
      std::vector<std::complex<long double>> w(static_cast<size_t>(n));
      const long double two_pi = 6.283185307179586476925286766559L;
      for (int64_t r = 0; r < n; ++r) {
        const long double a = -two_pi * static_cast<long double>(r) / static_cast<long double>(n);
        w[static_cast<size_t>(r)] = {std::cos(a), std::sin(a)};
      }
      tables_.push_back(std::move(w));
    }
  }
  const std::vector<std::complex<long double>>& operator[](size_t d) const { return tables_[d]; }

 private:
  std::vector<std::vector<std::complex<long double>>> tables_;
};

// |X[bin] - DFT(x)[bin]| / ||x||_2 for one transform; `bin` holds one index
// per dimension. x and X point at that transform's input and output.
template <typename T>
double bin_error(const T* x, const T* X, const FftShape& s, const Twiddles& w,
                 const std::vector<int64_t>& bin) {
  const size_t rank = s.dims.size();
  const int64_t n = s.points();
  long double re = 0, im = 0, norm_sq = 0;
#pragma omp parallel for reduction(+ : re, im, norm_sq) if (n >= (1 << 16))
  for (int64_t i = 0; i < n; ++i) {
    // Multi-index of element i and the product of the per-dimension twiddles.
    std::complex<long double> phase = 1;
    int64_t rest = i;
    for (size_t d = rank; d-- > 0;) {
      const int64_t nd = s.dims[d], a = rest % nd;
      rest /= nd;
      phase *= w[d][static_cast<size_t>((a * bin[d]) % nd)];
    }
    const std::complex<long double> v(x[2 * i], x[2 * i + 1]);
    const std::complex<long double> p = v * phase;
    re += p.real();
    im += p.imag();
    norm_sq += std::norm(v);
  }
  int64_t flat = 0;
  for (size_t d = 0; d < rank; ++d) flat = flat * s.dims[d] + bin[d];
  const long double dr = X[2 * flat] - re, di = X[2 * flat + 1] - im;
  const long double e = std::sqrt(dr * dr + di * di);
  if (std::isnan(e)) return std::numeric_limits<double>::infinity();
  const long double norm = std::sqrt(norm_sq);
  return norm > 0 ? static_cast<double>(e / norm)
                  : (e == 0 ? 0.0 : std::numeric_limits<double>::infinity());
}

}  // namespace flopscope::fft::cpu
