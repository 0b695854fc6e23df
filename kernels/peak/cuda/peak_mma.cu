#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/peak/cuda/peak_mma.h"

namespace flopscope::peak::cuda {

namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kBlocksPerSm = 8;

// Operand values: A all kA, B all kB, each mma adds K * kA * kB to every
// accumulator element (a whole number, so FP32 sums stay exact).
constexpr double kA = 0.5, kB = 0.25;  // FP16/BF16/FP8: K=16 or 32 -> 2 or 4 per mma
constexpr int kAInt = 2, kBInt = 3;    // INT8: K=32 -> 192 per mma

int mma_k(Precision p) {
  return p == Precision::fp16 || p == Precision::bf16 ? 16 : 32;
}

uint32_t pack2(uint16_t lo, uint16_t hi) {
  return uint32_t(lo) | (uint32_t(hi) << 16);
}

// 32-bit registers holding two FP16/BF16 or four 8-bit copies of the operand.
uint32_t operand_bits(Precision p, double v) {
  switch (p) {
    case Precision::fp16: {
      const uint16_t u = v == 0.5 ? 0x3800 : 0x3400;  // 0.5, 0.25
      return pack2(u, u);
    }
    case Precision::bf16: {
      const uint16_t u = v == 0.5 ? 0x3f00 : 0x3e80;  // 0.5, 0.25
      return pack2(u, u);
    }
    case Precision::fp8: {
      // e4m3: 0.5 = 0x30, 0.25 = 0x28 (bias 7).
      const uint32_t byte = v == 0.5 ? 0x30 : 0x28;
      return byte * 0x01010101u;
    }
    default: {
      const uint32_t byte = static_cast<uint8_t>(static_cast<int8_t>(v));
      return byte * 0x01010101u;
    }
  }
}

template <int kKind>  // 0 fp16, 1 bf16, 2 int8, 3 fp8
__device__ inline void mma(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  if constexpr (kKind == 0) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  } else if constexpr (kKind == 1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  } else if constexpr (kKind == 3) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 890
    asm volatile(
        "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
    __trap();  // never launched: the host refuses FP8 before sm_89
#endif
  }
}

__device__ inline void mma_s8(int (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Each warp chains kMmaChains accumulator tiles; every lane writes its 4
// elements of each. `start` differs per warp so a mixed-up output is seen.
template <int kKind, typename Acc>
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    mma_chain_kernel(int64_t rounds, uint32_t a_bits, uint32_t b_bits, Acc* out) {
  const int64_t warp = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / 32;
  const uint32_t a[4] = {a_bits, a_bits, a_bits, a_bits};
  const uint32_t b[2] = {b_bits, b_bits};
  Acc d[kMmaChains][4];
#pragma unroll
  for (int c = 0; c < kMmaChains; ++c)
#pragma unroll
    for (int e = 0; e < 4; ++e) d[c][e] = static_cast<Acc>(warp % 64);
  for (int64_t r = 0; r < rounds; ++r) {
#pragma unroll 4
    for (int s = 0; s < kMmaStepsPerRound; ++s) {
#pragma unroll
      for (int c = 0; c < kMmaChains; ++c) {
        if constexpr (std::is_same_v<Acc, int>)
          mma_s8(d[c], a, b);
        else
          mma<kKind>(d[c], a, b);
      }
    }
  }
  const int64_t base = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) * kMmaChains * 4;
#pragma unroll
  for (int c = 0; c < kMmaChains; ++c)
#pragma unroll
    for (int e = 0; e < 4; ++e) out[base + c * 4 + e] = d[c][e];
}

int kind_of(Precision p) {
  switch (p) {
    case Precision::fp16:
      return 0;
    case Precision::bf16:
      return 1;
    case Precision::int8:
      return 2;
    default:
      return 3;
  }
}

template <typename Acc>
class MmaPeakRun final : public KernelRun {
 public:
  MmaPeakRun(const flopscope::gpu::GpuKernelContext& ctx, Precision p, int64_t rounds)
      : device_(ctx.ordinal), pinning_(ctx.host_pus), p_(p), rounds_(rounds) {
    blocks_ = ctx.units * kBlocksPerSm;
    threads_ = int64_t(blocks_) * kWarpsPerBlock * 32;
    out_ = flopscope::gpu::DeviceBuffer<Acc>(threads_ * kMmaChains * 4);
    const bool integer = p == Precision::int8;
    a_bits_ = operand_bits(p, integer ? kAInt : kA);
    b_bits_ = operand_bits(p, integer ? kBInt : kB);
  }
  std::string implementation() const override {
    return std::string("flopscope peak mma.sync m16n8k").append(std::to_string(mma_k(p_))) +
           std::string(" ").append(std::string(to_string(p_))) +
           std::string(" chains (").append(std::to_string(kMmaChains)) + " per warp), CUDA";
  }
  double flop_per_iteration() const override {
    return mma_flop(p_) * double(threads_ / 32) * kMmaChains * kMmaStepsPerRound * rounds_;
  }
  double bytes_per_iteration() const override { return 0; }
  PeakUnit peak_unit() const override { return PeakUnit::matrix; }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start();
    for (int64_t i = 0; i < iterations; ++i) launch();
    flopscope::gpu::check_launch("mma chains");
    return timer_.stop_seconds();
  }

  Verification verify() override {
    device_.select();
    std::vector<Acc> host(out_.size());
    flopscope::gpu::check(cudaMemcpy(host.data(), out_.get(), out_.bytes(), cudaMemcpyDeviceToHost),
                          "copying mma results");
    Verification v;
    v.checked = true;
    v.tolerance = 0;
    int64_t bad = 0;
    const int64_t steps = rounds_ * kMmaStepsPerRound;
    for (int64_t i = 0; i < static_cast<int64_t>(host.size()); ++i) {
      const int64_t warp = i / (32 * kMmaChains * 4);
      const double want = mma_expected(p_, double(warp % 64), steps);
      const double got = static_cast<double>(host[i]);
      if (got != want) {
        ++bad;
        v.max_error =
            std::max(v.max_error, std::isnan(got) ? INFINITY : std::fabs(got - want) / want);
      }
    }
    v.passed = bad == 0;
    v.detail = std::string("every accumulator element (").append(std::to_string(host.size())) +
               ") exactly equal to start + steps x K x a x b";
    if (bad) v.detail += std::string(": ").append(std::to_string(bad)) + " differ";
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    const Acc bad = static_cast<Acc>(-12345);
    flopscope::gpu::check(cudaMemcpy(out_.get() + element % int64_t(out_.size()), &bad, sizeof bad,
                                     cudaMemcpyHostToDevice),
                          "corrupting");
    return true;
  }

 private:
  void launch() {
    const unsigned threads = kWarpsPerBlock * 32;
    Acc* out = out_.get();
    if constexpr (std::is_same_v<Acc, int>) {
      mma_chain_kernel<2, int><<<blocks_, threads>>>(rounds_, a_bits_, b_bits_, out);
    } else {
      switch (kind_of(p_)) {
        case 0:
          mma_chain_kernel<0, float><<<blocks_, threads>>>(rounds_, a_bits_, b_bits_, out);
          break;
        case 1:
          mma_chain_kernel<1, float><<<blocks_, threads>>>(rounds_, a_bits_, b_bits_, out);
          break;
        default:
          mma_chain_kernel<3, float><<<blocks_, threads>>>(rounds_, a_bits_, b_bits_, out);
      }
    }
  }

  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  Precision p_;
  int64_t rounds_;
  int blocks_ = 0;
  int64_t threads_ = 0;
  uint32_t a_bits_ = 0, b_bits_ = 0;
  flopscope::gpu::DeviceBuffer<Acc> out_;
  flopscope::gpu::EventTimer timer_;
};

}  // namespace

double mma_flop(Precision p) {
  return 2.0 * 16 * 8 * mma_k(p);
}

double mma_expected(Precision p, double start, int64_t steps) {
  const double per_mma =
      p == Precision::int8 ? mma_k(p) * double(kAInt) * kBInt : mma_k(p) * kA * kB;
  return start + static_cast<double>(steps) * per_mma;
}

std::unique_ptr<KernelRun> make_mma_peak_run(const flopscope::gpu::GpuKernelContext& c,
                                             const KernelRequest& request,
                                             std::string* unsupported) {
  const Precision p = request.precision;
  const int64_t rounds = request.size.get("rounds");
  auto refuse = [&](std::string why) -> std::unique_ptr<KernelRun> {
    if (unsupported) *unsupported = std::move(why);
    return nullptr;
  };
  if (p != Precision::fp16 && p != Precision::bf16 && p != Precision::int8 && p != Precision::fp8)
    return refuse(std::string("no tensor-core peak kernel for ").append(std::string(to_string(p))) +
                  " on CUDA");
  if (c.compute_capability < 80 && p != Precision::fp16)
    return refuse(std::string("mma.sync ").append(std::string(to_string(p))) +
                  " needs sm_80 or later");
  if (p == Precision::fp8 && c.compute_capability < 89)
    return refuse("FP8 mma needs sm_89 or later");
  if (rounds <= 0 || rounds * kMmaStepsPerRound > kMaxMmaSteps)
    return refuse(std::string("tensor-core peak rounds must be 1..")
                      .append(std::to_string(kMaxMmaSteps / kMmaStepsPerRound)));
  if (p == Precision::int8) return std::make_unique<MmaPeakRun<int>>(c, p, rounds);
  return std::make_unique<MmaPeakRun<float>>(c, p, rounds);
}

}  // namespace flopscope::peak::cuda
