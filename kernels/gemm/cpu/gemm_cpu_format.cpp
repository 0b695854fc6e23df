#include "kernels/gemm/cpu/gemm_cpu_format.h"

#include <cmath>

namespace flopscope::gemm::cpu {

namespace {

// The check sums in long double (64-bit significand on x86-64; on targets
// where long double is FP64 the reference term is merely pessimistic there).
constexpr double kLongDoubleRoundoff = 0x1p-64;
constexpr double kReference = sizeof(long double) > sizeof(double) ? kLongDoubleRoundoff : 0x1p-53;

// Inputs are generated exactly in their storage format, so nothing rounds
// them; BF16 and FP16 products accumulate into an FP32 C.
constexpr CpuGemmFormat kFormats[] = {
    {Precision::fp64, 8, 8, true, false, "f64 x f64 -> f64", {0, 0x1p-53, 0, kReference}},
    {Precision::fp32, 4, 4, true, true, "f32 x f32 -> f32", {0, 0x1p-24, 0, kReference}},
    {Precision::bf16, 2, 4, false, true, "bf16 x bf16 -> f32", {0, 0x1p-24, 0, kReference}},
    {Precision::fp16, 2, 4, false, true, "f16 x f16 -> f32", {0, 0x1p-24, 0, kReference}},
    // u8 x s8 -> s32 is exact: any difference fails.
    {Precision::int8, 1, 4, false, true, "u8 x s8 -> s32", {0, 0, 0, 0}},
};

}  // namespace

const CpuGemmFormat* cpu_gemm_format(Precision p) {
  for (const auto& f : kFormats)
    if (f.precision == p) return &f;
  return nullptr;
}

double gemm_footprint_bytes(const CpuGemmFormat& f, int64_t m, int64_t n, int64_t k) {
  const double packed_b = f.onednn ? static_cast<double>(k) * n * f.input_bytes : 0;
  return compulsory_bytes(m, n, k, f.input_bytes, f.output_bytes) + packed_b;
}

}  // namespace flopscope::gemm::cpu
