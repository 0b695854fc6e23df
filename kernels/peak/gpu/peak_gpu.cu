// FMA-chain kernels and their run, written once for CUDA and HIP: compiled
// by nvcc into the CUDA plugin and by hipcc into the HIP plugin (the build
// asserts both compile this very file). Defines make_gpu_peak_run,
// has_vector_chain and default_rounds.

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/gpu_runtime.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/peak/gpu/peak_gpu.h"
#include "kernels/peak/gpu/peak_gpu_half.h"
#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::gpu {

namespace {

// Every round restarts each chain from its start value through an FMA with a
// runtime zero (x * 0 + x0 = x0 for finite x): the compiler cannot see that
// rounds repeat, so it cannot drop the earlier ones.
template <typename T>
__global__ void __launch_bounds__(kGpuThreadsPerBlock)
    fma_chain_kernel(int64_t rounds, T a, T b, T zero, T* out) {
  const int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  T x0[kGpuChains], x[kGpuChains];
#pragma unroll
  for (int c = 0; c < kGpuChains; ++c) x0[c] = x[c] = static_cast<T>(start_value(t, c, 0));
  for (int64_t r = 0; r < rounds; ++r) {
#pragma unroll
    for (int c = 0; c < kGpuChains; ++c) x[c] = fma(x[c], zero, x0[c]);
#pragma unroll 16
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma unroll
      for (int c = 0; c < kGpuChains; ++c) x[c] = fma(x[c], a, b);
    }
  }
#pragma unroll
  for (int c = 0; c < kGpuChains; ++c) out[t * kGpuChains + c] = x[c];
}

#if defined(__HIPCC__)
// CDNA's FP32 vector peak is the packed v_pk_fma_f32 (two FMAs per lane per
// instruction: the table's FP32 rate); a chain of scalar fma reaches half of
// it (the compiler does not pair them reliably). So on AMD the FP32 chains
// run in pairs as two-lane vectors, contracted into packed FMAs; each lane
// computes exactly its scalar chain (one rounding per step), so the output
// and its check are the scalar kernel's.
using PackedFloat = float __attribute__((ext_vector_type(2)));
static_assert(kGpuChains % 2 == 0, "FP32 chains are paired");

__global__ void __launch_bounds__(kGpuThreadsPerBlock)
    packed_fp32_chain_kernel(int64_t rounds, float a, float b, float zero, float* out) {
#pragma clang fp contract(fast)
  const int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  constexpr int kPairs = kGpuChains / 2;
  const PackedFloat a2 = {a, a}, b2 = {b, b}, zero2 = {zero, zero};
  PackedFloat x0[kPairs], x[kPairs];
#pragma unroll
  for (int c = 0; c < kPairs; ++c) {
    x0[c] = PackedFloat{static_cast<float>(start_value(t, 2 * c, 0)),
                        static_cast<float>(start_value(t, 2 * c + 1, 0))};
    x[c] = x0[c];
  }
  for (int64_t r = 0; r < rounds; ++r) {
#pragma unroll
    for (int c = 0; c < kPairs; ++c) x[c] = x[c] * zero2 + x0[c];
#pragma unroll 16
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma unroll
      for (int c = 0; c < kPairs; ++c) x[c] = x[c] * a2 + b2;
    }
  }
#pragma unroll
  for (int c = 0; c < kPairs; ++c) {
    out[t * kGpuChains + 2 * c] = x[c].x;
    out[t * kGpuChains + 2 * c + 1] = x[c].y;
  }
}
#endif

__global__ void __launch_bounds__(kGpuThreadsPerBlock)
    hfma2_chain_kernel(int64_t rounds, __half2 a, __half2 b, __half2 zero, __half2* out) {
  const int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  __half2 x0[kGpuChains], x[kGpuChains];
#pragma unroll
  for (int c = 0; c < kGpuChains; ++c) {
    x0[c] = __halves2half2(__float2half(half_start_value(t, c, 0)),
                           __float2half(half_start_value(t, c, 1)));
    x[c] = x0[c];
  }
  for (int64_t r = 0; r < rounds; ++r) {
#pragma unroll
    for (int c = 0; c < kGpuChains; ++c) x[c] = __hfma2(x[c], zero, x0[c]);
#pragma unroll 16
    for (int s = 0; s < kStepsPerRound; ++s) {
#pragma unroll
      for (int c = 0; c < kGpuChains; ++c) x[c] = __hfma2(x[c], a, b);
    }
  }
#pragma unroll
  for (int c = 0; c < kGpuChains; ++c) out[t * kGpuChains + c] = x[c];
}

// Checks every `kCheckStride`-th thread's chains (all of them would cost the
// host seconds for the FP16 emulation).
constexpr int64_t kCheckStride = 61;

template <typename T>  // double, float, or __half2 for FP16x2
class GpuPeakRun final : public KernelRun {
 public:
  static constexpr int kLanes = std::is_same_v<T, __half2> ? 2 : 1;

  GpuPeakRun(const flopscope::gpu::GpuKernelContext& ctx, int64_t rounds)
      : device_(ctx.ordinal), pinning_(ctx.host_pus), rounds_(rounds) {
    blocks_ = ctx.units * kGpuBlocksPerUnit;
    threads_ = int64_t(blocks_) * kGpuThreadsPerBlock;
    out_ = flopscope::gpu::DeviceBuffer<T>(threads_ * kGpuChains);
  }

  std::string implementation() const override {
#if defined(__HIPCC__)
    const char* fp32 = "FP32 packed fma (pairs)";
#else
    const char* fp32 = "FP32 fma";
#endif
    const char* what = std::is_same_v<T, double>  ? "FP64 fma"
                       : std::is_same_v<T, float> ? fp32
                                                  : "FP16x2 hfma2";
    return std::string("flopscope peak ") + what + " chains, " + kGpuRuntimeName +
           std::string(", ").append(std::to_string(kGpuChains)) +
           std::string(" chains x ").append(std::to_string(threads_)) + " threads";
  }
  double flop_per_iteration() const override {
    return flop_count(threads_, rounds_, kGpuChains, kLanes);
  }
  double bytes_per_iteration() const override {
    return 0;
  }
  PeakUnit peak_unit() const override {
    return PeakUnit::vector;
  }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start();
    for (int64_t i = 0; i < iterations; ++i) launch();
    flopscope::gpu::check_launch("peak chains");
    return timer_.stop_seconds();
  }

  Verification verify() override {
    device_.select();
    std::vector<T> host(threads_ * kGpuChains);
    flopscope::gpu::check(
        gpuMemcpy(host.data(), out_.get(), host.size() * sizeof(T), gpuMemcpyDeviceToHost),
        "copying chain results");
    Verification v;
    v.checked = true;
    int64_t bad = 0, checked = 0;
    if constexpr (std::is_same_v<T, __half2>) {
      v.tolerance = 0;  // bit-exact emulation
      for (int64_t t = 0; t < threads_; t += kCheckStride)
        for (int c = 0; c < kGpuChains; ++c) {
          uint16_t bits[2];
          std::memcpy(bits, &host[t * kGpuChains + c], sizeof bits);
          const double lanes[2] = {half_bits_to_double(bits[0]), half_bits_to_double(bits[1])};
          for (int l = 0; l < 2; ++l) {
            const double want = half_chain(half_start_value(t, c, l), kStepsPerRound);
            const double e = std::fabs(lanes[l] - want) / std::fabs(want);
            if (!(e <= 0)) ++bad;
            v.max_error = std::max(v.max_error, std::isnan(e) ? INFINITY : e);
            ++checked;
          }
        }
      v.detail = "FP16x2 chains bit-exact against a host emulation of every step";
    } else {
      v.tolerance = tolerance(std::is_same_v<T, double> ? DBL_EPSILON : FLT_EPSILON);
      for (int64_t t = 0; t < threads_; t += kCheckStride)
        for (int c = 0; c < kGpuChains; ++c) {
          const long double x0 = static_cast<T>(start_value(t, c, 0));
          const long double want = closed_form(x0, kStepsPerRound);
          const double e = static_cast<double>(
              std::fabs(static_cast<long double>(host[t * kGpuChains + c]) - want) / want);
          if (!(e <= v.tolerance)) ++bad;
          v.max_error = std::max(v.max_error, std::isnan(e) ? INFINITY : e);
          ++checked;
        }
      v.detail = "chains against peak_spec's closed form";
    }
    v.passed = bad == 0;
    v.detail += std::string(" (").append(std::to_string(checked)) +
                std::string(" values, every ").append(std::to_string(kCheckStride)) + "th thread)";
    if (bad) v.detail += std::string(": ").append(std::to_string(bad)) + " off";
    return v;
  }

  bool corrupt_output_for_test(int64_t) override {
    // Thread 0 is always among the checked ones.
    std::vector<unsigned char> junk(sizeof(T), 0x7f);
    flopscope::gpu::check(gpuMemcpy(out_.get(), junk.data(), sizeof(T), gpuMemcpyHostToDevice),
                          "corrupting");
    return true;
  }

 private:
  void launch() {
    if constexpr (std::is_same_v<T, __half2>) {
      const __half2 a = __float2half2_rn(static_cast<float>(kHalfMultiplier));
      const __half2 b = __float2half2_rn(static_cast<float>(kHalfAddend));
      const __half2 zero = __float2half2_rn(0.0f);
      hfma2_chain_kernel<<<blocks_, kGpuThreadsPerBlock>>>(rounds_, a, b, zero, out_.get());
    } else {
#if defined(__HIPCC__)
      if constexpr (std::is_same_v<T, float>) {
        packed_fp32_chain_kernel<<<blocks_, kGpuThreadsPerBlock>>>(
            rounds_, static_cast<float>(kMultiplier), static_cast<float>(kAddend), 0.0f,
            out_.get());
        return;
      }
#endif
      fma_chain_kernel<T><<<blocks_, kGpuThreadsPerBlock>>>(
          rounds_, static_cast<T>(kMultiplier), static_cast<T>(kAddend), T(0), out_.get());
    }
  }

  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  int64_t rounds_;
  int blocks_ = 0;
  int64_t threads_ = 0;
  flopscope::gpu::DeviceBuffer<T> out_;
  flopscope::gpu::EventTimer timer_;
};

}  // namespace

bool has_vector_chain(Precision p) {
  return p == Precision::fp64 || p == Precision::fp32 || p == Precision::fp16;
}

int64_t default_rounds(Precision p, bool) {
  switch (p) {
    case Precision::fp64:
      return 16;
    case Precision::fp32:
      return 32;
    case Precision::fp16:
      return 64;
    default:
      return 64;  // tensor-core chains (kernels/peak/cuda)
  }
}

std::unique_ptr<KernelRun> make_gpu_peak_run(const flopscope::gpu::GpuKernelContext& c,
                                             const KernelRequest& request,
                                             std::string* unsupported) {
  const int64_t rounds = request.size.get("rounds");
  if (rounds <= 0) {
    if (unsupported) *unsupported = "peak size needs rounds > 0";
    return nullptr;
  }
  switch (request.precision) {
    case Precision::fp64:
      return std::make_unique<GpuPeakRun<double>>(c, rounds);
    case Precision::fp32:
      return std::make_unique<GpuPeakRun<float>>(c, rounds);
    case Precision::fp16:
      return std::make_unique<GpuPeakRun<__half2>>(c, rounds);
    default:
      if (unsupported) *unsupported = "no vector FMA chain for this precision";
      return nullptr;
  }
}

}  // namespace flopscope::peak::gpu
