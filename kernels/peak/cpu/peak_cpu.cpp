#include "kernels/peak/cpu/peak_cpu.h"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "devices/cpu/thread_pinning.h"
#include "kernels/peak/cpu/peak_chains.h"
#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::cpu {

std::string_view to_string(ChainIsa isa) {
  switch (isa) {
    case ChainIsa::avx512:
      return "avx512";
    case ChainIsa::avx2:
      return "avx2";
    case ChainIsa::neon:
      return "neon";
    case ChainIsa::scalar:
      return "scalar";
  }
  return "?";
}

ChainIsa best_chain_isa(bool has_avx512f, bool has_avx2_fma, bool has_neon) {
#if defined(__x86_64__)
  if (has_avx512f) return ChainIsa::avx512;
  if (has_avx2_fma) return ChainIsa::avx2;
  (void)has_neon;
#elif defined(__aarch64__)
  (void)has_avx512f;
  (void)has_avx2_fma;
  if (has_neon) return ChainIsa::neon;
#else
  (void)has_avx512f;
  (void)has_avx2_fma;
  (void)has_neon;
#endif
  return ChainIsa::scalar;
}

namespace {

template <typename T>
struct ChainKernel {
  ChainShape shape;
  void (*fn)(int64_t, int64_t, T*);
};

ChainKernel<double> kernel_fp64(ChainIsa isa) {
  switch (isa) {
    case ChainIsa::avx512:
      return {kAvx512Fp64, chains_fp64_avx512};
    case ChainIsa::avx2:
      return {kAvx2Fp64, chains_fp64_avx2};
    case ChainIsa::neon:
      return {kNeonFp64, chains_fp64_neon};
    default:
      return {kScalarFp64, chains_fp64_scalar};
  }
}

ChainKernel<float> kernel_fp32(ChainIsa isa) {
  switch (isa) {
    case ChainIsa::avx512:
      return {kAvx512Fp32, chains_fp32_avx512};
    case ChainIsa::avx2:
      return {kAvx2Fp32, chains_fp32_avx2};
    case ChainIsa::neon:
      return {kNeonFp32, chains_fp32_neon};
    default:
      return {kScalarFp32, chains_fp32_scalar};
  }
}

template <typename T>
class CpuPeakRun final : public KernelRun {
 public:
  CpuPeakRun(ChainKernel<T> kernel, ChainIsa isa, std::vector<int> pus, int64_t rounds)
      : kernel_(kernel), isa_(isa), pus_(std::move(pus)), rounds_(rounds) {
    threads_ = pus_.empty() ? 1 : static_cast<int>(pus_.size());
    out_.assign(static_cast<size_t>(threads_) * per_thread(), T(0));
  }

  std::string implementation() const override {
    char buf[96];
    std::snprintf(buf, sizeof buf, "flopscope-fma-chains-%s-%dx%d",
                  std::string(to_string(isa_)).c_str(), kernel_.shape.chains, kernel_.shape.lanes);
    return buf;
  }
  double flop_per_iteration() const override {
    return flop_count(threads_, rounds_, kernel_.shape.chains, kernel_.shape.lanes);
  }
  double bytes_per_iteration() const override { return 0; }  // register-resident
  PeakUnit peak_unit() const override { return PeakUnit::vector; }

  double run(int64_t iterations) override {
    auto t0 = std::chrono::steady_clock::now();
    // One parallel region for the whole batch: a region per iteration would
    // add its fork/join to every ~10 ms of work.
#pragma omp parallel num_threads(threads_)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(pus_, t);
      T* out = out_.data() + static_cast<size_t>(t) * per_thread();
      for (int64_t i = 0; i < iterations; ++i) kernel_.fn(t, rounds_, out);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  Verification verify() override {
    Verification v;
    v.checked = true;
    v.tolerance = tolerance(std::numeric_limits<T>::epsilon());
    for (int t = 0; t < threads_; ++t)
      for (int c = 0; c < kernel_.shape.chains; ++c)
        for (int l = 0; l < kernel_.shape.lanes; ++l) {
          // The start value is rounded to T first, exactly as the kernel does.
          const long double x0 = static_cast<T>(start_value(t, c, l));
          const long double want = closed_form(x0, kStepsPerRound);
          const long double got =
              out_[static_cast<size_t>(t) * per_thread() + c * kernel_.shape.lanes + l];
          const double err = static_cast<double>(std::fabs(got - want) / std::fabs(want));
          if (!(err <= v.max_error))
            v.max_error = std::isnan(err) ? INFINITY : std::max(v.max_error, err);
        }
    v.passed = v.max_error <= v.tolerance;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%d threads x %d chains x %d lanes against the closed form",
                  threads_, kernel_.shape.chains, kernel_.shape.lanes);
    v.detail = buf;
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    if (out_.empty()) return false;
    out_[static_cast<size_t>(element) % out_.size()] += T(0.5);
    return true;
  }

 private:
  size_t per_thread() const {
    return static_cast<size_t>(kernel_.shape.chains) * kernel_.shape.lanes;
  }

  ChainKernel<T> kernel_;
  ChainIsa isa_;
  std::vector<int> pus_;
  int64_t rounds_;
  int threads_ = 1;
  std::vector<T> out_;
};

}  // namespace

std::unique_ptr<KernelRun> make_cpu_peak_run(Precision p, ChainIsa isa, std::vector<int> pus,
                                             int64_t rounds) {
  if (p == Precision::fp64)
    return std::make_unique<CpuPeakRun<double>>(kernel_fp64(isa), isa, std::move(pus), rounds);
  if (p == Precision::fp32)
    return std::make_unique<CpuPeakRun<float>>(kernel_fp32(isa), isa, std::move(pus), rounds);
  return nullptr;
}

}  // namespace flopscope::peak::cpu
