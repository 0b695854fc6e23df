#include "kernels/peak/hip/peak_mfma.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/gpu_runtime.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/gemm/hip/mfma_tile.h"

namespace flopscope::peak::hip {

namespace {

using flopscope::gemm::hip::kWaveLanes;
using flopscope::gemm::hip::Mfma;
using flopscope::gemm::hip::mfma_op_for;
using flopscope::gemm::hip::mfma_shape;
using flopscope::gemm::hip::MfmaOp;
using flopscope::gemm::hip::MfmaShape;

constexpr int kWavesPerBlock = 4;  // one per SIMD of a CU
constexpr int kBlocksPerCu = 8;    // 8 waves per SIMD: enough to keep the matrix pipe busy
constexpr int kThreadsPerBlock = kWavesPerBlock * kWaveLanes;

// Operands: A all kA, B all kB, so each instruction adds K kA kB to every
// accumulator element: K/8 (1 for K = 8, 2 for K = 16, 1/2 for K = 4), a
// multiple of 1/2 that keeps FP32 and FP64 sums exact. INT8 uses 2 x -3 (a
// negative product, so a signed/unsigned mix-up shows): -6 K per step.
constexpr double kA = 0.5, kB = 0.25;
constexpr int kAInt = 2, kBInt = -3;

// The starting value of accumulator register r of chain c in lane `lane` of
// wave `wave`: a small whole number, different for neighbouring lanes,
// chains and registers, so that a result in the wrong place is caught.
__host__ __device__ inline int start_value(int64_t wave, int lane, int chain, int reg) {
  return static_cast<int>((wave * 131 + lane * 7 + chain * 3 + reg) % 256);
}

// Bits of one element holding `v` (0.5, 0.25, 2 or -3) in the op's format.
uint64_t element_bits(MfmaOp op, const std::string& arch, double v) {
  switch (op) {
    case MfmaOp::f16_32x32x8:
      return v == kA ? 0x3800 : 0x3400;  // FP16 0.5, 0.25
    case MfmaOp::bf16_32x32x8_1k:
    case MfmaOp::bf16_32x32x4:
      return v == kA ? 0x3f00 : 0x3e80;  // BF16 0.5, 0.25
    case MfmaOp::fp8_32x32x16:
      // gfx94x's e4m3 is the FNUZ variant (exponent bias 8); gfx950's is
      // OCP e4m3 (bias 7), one exponent step apart.
      if (arch == "gfx950") return v == kA ? 0x30 : 0x28;
      return v == kA ? 0x38 : 0x30;
    case MfmaOp::i8_32x32x8:
    case MfmaOp::i8_32x32x16:
      return static_cast<uint8_t>(static_cast<int8_t>(v));
    case MfmaOp::f64_16x16x4: {
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      return bits;
    }
  }
  return 0;
}

// A lane's operand register(s): k_per_lane copies of the element.
uint64_t operand_bits(MfmaOp op, const std::string& arch, double v) {
  const MfmaShape s = mfma_shape(op);
  const uint64_t e = element_bits(op, arch, v);
  if (s.element_bytes == 8) return e;
  uint64_t bits = 0;
  for (int j = 0; j < s.k_per_lane; ++j) bits |= e << (8 * s.element_bytes * j);
  return bits;
}

double increment(MfmaOp op) {
  const MfmaShape s = mfma_shape(op);
  const bool integer = op == MfmaOp::i8_32x32x8 || op == MfmaOp::i8_32x32x16;
  return integer ? s.k * double(kAInt) * kBInt : s.k * kA * kB;
}

// Each wave chains kMfmaChains accumulator tiles through `rounds` x
// kMfmaStepsPerRound instructions; every lane then writes all its
// accumulators. The operands arrive as bits (the host has no _Float16
// vectors) and are reinterpreted here.
template <MfmaOp kOp>
__global__ void __launch_bounds__(kThreadsPerBlock)
    mfma_chain_kernel(int64_t rounds, uint64_t a_bits, uint64_t b_bits,
                      typename Mfma<kOp>::Scalar* out) {
  using M = Mfma<kOp>;
  constexpr int kRegs = mfma_shape(kOp).c_registers();
  const int64_t thread = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  const int64_t wave = thread / kWaveLanes;
  const int lane = static_cast<int>(threadIdx.x % kWaveLanes);
  typename M::Operand a, b;
  __builtin_memcpy(&a, &a_bits, sizeof a);
  __builtin_memcpy(&b, &b_bits, sizeof b);
  typename M::Acc acc[kMfmaChains];
#pragma unroll
  for (int c = 0; c < kMfmaChains; ++c)
#pragma unroll
    for (int r = 0; r < kRegs; ++r)
      acc[c][r] = static_cast<typename M::Scalar>(start_value(wave, lane, c, r));
  for (int64_t round = 0; round < rounds; ++round) {
#pragma unroll 4
    for (int s = 0; s < kMfmaStepsPerRound; ++s) {
#pragma unroll
      for (int c = 0; c < kMfmaChains; ++c) acc[c] = M::run(a, b, acc[c]);
    }
  }
#pragma unroll
  for (int c = 0; c < kMfmaChains; ++c)
#pragma unroll
    for (int r = 0; r < kRegs; ++r) out[(thread * kMfmaChains + c) * kRegs + r] = acc[c][r];
}

template <MfmaOp kOp>
class MfmaPeakRun final : public KernelRun {
 public:
  using Scalar = typename Mfma<kOp>::Scalar;
  static constexpr MfmaShape kShape = mfma_shape(kOp);

  MfmaPeakRun(const flopscope::gpu::GpuKernelContext& ctx, Precision p, int64_t rounds)
      : device_(ctx.ordinal), pinning_(ctx.host_pus), p_(p), rounds_(rounds) {
    blocks_ = ctx.units * kBlocksPerCu;
    threads_ = int64_t(blocks_) * kThreadsPerBlock;
    out_ = flopscope::gpu::DeviceBuffer<Scalar>(threads_ * kMfmaChains * kShape.c_registers());
    const bool integer = p == Precision::int8;
    a_bits_ = operand_bits(kOp, ctx.arch, integer ? kAInt : kA);
    b_bits_ = operand_bits(kOp, ctx.arch, integer ? kBInt : kB);
  }

  std::string implementation() const override {
    return std::string("flopscope peak MFMA ").append(kShape.name) +
           std::string(" ").append(std::string(to_string(p_))) +
           std::string(" chains (").append(std::to_string(kMfmaChains)) +
           std::string(" per wave, ").append(std::to_string(threads_ / kWaveLanes)) +
           " waves), HIP";
  }
  double flop_per_iteration() const override {
    return kShape.flop() * double(threads_ / kWaveLanes) * kMfmaChains * kMfmaStepsPerRound *
           double(rounds_);
  }
  double bytes_per_iteration() const override { return 0; }
  PeakUnit peak_unit() const override { return PeakUnit::matrix; }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start();
    for (int64_t i = 0; i < iterations; ++i)
      mfma_chain_kernel<kOp><<<blocks_, kThreadsPerBlock>>>(rounds_, a_bits_, b_bits_, out_.get());
    flopscope::gpu::check_launch("MFMA chains");
    return timer_.stop_seconds();
  }

  Verification verify() override {
    device_.select();
    std::vector<Scalar> host(out_.size());
    flopscope::gpu::check(gpuMemcpy(host.data(), out_.get(), out_.bytes(), gpuMemcpyDeviceToHost),
                          "copying MFMA results");
    Verification v;
    v.checked = true;
    v.tolerance = 0;
    const int regs = kShape.c_registers();
    const double steps = double(rounds_) * kMfmaStepsPerRound;
    const double inc = increment(kOp);
    int64_t bad = 0;
    for (int64_t i = 0; i < static_cast<int64_t>(host.size()); ++i) {
      const int64_t thread = i / (kMfmaChains * regs);
      const int chain = static_cast<int>(i / regs % kMfmaChains), reg = static_cast<int>(i % regs);
      const double want =
          start_value(thread / kWaveLanes, int(thread % kWaveLanes), chain, reg) + steps * inc;
      const double got = static_cast<double>(host[i]);
      if (got != want) {
        ++bad;
        v.max_error = std::max(
            v.max_error,
            std::isnan(got) ? INFINITY : std::fabs(got - want) / std::max(1.0, std::fabs(want)));
      }
    }
    v.passed = bad == 0;
    v.detail = std::string("every accumulator element (").append(std::to_string(host.size())) +
               ") exactly equal to start + steps x K x a x b";
    if (bad) v.detail += std::string(": ").append(std::to_string(bad)) + " differ";
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    const Scalar bad = static_cast<Scalar>(-12345);
    flopscope::gpu::check(gpuMemcpy(out_.get() + element % int64_t(out_.size()), &bad, sizeof bad,
                                    gpuMemcpyHostToDevice),
                          "corrupting");
    return true;
  }

 private:
  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  Precision p_;
  int64_t rounds_;
  int blocks_ = 0;
  int64_t threads_ = 0;
  uint64_t a_bits_ = 0, b_bits_ = 0;
  flopscope::gpu::DeviceBuffer<Scalar> out_;
  flopscope::gpu::EventTimer timer_;
};

std::string no_mfma_reason(const std::string& arch, Precision p) {
  if (arch.empty()) return "the GPU's gfx target is unknown, so no MFMA instruction is chosen";
  if (!flopscope::gemm::hip::has_mfma_units(arch)) return arch + " has no MFMA units";
  if (p == Precision::fp32 || p == Precision::tf32)
    return "no MFMA peak chain for " + std::string(to_string(p)) +
           " (its peak is the vector FMA chain)";
  if (arch == "gfx950")
    return "gfx950's double-rate " + std::string(to_string(p)) +
           " MFMA instructions are not written yet (the CDNA3 ones run at half its rate)";
  return arch + " has no " + std::string(to_string(p)) + " MFMA instruction";
}

}  // namespace

bool has_mfma_chain(const flopscope::gpu::GpuKernelContext& c, Precision p) {
  return mfma_op_for(c.arch, p).has_value();
}

int64_t default_mfma_rounds(Precision p, bool) {
  // One round: 4 chains x 1024 steps per wave, ~3500 waves on an MI250X GCD:
  // about 1.2 ms for FP16 32x32x8 at its 1024 FLOP/clock/CU, 0.6 ms for FP64.
  switch (p) {
    case Precision::fp64:
    case Precision::fp8:
      return 16;
    default:
      return 8;
  }
}

double mfma_increment(const std::string& arch, Precision p) {
  const std::optional<MfmaOp> op = mfma_op_for(arch, p);
  return op ? increment(*op) : 0.0;
}

std::unique_ptr<KernelRun> make_mfma_peak_run(const flopscope::gpu::GpuKernelContext& c,
                                              const KernelRequest& request,
                                              std::string* unsupported) {
  const Precision p = request.precision;
  const int64_t rounds = request.size.get("rounds");
  auto refuse = [&](std::string why) -> std::unique_ptr<KernelRun> {
    if (unsupported) *unsupported = std::move(why);
    return nullptr;
  };
  const std::optional<MfmaOp> op = mfma_op_for(c.arch, p);
  if (!op) return refuse(no_mfma_reason(c.arch, p));
  if (c.wave_size != kWaveLanes)
    return refuse(std::string("MFMA needs 64-lane waves; this GPU reports ")
                      .append(std::to_string(c.wave_size)));
  if (rounds <= 0 || rounds * kMfmaStepsPerRound > kMaxMfmaSteps)
    return refuse(std::string("MFMA peak rounds must be 1..")
                      .append(std::to_string(kMaxMfmaSteps / kMfmaStepsPerRound)));
  switch (*op) {
    case MfmaOp::f16_32x32x8:
      return std::make_unique<MfmaPeakRun<MfmaOp::f16_32x32x8>>(c, p, rounds);
    case MfmaOp::bf16_32x32x8_1k:
      return std::make_unique<MfmaPeakRun<MfmaOp::bf16_32x32x8_1k>>(c, p, rounds);
    case MfmaOp::bf16_32x32x4:
      return std::make_unique<MfmaPeakRun<MfmaOp::bf16_32x32x4>>(c, p, rounds);
    case MfmaOp::i8_32x32x8:
      return std::make_unique<MfmaPeakRun<MfmaOp::i8_32x32x8>>(c, p, rounds);
    case MfmaOp::i8_32x32x16:
      return std::make_unique<MfmaPeakRun<MfmaOp::i8_32x32x16>>(c, p, rounds);
    case MfmaOp::fp8_32x32x16:
      return std::make_unique<MfmaPeakRun<MfmaOp::fp8_32x32x16>>(c, p, rounds);
    case MfmaOp::f64_16x16x4:
      return std::make_unique<MfmaPeakRun<MfmaOp::f64_16x16x4>>(c, p, rounds);
  }
  return refuse("unknown MFMA instruction");
}

}  // namespace flopscope::peak::hip
