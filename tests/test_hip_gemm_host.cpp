// The HIP GEMM's host half: operands on the format's grid, the check of a
// copied-back C (a correct product passes, one wrong element anywhere
// fails), and the default sizes. No GPU needed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kernels/gemm/hip/gemm_hip_operands.h"

using namespace flopscope;
using namespace flopscope::gemm::hip;

namespace {

// C = A B on the host in long double, stored in the output format.
std::vector<unsigned char> host_product(const HipGemmFormat& f, const GemmOperands& ops,
                                        const std::vector<unsigned char>& a,
                                        const std::vector<unsigned char>& b,
                                        ALayout layout = ALayout::m_by_k) {
  const int eb = element_bytes(f.output);
  std::vector<unsigned char> c(static_cast<size_t>(ops.m * ops.n * eb));
  for (int64_t j = 0; j < ops.n; ++j)
    for (int64_t i = 0; i < ops.m; ++i) {
      long double s = 0;
      for (int64_t l = 0; l < ops.k; ++l)
        s += static_cast<long double>(element_value(
                 a.data(), f.input, layout == ALayout::m_by_k ? i + l * ops.m : l + i * ops.k)) *
             element_value(b.data(), f.input, l + j * ops.k);
      const double v = static_cast<double>(s);
      unsigned char* p = c.data() + (i + j * ops.m) * eb;
      switch (f.output) {
        case Element::f64:
          std::memcpy(p, &v, 8);
          break;
        case Element::f32: {
          const float x = static_cast<float>(v);
          std::memcpy(p, &x, 4);
          break;
        }
        case Element::i32: {
          const auto x = static_cast<int32_t>(v);
          std::memcpy(p, &x, 4);
          break;
        }
        case Element::bf16: {  // truncation: within the BF16 output tolerance
          const float x = static_cast<float>(v);
          uint32_t bits;
          std::memcpy(&bits, &x, 4);
          const auto h = static_cast<uint16_t>((bits + 0x8000u) >> 16);
          std::memcpy(p, &h, 2);
          break;
        }
        case Element::f16: {  // round to the FP16 grid through frexp
          int e = 0;
          const double m = std::frexp(v, &e);
          const double r = std::ldexp(std::nearbyint(std::ldexp(m, 11)), e - 11);
          uint16_t h = 0;
          if (r != 0) {
            int e2 = 0;
            const double m2 = std::frexp(std::fabs(r), &e2);
            h = static_cast<uint16_t>((r < 0 ? 0x8000 : 0) | ((e2 - 1 + 15) << 10) |
                                      static_cast<uint16_t>(std::ldexp(m2 * 2 - 1, 10)));
          }
          std::memcpy(p, &h, 2);
          break;
        }
        case Element::i8:
          break;
      }
    }
  return c;
}

class HipGemmCheck : public ::testing::TestWithParam<Precision> {};

}  // namespace

TEST_P(HipGemmCheck, CorrectProductPassesAndAnyWrongElementFails) {
  const HipGemmFormat* f = hip_gemm_format(GetParam());
  ASSERT_NE(f, nullptr);
  const int64_t m = 37, n = 29, k = 64;
  GemmOperands ops = make_gemm_operands(*f, m, n, k, 7);
  const auto a = ops.a, b = ops.b;
  // Never all zero, and every input on the format's grid (round trip exact).
  bool nonzero = false;
  for (int64_t i = 0; i < m * k; ++i) nonzero |= element_value(a.data(), f->input, i) != 0;
  EXPECT_TRUE(nonzero);
  auto c = host_product(*f, ops, a, b);
  Verification v = check_gemm_output(*f, ops, c);
  EXPECT_TRUE(v.valid()) << v.detail;
  // One wrong element, away from every sampled one: the checksums catch it.
  for (int64_t bad : {int64_t{5}, m * n / 2 + 3, m * n - 2}) {
    auto wrong = c;
    const int eb = element_bytes(f->output);
    const double was = element_value(wrong.data(), f->output, bad);
    // Add one unit of 1/8 to the element (exact in every output format here).
    const double now = was + 0.125 * (f->output == Element::i32 ? 8 : 1);
    unsigned char* p = wrong.data() + bad * eb;
    switch (f->output) {
      case Element::f64:
        std::memcpy(p, &now, 8);
        break;
      case Element::f32: {
        const float x = static_cast<float>(now);
        std::memcpy(p, &x, 4);
        break;
      }
      case Element::i32: {
        const auto x = static_cast<int32_t>(now);
        std::memcpy(p, &x, 4);
        break;
      }
      default:  // 16-bit outputs: a NaN
        std::memset(p, 0xff, 2);
        break;
    }
    EXPECT_FALSE(check_gemm_output(*f, ops, wrong).valid()) << "element " << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, HipGemmCheck,
                         ::testing::Values(Precision::fp64, Precision::fp32, Precision::fp16,
                                           Precision::bf16, Precision::int8),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// The own MFMA GEMM's operands: A stored k x m (TN), C its FP32 (FP64)
// accumulators. A correct product passes; a wrong element anywhere fails.
TEST(HipGemmCheck, MfmaFormatsTransposedA) {
  for (Precision p : {Precision::fp64, Precision::fp16, Precision::bf16}) {
    const HipGemmFormat* f = mfma_gemm_format(p);
    ASSERT_NE(f, nullptr);
    const int64_t m = 32, n = 48, k = 40;
    GemmOperands ops = make_gemm_operands(*f, m, n, k, 11, ALayout::k_by_m);
    auto c = host_product(*f, ops, ops.a, ops.b, ALayout::k_by_m);
    EXPECT_TRUE(check_gemm_output(*f, ops, c).valid()) << to_string(p);
    // The same data read as m x k is a different product: the check sees it.
    auto wrong_layout = host_product(*f, ops, ops.a, ops.b, ALayout::m_by_k);
    EXPECT_FALSE(check_gemm_output(*f, ops, wrong_layout).valid()) << to_string(p);
    auto bad = c;
    const int eb = element_bytes(f->output);
    std::memset(bad.data() + (m * n / 3) * eb, 0xff, eb);  // NaN
    EXPECT_FALSE(check_gemm_output(*f, ops, bad).valid()) << to_string(p);
  }
  EXPECT_EQ(mfma_gemm_format(Precision::int8), nullptr);
}

TEST(HipGemmFormat, NoFormatForTf32OrFp8) {
  EXPECT_EQ(hip_gemm_format(Precision::tf32), nullptr);
  EXPECT_EQ(hip_gemm_format(Precision::fp8), nullptr);
}

TEST(HipGemmSizes, DefaultsFitAQuarterOfMemory) {
  const HipGemmFormat& bf16 = *hip_gemm_format(Precision::bf16);
  const HipGemmFormat& fp64 = *hip_gemm_format(Precision::fp64);
  const uint64_t gib = 1ull << 30;
  EXPECT_EQ(default_hip_gemm_n(bf16, 64 * gib, false), 16384);  // MI250X GCD
  EXPECT_EQ(default_hip_gemm_n(bf16, 64 * gib, true), 8192);
  EXPECT_EQ(default_hip_gemm_n(fp64, 64 * gib, false), 8192);
  // 8 GiB: 3 x 8192^2 x 2 B = 384 MiB fits in 2 GiB; FP64 8192 needs 1.5 GiB.
  EXPECT_EQ(default_hip_gemm_n(fp64, 8 * gib, false), 8192);
  EXPECT_LT(default_hip_gemm_n(fp64, 2 * gib, false), 8192);
  EXPECT_EQ(default_hip_gemm_n(fp64, 1ull << 20, false), 0);
}
