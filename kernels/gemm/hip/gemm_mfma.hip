#include "kernels/gemm/hip/gemm_mfma.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/gpu_runtime.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/gemm/gemm_spec.h"
#include "kernels/gemm/gpu/gemm_check.h"
#include "kernels/gemm/hip/mfma_tile.h"

namespace flopscope::gemm::hip {

namespace {

// Inside flopscope::gemm, a bare `gpu` would name flopscope::gemm::gpu (the
// shared checks); the runtime helpers are flopscope::gpu.
namespace rt = flopscope::gpu;

// Elements sampled for the element-wise check (the column checksums cover
// every element; these catch layout and indexing mistakes one by one).
constexpr int kSampledElements = 8;
// Columns of C copied back per chunk during the check (bounds host memory).
constexpr size_t kCheckChunkBytes = size_t{64} << 20;

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
#pragma unroll
      for (int i = 0; i < T::kTilesM; ++i)
#pragma unroll
        for (int j = 0; j < T::kTilesN; ++j) acc[i][j] = M::run(fa[i], fb[j], acc[i][j]);
    }
  }

#pragma unroll
  for (int i = 0; i < T::kTilesM; ++i)
#pragma unroll
    for (int j = 0; j < T::kTilesN; ++j)
#pragma unroll
      for (int r = 0; r < s.c_registers(); ++r) {
        const RowCol e = c_element(s, lane, r);
        const int64_t row = m0 + (wm * T::kTilesM + i) * s.m + e.row;
        const int64_t col = n0 + (wn * T::kTilesN + j) * s.n + e.col;
        c[row + col * m] = acc[i][j][r];
      }
}

// ---- Host-side inputs: a pure function of (seed, index), so the check can
// regenerate any row or column without keeping the matrices.

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// One input element: its value and its storage.
template <MfmaOp kOp>
struct Input {
  double value;
  Element<kOp> bits;
};

// Rounds the significand of a double to `keep` fraction bits (ties to even)
// with integer arithmetic (the host generates 10^8 elements and more):
// returns the rounded fraction and adjusts the binary exponent on a carry.
inline uint64_t round_fraction(uint64_t bits, int keep, int* exponent) {
  const int drop = 52 - keep;
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  uint64_t q = fraction >> drop;
  const uint64_t rest = fraction & ((uint64_t{1} << drop) - 1), half = uint64_t{1} << (drop - 1);
  q += static_cast<uint64_t>(rest > half) |
       (static_cast<uint64_t>(rest == half) & q & 1);  // no branch: rest is random
  *exponent += static_cast<int>(q >> keep);            // rounded up to the next power of two
  return q & ((uint64_t{1} << keep) - 1);
}

// Element `index` of the matrix with seed `seed`: uniform in [-1, 1),
// rounded to the format (nearest, ties to even). FP16 values below 2^-14
// (subnormal, which MI200's FP16 MFMA flushes) become 0.
template <MfmaOp kOp>
Input<kOp> input(uint64_t seed, uint64_t index) {
  const uint64_t h = mix(seed ^ mix(index));
  const double u = static_cast<double>(h >> 11) * 0x1.0p-52 - 1.0;  // exact
  if constexpr (std::is_same_v<Element<kOp>, double>) {
    return {u, u};
  } else {
    constexpr bool f16 = kOp == MfmaOp::f16_32x32x8;
    constexpr int keep = f16 ? 10 : 7, bias = f16 ? 15 : 127;
    if (u == 0 || (f16 && std::fabs(u) < 0x1.0p-14)) return {0.0, 0};
    uint64_t bits;
    std::memcpy(&bits, &u, sizeof bits);
    const uint64_t sign = bits >> 63;
    int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    const uint64_t q = round_fraction(bits, keep, &exponent);
    const uint64_t rounded = (sign << 63) | (uint64_t(exponent + 1023) << 52) | (q << (52 - keep));
    double value;
    std::memcpy(&value, &rounded, sizeof value);
    const auto storage =
        static_cast<uint16_t>((sign << 15) | (uint64_t(exponent + bias) << keep) | q);
    return {value, storage};
  }
}

std::string shape_tag(const MfmaShape& s) {  // "v_mfma_f32_32x32x8f16" -> "32x32x8f16"
  const std::string name = s.name;
  return name.substr(name.find('_', 7) + 1);
}

ErrorModel error_model(Precision p) {
  // Products of FP16/BF16 (and FP64) inputs are exact in the accumulator;
  // only its additions round, and C is the accumulator itself.
  const double u = p == Precision::fp64 ? std::ldexp(1.0, -53) : std::ldexp(1.0, -24);
  return {0, u, 0, std::ldexp(1.0, -53)};
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
        seed_a_(mix(seed)),
        seed_b_(mix(seed + 1)),
        a_(static_cast<size_t>(k * m)),
        b_(static_cast<size_t>(k * n)),
        c_(static_cast<size_t>(m * n)) {
    upload_inputs();
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
    // Column sums of C, copied back a chunk of columns at a time.
    std::vector<double> got(n_);
    const int64_t cols = std::max<int64_t>(1, kCheckChunkBytes / (sizeof(Out) * m_));
    std::vector<Out> chunk(static_cast<size_t>(std::min(cols, n_) * m_));
    for (int64_t j0 = 0; j0 < n_; j0 += cols) {
      const int64_t nc = std::min(cols, n_ - j0);
      rt::check(
          gpuMemcpy(chunk.data(), c_.get() + j0 * m_, nc * m_ * sizeof(Out), gpuMemcpyDeviceToHost),
          "copying C back");
      for (int64_t j = 0; j < nc; ++j) {
        double sum = 0;
        for (int64_t i = 0; i < m_; ++i) sum += static_cast<double>(chunk[j * m_ + i]);
        got[j0 + j] = sum;
      }
    }
    const ErrorModel e = error_model(p_);
    Verification v = gpu::compare_column_checksums(got, want_, sum_sq_, tolerance(e, k_, m_));
    gpu::add_sampled_elements(v, sampled_element_errors(), tolerance(e, k_, 1));
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    const Out bad = static_cast<Out>(12345);
    rt::check(gpuMemcpy(c_.get() + element % (m_ * n_), &bad, sizeof bad, gpuMemcpyHostToDevice),
              "corrupting an element");
    return true;
  }

 private:
  // Generates A and B on the host, a chunk of columns at a time split over
  // the host threads, uploads them, and keeps the reference checksums:
  // w[l] = sum_i op(A)[i][l] (w2: of squares), want[j] = sum_l w[l] B[l][j],
  // sum_sq[j] = sum_l w2[l] B[l][j]^2.
  void upload_inputs() {
    const int threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
    // A is k x m: column i (row i of op(A)) holds elements l + i k. Each
    // thread sums its own columns into private partials.
    std::vector<std::vector<double>> w(threads, std::vector<double>(k_, 0.0)),
        w2(threads, std::vector<double>(k_, 0.0));
    fill(a_.get(), seed_a_, m_, threads, [&](int t, int64_t, int64_t l, double x) {
      w[t][l] += x;
      w2[t][l] += x * x;
    });
    for (int t = 1; t < threads; ++t)
      for (int64_t l = 0; l < k_; ++l) {
        w[0][l] += w[t][l];
        w2[0][l] += w2[t][l];
      }
    // B is k x n: column j holds elements l + j k; one thread per column.
    want_.assign(n_, 0.0);
    sum_sq_.assign(n_, 0.0);
    fill(b_.get(), seed_b_, n_, threads, [&](int, int64_t j, int64_t l, double x) {
      want_[j] += w[0][l] * x;
      sum_sq_[j] += w2[0][l] * x * x;
    });
  }

  // Generates the k x `cols` matrix `seed` into `device`; use(thread,
  // column, l, value) sees every element once, each column on one thread.
  template <typename Use>
  void fill(E* device, uint64_t seed, int64_t cols, int threads, Use&& use) {
    constexpr int64_t kChunkElements = int64_t{1} << 24;  // per upload
    const int64_t per_chunk = std::max<int64_t>(1, kChunkElements / k_);
    std::vector<E> buf(static_cast<size_t>(std::min(per_chunk, cols) * k_));
    for (int64_t c0 = 0; c0 < cols; c0 += per_chunk) {
      const int64_t nc = std::min(per_chunk, cols - c0);
      auto work = [&](int t) {
        for (int64_t c = t; c < nc; c += threads)
          for (int64_t l = 0; l < k_; ++l) {
            const Input<kOp> x = input<kOp>(seed, static_cast<uint64_t>(l + (c0 + c) * k_));
            buf[c * k_ + l] = x.bits;
            use(t, c0 + c, l, x.value);
          }
      };
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
      rt::check(gpuMemcpy(device + c0 * k_, buf.data(), nc * k_ * sizeof(E), gpuMemcpyHostToDevice),
                "uploading GEMM inputs");
    }
  }

  // Normalised errors of a few elements C[i, j], spread over the matrix,
  // against long-double dot products of the regenerated row i of op(A) and
  // column j of B.
  std::vector<double> sampled_element_errors() {
    std::vector<double> errors, a(k_), b(k_);
    for (int s = 0; s < kSampledElements; ++s) {
      const int64_t i = (s * 7919 + 13) % m_, j = (s * 104729 + 71) % n_;
      for (int64_t l = 0; l < k_; ++l) {
        a[l] = input<kOp>(seed_a_, l + i * k_).value;
        b[l] = input<kOp>(seed_b_, l + j * k_).value;
      }
      Out c{};
      rt::check(gpuMemcpy(&c, c_.get() + i + j * m_, sizeof c, gpuMemcpyDeviceToHost),
                "copying a sampled element");
      errors.push_back(gpu::element_error(a.data(), b.data(), k_, static_cast<double>(c)));
    }
    return errors;
  }

  rt::CurrentDevice device_;
  rt::ScopedHostPinning pinning_;
  Precision p_;
  int64_t m_, n_, k_;
  uint64_t seed_a_, seed_b_;
  rt::DeviceBuffer<E> a_, b_;
  rt::DeviceBuffer<Out> c_;
  std::vector<double> want_, sum_sq_;
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
