#include "kernels/gemm/hip/gemm_mfma.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/gpu_runtime.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/gemm/gemm_spec.h"
#include "kernels/gemm/hip/gemm_hip_operands.h"
#include "kernels/gemm/hip/mfma_tile.h"

namespace flopscope::gemm::hip {

namespace {

// Inside flopscope::gemm, a bare `gpu` would name flopscope::gemm::gpu (the
// shared checks); the runtime helpers are flopscope::gpu.
namespace rt = flopscope::gpu;

// The macro tile: 2 x 2 waves, each 2 x 2 MFMA tiles; depth 64 bytes of k
// for 16-bit elements (32) and 128 bytes for FP64 (16), i.e. 4 FP16 or FP64
// instructions per wave tile per LDS fill.
template <MfmaOp kOp>
struct Tiling {
  static constexpr MfmaShape s = mfma_shape(kOp);
  static constexpr int kWavesM = 2, kWavesN = 2, kTilesM = 2, kTilesN = 2;
  static constexpr int kThreads = kWavesM * kWavesN * kWaveLanes;
  static constexpr int kBlockM = kWavesM * kTilesM * s.m;
  static constexpr int kBlockN = kWavesN * kTilesN * s.n;
  static constexpr int kBlockK = s.element_bytes == 8 ? 16 : 32;
  // LDS rows padded by 16 bytes: rows stay 16-byte aligned for the vector
  // stores, and neighbouring rows start in different banks.
  static constexpr int kChunkElems = 16 / s.element_bytes;  // one 16-byte load
  static constexpr int kLds = kBlockK + kChunkElems;        // LDS row stride, elements
  static constexpr int kChunksPerRow = kBlockK / kChunkElems;
  static constexpr int kChunksPerThread = kBlockM * kChunksPerRow / kThreads;
  static_assert(kBlockM == kBlockN, "A and B tiles load alike");
  static_assert(s.m == s.n, "square MFMA tiles: the operands swap (see the k loop)");
  static_assert(kBlockM * kChunksPerRow % kThreads == 0, "whole loads per thread");
  static_assert(kBlockK % s.k == 0, "whole instructions per LDS fill");
};

int tile_mn(Precision p) {
  return p == Precision::fp64 ? Tiling<MfmaOp::f64_16x16x4>::kBlockM
                              : Tiling<MfmaOp::f16_32x32x8>::kBlockM;
}
int tile_k(Precision p) {
  return p == Precision::fp64 ? Tiling<MfmaOp::f64_16x16x4>::kBlockK
                              : Tiling<MfmaOp::f16_32x32x8>::kBlockK;
}

// Storage of one A/B element: FP16/BF16 bits or a double.
template <MfmaOp kOp>
using Element = std::conditional_t<mfma_shape(kOp).element_bytes == 8, double, uint16_t>;

using Chunk = unsigned __attribute__((ext_vector_type(4)));  // 16 bytes

// C (column-major, ld m) = op(A) B: A is k x m (column i of A is row i of
// op(A), contiguous in k), B is k x n. Block (bx, by) computes rows
// bx kBlockM.. and columns by kBlockN..; wave (wm, wn) of it a 2 x 2 grid of
// MFMA tiles. Sizes are multiples of the tile (the host refuses others).
template <MfmaOp kOp>
__global__ void __launch_bounds__(Tiling<kOp>::kThreads)
    mfma_gemm_kernel(const Element<kOp>* __restrict__ a, const Element<kOp>* __restrict__ b,
                     typename Mfma<kOp>::Scalar* __restrict__ c, int64_t m, int64_t k) {
  using T = Tiling<kOp>;
  using M = Mfma<kOp>;
  using E = Element<kOp>;
  constexpr MfmaShape s = T::s;
  __shared__ __attribute__((aligned(16))) E as[T::kBlockM * T::kLds];
  __shared__ __attribute__((aligned(16))) E bs[T::kBlockN * T::kLds];

  const int tid = threadIdx.x;
  const int lane = tid % kWaveLanes, wave = tid / kWaveLanes;
  const int wm = wave % T::kWavesM, wn = wave / T::kWavesM;
  const int64_t m0 = int64_t(blockIdx.x) * T::kBlockM;
  const int64_t n0 = int64_t(blockIdx.y) * T::kBlockN;

  // This lane's first A and B element within an MFMA tile (the rest of its
  // k_per_lane follow contiguously in k).
  const RowK ea = a_element(s, lane, 0);
  const KCol eb = b_element(s, lane, 0);

  typename M::Acc acc[T::kTilesM][T::kTilesN];
#pragma unroll
  for (int i = 0; i < T::kTilesM; ++i)
#pragma unroll
    for (int j = 0; j < T::kTilesN; ++j)
#pragma unroll
      for (int r = 0; r < s.c_registers(); ++r) acc[i][j][r] = 0;

  for (int64_t k0 = 0; k0 < k; k0 += T::kBlockK) {
    // Global -> registers: 16-byte chunks of rows of op(A) and columns of B.
    Chunk ra[T::kChunksPerThread], rb[T::kChunksPerThread];
#pragma unroll
    for (int q = 0; q < T::kChunksPerThread; ++q) {
      const int chunk = tid + q * T::kThreads;
      const int row = chunk / T::kChunksPerRow, part = chunk % T::kChunksPerRow;
      const int64_t kk = k0 + part * T::kChunkElems;
      ra[q] = *reinterpret_cast<const Chunk*>(a + (m0 + row) * k + kk);
      rb[q] = *reinterpret_cast<const Chunk*>(b + (n0 + row) * k + kk);
    }
    __syncthreads();  // every wave is done with the previous tile
#pragma unroll
    for (int q = 0; q < T::kChunksPerThread; ++q) {
      const int chunk = tid + q * T::kThreads;
      const int row = chunk / T::kChunksPerRow, part = chunk % T::kChunksPerRow;
      *reinterpret_cast<Chunk*>(&as[row * T::kLds + part * T::kChunkElems]) = ra[q];
      *reinterpret_cast<Chunk*>(&bs[row * T::kLds + part * T::kChunkElems]) = rb[q];
    }
    __syncthreads();

#pragma unroll
    for (int ks = 0; ks < T::kBlockK; ks += s.k) {
      typename M::Operand fa[T::kTilesM], fb[T::kTilesN];
#pragma unroll
      for (int i = 0; i < T::kTilesM; ++i) {
        const int row = (wm * T::kTilesM + i) * s.m + ea.row;
        fa[i] = *reinterpret_cast<const typename M::Operand*>(&as[row * T::kLds + ks + ea.k]);
      }
#pragma unroll
      for (int j = 0; j < T::kTilesN; ++j) {
        const int col = (wn * T::kTilesN + j) * s.n + eb.col;
        fb[j] = *reinterpret_cast<const typename M::Operand*>(&bs[col * T::kLds + ks + eb.k]);
      }
      // B's fragment as the instruction's A operand and A's as its B: the
      // layouts are mirror images (test_mfma_tiles), so each accumulator
      // holds the transposed tile, and a register's value across lanes is
      // a run of consecutive rows of C: 128-byte stores instead of 32
      // scattered 4-byte ones.
#pragma unroll
      for (int i = 0; i < T::kTilesM; ++i)
#pragma unroll
        for (int j = 0; j < T::kTilesN; ++j) acc[i][j] = M::run(fb[j], fa[i], acc[i][j]);
    }
  }

#pragma unroll
  for (int i = 0; i < T::kTilesM; ++i)
#pragma unroll
    for (int j = 0; j < T::kTilesN; ++j)
#pragma unroll
      for (int r = 0; r < s.c_registers(); ++r) {
        const RowCol e = c_element(s, lane, r);  // of the transposed tile
        const int64_t row = m0 + (wm * T::kTilesM + i) * s.m + e.col;
        const int64_t col = n0 + (wn * T::kTilesN + j) * s.n + e.row;
        c[row + col * m] = acc[i][j][r];
      }
}

std::string shape_tag(const MfmaShape& s) {  // "v_mfma_f32_32x32x8f16" -> "32x32x8f16"
  const std::string name = s.name;
  return name.substr(name.find('_', 7) + 1);
}

template <MfmaOp kOp>
class MfmaGemmRun final : public KernelRun {
 public:
  using T = Tiling<kOp>;
  using E = Element<kOp>;
  using Out = typename Mfma<kOp>::Scalar;

  MfmaGemmRun(const rt::GpuKernelContext& ctx, Precision p, int64_t m, int64_t n, int64_t k,
              uint64_t seed, bool forced)
      : device_(ctx.ordinal),
        pinning_(ctx.host_pus),
        p_(p),
        m_(m),
        n_(n),
        k_(k),
        f_(*mfma_gemm_format(p)),
        a_(static_cast<size_t>(k * m)),
        b_(static_cast<size_t>(k * n)),
        c_(static_cast<size_t>(m * n)) {
    // The operands and their check are gemm_hip_operands.h's, shared with
    // rocBLAS; A is stored k x m (TN), as the kernel reads it.
    ops_ = make_gemm_operands(f_, m, n, k, seed, ALayout::k_by_m);
    static_assert(sizeof(E) == 2 || sizeof(E) == 8, "FP16/BF16 bits or FP64");
    rt::check(gpuMemcpy(a_.get(), ops_.a.data(), ops_.a.size(), gpuMemcpyHostToDevice),
              "uploading A");
    rt::check(gpuMemcpy(b_.get(), ops_.b.data(), ops_.b.size(), gpuMemcpyHostToDevice),
              "uploading B");
    ops_.a = {};  // the check keeps only sums and samples
    ops_.b = {};
    description_ = "flopscope-mfma-" + shape_tag(T::s) +
                   (forced ? " (own MFMA GEMM, chosen by --implementation)"
                           : " (own MFMA GEMM: rocBLAS not found)") +
                   std::string(", ").append(std::to_string(T::kBlockM)) + "x" +
                   std::to_string(T::kBlockN) + "x" + std::to_string(T::kBlockK) +
                   " tiles through LDS, 4 waves of 2x2 " + std::to_string(T::s.m) + "x" +
                   std::to_string(T::s.n) + " MFMA tiles, TN, " +
                   (p == Precision::fp64 ? "FP64" : "FP32 accumulate, FP32 C");
  }

  std::string implementation() const override { return description_; }
  double flop_per_iteration() const override { return flop_count(m_, n_, k_); }
  double bytes_per_iteration() const override {
    return compulsory_bytes(m_, n_, k_, sizeof(E), sizeof(Out));
  }
  PeakUnit peak_unit() const override { return PeakUnit::best; }

  double run(int64_t iterations) override {
    device_.select();
    const dim3 grid(static_cast<unsigned>(m_ / T::kBlockM), static_cast<unsigned>(n_ / T::kBlockN));
    timer_.start();
    for (int64_t i = 0; i < iterations; ++i)
      mfma_gemm_kernel<kOp><<<grid, T::kThreads>>>(a_.get(), b_.get(), c_.get(), m_, k_);
    rt::check_launch("MFMA GEMM");
    return timer_.stop_seconds();
  }

  Verification verify() override {
    device_.select();
    std::vector<unsigned char> c(static_cast<size_t>(m_ * n_) * sizeof(Out));
    rt::check(gpuMemcpy(c.data(), c_.get(), c.size(), gpuMemcpyDeviceToHost), "copying C back");
    return check_gemm_output(f_, ops_, c);
  }

  bool corrupt_output_for_test(int64_t element) override {
    const Out bad = static_cast<Out>(12345);
    rt::check(gpuMemcpy(c_.get() + element % (m_ * n_), &bad, sizeof bad, gpuMemcpyHostToDevice),
              "corrupting an element");
    return true;
  }

 private:
  rt::CurrentDevice device_;
  rt::ScopedHostPinning pinning_;
  Precision p_;
  int64_t m_, n_, k_;
  HipGemmFormat f_;
  GemmOperands ops_;
  rt::DeviceBuffer<E> a_, b_;
  rt::DeviceBuffer<Out> c_;
  rt::EventTimer timer_;
  std::string description_;
};

std::optional<MfmaOp> gemm_op(const std::string& arch, Precision p) {
  if (p != Precision::fp16 && p != Precision::bf16 && p != Precision::fp64) return std::nullopt;
  return mfma_op_for(arch, p);
}

}  // namespace

bool has_mfma_gemm(const flopscope::gpu::GpuKernelContext& c, Precision p) {
  return gemm_op(c.arch, p).has_value();
}

int mfma_gemm_tile_mn(Precision p) {
  return p == Precision::fp16 || p == Precision::bf16 || p == Precision::fp64 ? tile_mn(p) : 0;
}

int mfma_gemm_tile_k(Precision p) {
  return p == Precision::fp16 || p == Precision::bf16 || p == Precision::fp64 ? tile_k(p) : 0;
}

std::unique_ptr<KernelRun> make_mfma_gemm_run(const flopscope::gpu::GpuKernelContext& c,
                                              const KernelRequest& request,
                                              std::string* unsupported) {
  const Precision p = request.precision;
  auto refuse = [&](std::string why) -> std::unique_ptr<KernelRun> {
    if (unsupported) *unsupported = std::move(why);
    return nullptr;
  };
  const std::optional<MfmaOp> op = gemm_op(c.arch, p);
  if (!op) {
    if (p != Precision::fp16 && p != Precision::bf16 && p != Precision::fp64)
      return refuse("the own MFMA GEMM has no " + std::string(to_string(p)) +
                    " path (FP16, BF16 and FP64 only)");
    if (!has_mfma_units(c.arch))
      return refuse((c.arch.empty() ? std::string("this GPU") : c.arch) +
                    " has no MFMA units for the own GEMM");
    return refuse(c.arch + " has no " + std::string(to_string(p)) + " MFMA instruction");
  }
  if (c.wave_size != kWaveLanes)
    return refuse("the own MFMA GEMM needs 64-lane waves; this GPU reports " +
                  std::to_string(c.wave_size));
  const int64_t n = request.size.get("n");
  const int64_t m = request.size.get("m", n), k = request.size.get("k", n);
  if (m <= 0 || n <= 0 || k <= 0)
    return refuse("GEMM size " + request.size.label() + " has no m, n, k");
  const int mn = tile_mn(p), kt = tile_k(p);
  if (m % mn || n % mn || k % kt)
    return refuse("the own MFMA GEMM needs m and n multiples of " + std::to_string(mn) +
                  " and k a multiple of " + std::to_string(kt) + " (got " + request.size.label() +
                  ")");
  if (m / mn > 65535 || n / mn > 65535)
    return refuse("GEMM " + request.size.label() + " is too large");
  const int in_bytes = p == Precision::fp64 ? 8 : 2, out_bytes = p == Precision::fp64 ? 8 : 4;
  const double footprint = compulsory_bytes(m, n, k, in_bytes, out_bytes);
  if (footprint > 0.9 * static_cast<double>(c.memory_bytes))
    return refuse("GEMM " + request.size.label() + " does not fit in memory");
  const bool forced = request.implementation.rfind("flopscope-mfma", 0) == 0;
  const uint64_t seed = request.seed;
  switch (*op) {
    case MfmaOp::f16_32x32x8:
      return std::make_unique<MfmaGemmRun<MfmaOp::f16_32x32x8>>(c, p, m, n, k, seed, forced);
    case MfmaOp::bf16_32x32x8_1k:
      return std::make_unique<MfmaGemmRun<MfmaOp::bf16_32x32x8_1k>>(c, p, m, n, k, seed, forced);
    case MfmaOp::bf16_32x32x4:
      return std::make_unique<MfmaGemmRun<MfmaOp::bf16_32x32x4>>(c, p, m, n, k, seed, forced);
    case MfmaOp::f64_16x16x4:
      return std::make_unique<MfmaGemmRun<MfmaOp::f64_16x16x4>>(c, p, m, n, k, seed, forced);
    default:
      return refuse("the own MFMA GEMM has no " + std::string(to_string(p)) + " path");
  }
}

}  // namespace flopscope::gemm::hip
