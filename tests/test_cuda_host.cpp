// Host-side pieces of the CUDA backend, tested without a GPU: GEMM tolerances
// (FP32 vs TF32), the checksum and sampled-element checks, size selection
// against memory and L2, stream values and the FP16 chain emulation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/gemm/cuda/gemm_cuda_format.h"
#include "kernels/gemm/gemm_spec.h"
#include "kernels/gemm/gpu/gemm_check.h"
#include "kernels/peak/gpu/peak_gpu_half.h"
#include "kernels/stream/gpu/stream_gpu.h"

using namespace flopscope;
using namespace flopscope::gemm::cuda;
using namespace flopscope::gemm::gpu;

namespace {

// FP32 rounded to TF32 (11 significant bits, nearest).
float to_tf32(float v) {
  int e = 0;
  std::frexp(v, &e);
  const double ulp = std::ldexp(1.0, e - 11);
  return static_cast<float>(std::nearbyint(v / ulp) * ulp);
}

// A k x m (stored, TN) times k x n GEMM accumulated in float, as the device
// check sees it: column sums of C, reference sums and sums of squares.
struct Checksums {
  std::vector<double> got, want, sum_sq;
};
Checksums simulate(int m, int n, int k, bool tf32_inputs, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> a(size_t(k) * m), b(size_t(k) * n);
  for (auto& v : a) v = u(rng);
  for (auto& v : b) v = u(rng);
  Checksums c;
  c.got.assign(n, 0);
  c.want.assign(n, 0);
  c.sum_sq.assign(n, 0);
  std::vector<double> w(k, 0), w2(k, 0);
  for (int l = 0; l < k; ++l)
    for (int i = 0; i < m; ++i) {
      w[l] += a[l + size_t(i) * k];
      w2[l] += double(a[l + size_t(i) * k]) * a[l + size_t(i) * k];
    }
  for (int j = 0; j < n; ++j) {
    for (int l = 0; l < k; ++l) {
      const double bv = b[l + size_t(j) * k];
      c.want[j] += w[l] * bv;
      c.sum_sq[j] += w2[l] * bv * bv;
    }
    for (int i = 0; i < m; ++i) {
      float acc = 0;
      for (int l = 0; l < k; ++l) {
        float x = a[l + size_t(i) * k], y = b[l + size_t(j) * k];
        if (tf32_inputs) x = to_tf32(x), y = to_tf32(y);
        acc = std::fma(x, y, acc);
      }
      c.got[j] += acc;
    }
  }
  return c;
}

}  // namespace

TEST(CudaGemmSpec, FlopCountAndToleranceOrder) {
  EXPECT_DOUBLE_EQ(gemm::flop_count(2, 3, 4), 48.0);
  const int64_t k = 8192;
  const double fp32 = gemm::tolerance(cuda_gemm_format(Precision::fp32).error, k, k);
  const double tf32 = gemm::tolerance(cuda_gemm_format(Precision::tf32).error, k, k);
  const double fp64 = gemm::tolerance(cuda_gemm_format(Precision::fp64).error, k, k);
  // TF32 rounds each input by up to 2^-11: the FP32 check must be far tighter.
  EXPECT_LT(fp32, std::ldexp(1.0, -11) / 10);
  EXPECT_GT(tf32, std::ldexp(1.0, -11));
  EXPECT_LT(fp64, 1e-12);
  EXPECT_EQ(gemm::tolerance(cuda_gemm_format(Precision::int8).error, k, k), 0.0);
}

TEST(CudaGemmCheck, Fp32PassesAndTf32FailsTheFp32Check) {
  const int m = 64, n = 64, k = 512;
  const double tol = gemm::tolerance(cuda_gemm_format(Precision::fp32).error, k, m);
  auto fp32 = simulate(m, n, k, false, 1);
  auto v = compare_column_checksums(fp32.got, fp32.want, fp32.sum_sq, tol);
  EXPECT_TRUE(v.valid()) << v.detail << " max " << v.max_error << " tol " << tol;
  auto tf32 = simulate(m, n, k, true, 1);
  v = compare_column_checksums(tf32.got, tf32.want, tf32.sum_sq, tol);
  EXPECT_FALSE(v.valid()) << "TF32 arithmetic passed the FP32 check, max " << v.max_error;
  // ... and passes its own.
  const double tf32_tol = gemm::tolerance(cuda_gemm_format(Precision::tf32).error, k, m);
  EXPECT_TRUE(compare_column_checksums(tf32.got, tf32.want, tf32.sum_sq, tf32_tol).valid());
}

TEST(CudaGemmCheck, WrongElementOrNanIsDetected) {
  const int m = 32, n = 32, k = 128;
  const double tol = gemm::tolerance(cuda_gemm_format(Precision::fp32).error, k, m);
  auto c = simulate(m, n, k, false, 2);
  ASSERT_TRUE(compare_column_checksums(c.got, c.want, c.sum_sq, tol).valid());
  auto bad = c;
  bad.got[5] += 0.01 * std::sqrt(c.sum_sq[5]);  // one element of column 5 off
  auto v = compare_column_checksums(bad.got, bad.want, bad.sum_sq, tol);
  EXPECT_FALSE(v.valid());
  EXPECT_NE(v.detail.find("worst column 5"), std::string::npos) << v.detail;
  bad = c;
  bad.got[0] = NAN;
  EXPECT_FALSE(compare_column_checksums(bad.got, bad.want, bad.sum_sq, tol).valid());
  // Mismatched lengths are never a pass.
  EXPECT_FALSE(compare_column_checksums({1.0}, {}, {}, tol).valid());
}

TEST(CudaGemmCheck, SampledElements) {
  std::vector<double> a = {0.5, -0.25, 1.0, 0.75}, b = {1.0, 2.0, -0.5, 0.25};
  const double exact = 0.5 - 0.5 - 0.5 + 0.1875;
  EXPECT_EQ(element_error(a.data(), b.data(), 4, exact), 0.0);
  EXPECT_GT(element_error(a.data(), b.data(), 4, exact + 0.01), 1e-3);
  EXPECT_TRUE(std::isinf(element_error(a.data(), b.data(), 4, NAN)));
  Verification v;
  v.checked = v.passed = true;
  add_sampled_elements(v, {0.0, 1e-9}, 1e-6);
  EXPECT_TRUE(v.valid());
  add_sampled_elements(v, {1e-3}, 1e-6);
  EXPECT_FALSE(v.valid());
}

TEST(CudaGemmSizes, H200AndSmallGpu) {
  const uint64_t h200_mem = 141ull << 30, h200_l2 = 60ull << 20;
  EXPECT_EQ(default_gemm_n(cuda_gemm_format(Precision::fp64), h200_mem, h200_l2, true), 8192);
  EXPECT_EQ(default_gemm_n(cuda_gemm_format(Precision::fp64), h200_mem, h200_l2, false), 16384);
  EXPECT_EQ(default_gemm_n(cuda_gemm_format(Precision::bf16), h200_mem, h200_l2, true), 16384);
  EXPECT_EQ(default_gemm_n(cuda_gemm_format(Precision::fp32), h200_mem, h200_l2, true), 8192);
  EXPECT_EQ(default_gemm_n(cuda_gemm_format(Precision::tf32), h200_mem, h200_l2, true), 16384);
  for (Precision p : kAllPrecisions) {
    const auto& f = cuda_gemm_format(p);
    for (uint64_t mem : {8ull << 30, 24ull << 30, 80ull << 30})
      for (bool quick : {true, false}) {
        const uint64_t l2 = 40ull << 20;
        const int64_t n = default_gemm_n(f, mem, l2, quick);
        ASSERT_GT(n, 0);
        EXPECT_EQ(n % 1024, 0);
        const int sets = gemm_buffer_sets(f, n, n, n, l2);
        EXPECT_LE(gemm_footprint_bytes(f, n, n, n, sets), mem / 4) << to_string(p);
        EXPECT_GE(uint64_t(n) * n * f.input_bytes, 4 * l2) << to_string(p);
      }
  }
  // Small matrices rotate over more than twice the L2.
  const auto& f = cuda_gemm_format(Precision::fp8);
  const int sets = gemm_buffer_sets(f, 1024, 1024, 1024, 50ull << 20);
  EXPECT_GT(uint64_t(sets) * 2 * 1024 * 1024, 2 * (50ull << 20));
  EXPECT_EQ(gemm_buffer_sets(cuda_gemm_format(Precision::fp64), 16384, 16384, 16384, 50ull << 20),
            1);
}

TEST(CudaStream, SizesAndExactValues) {
  using namespace flopscope::stream::gpu;
  EXPECT_EQ(default_stream_elements(141ull << 30, 60ull << 20, 8, false), int64_t{1} << 28);
  const int64_t small = default_stream_elements(2ull << 30, 4ull << 20, 8, false);
  EXPECT_LE(3 * 8 * uint64_t(small), (2ull << 30) / 4);
  auto sizes = stream_sizes(1000);
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0].variant, "copy");
  EXPECT_EQ(sizes[1].variant, "triad");
  EXPECT_EQ(sizes[0].get("elements"), 1024);
  EXPECT_EQ(sizes[1].get("elements"), 1024);
}

TEST(CudaPeakHalf, RoundingAndChain) {
  using namespace flopscope::peak::gpu;
  EXPECT_EQ(round_to_half(kHalfMultiplier), kHalfMultiplier);
  EXPECT_EQ(round_to_half(kHalfAddend), kHalfAddend);
  EXPECT_EQ(round_to_half(1.0 + std::ldexp(1.0, -11)), 1.0);  // tie to even
  EXPECT_EQ(round_to_half(1.0 + 3 * std::ldexp(1.0, -11)), 1.0 + std::ldexp(1.0, -9));
  EXPECT_EQ(round_to_half(0.1), 0.0999755859375);
  // The chain moves towards its fixed point 1 and every step matters.
  const double x0 = round_to_half(0.6);
  EXPECT_NE(half_chain(x0, 10), half_chain(x0, 11));
  const double x = half_chain(x0, 4096);
  EXPECT_GT(x, 0.9);
  EXPECT_LE(x, 1.0);
}

// The FP16 chains' start values are FP16 numbers, so CUDA's and HIP's
// conversions on the device are exact and the host emulation starts from
// the very values the device uses.
TEST(GpuPeakHalf, StartValuesAreHalfNumbers) {
  using namespace flopscope::peak::gpu;
  for (int64_t t = 0; t < 4096; t += 7)
    for (int c = 0; c < 8; ++c)
      for (int l = 0; l < 2; ++l) {
        const double v = half_start_value(t, c, l);
        EXPECT_EQ(round_to_half(v), v);
        EXPECT_GE(v, 0.5);
        EXPECT_LT(v, 1.5);
      }
}
