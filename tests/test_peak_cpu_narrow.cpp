// The BF16 and INT8 dot-product chains: their FLOP/OP counts, their closed
// form (checked step by step through a host emulation of each instruction),
// the exact check catching any corrupted lane, and the rule that a chain is
// never selected on a CPU without its instruction.
#include <gtest/gtest.h>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_kernel_registry.h"
#include "kernels/peak/cpu/peak_narrow_chains.h"
#include "kernels/peak/cpu/peak_narrow_cpu.h"
#include "kernels/peak/peak_spec.h"

using namespace flopscope;
using namespace flopscope::peak;
namespace pc = flopscope::peak::cpu;
using pc::NarrowIsa;

TEST(PeakNarrowSpec, CountsPerInstruction) {
  EXPECT_EQ(narrow::kBf16FlopPerLane, 4);  // vdpbf16ps: 2 products + 2 adds per FP32 lane
  EXPECT_EQ(narrow::kInt8OpPerLane, 8);    // vpdpbusd: 4 products + 4 adds per INT32 lane
  EXPECT_DOUBLE_EQ(narrow::bf16_flop_count(2, 3, 24, 16), 4.0 * 2 * 3 * kStepsPerRound * 24 * 16);
  EXPECT_DOUBLE_EQ(narrow::int8_op_count(2, 3, 24, 16), 8.0 * 2 * 3 * kStepsPerRound * 24 * 16);
}

TEST(PeakNarrowSpec, ClosedFormIsExact) {
  // Every partial sum is exactly representable: stepping in FP32 lands on
  // the closed form with no rounding at all.
  for (int t = 0; t < 2; ++t)
    for (int c = 0; c < 24; ++c)
      for (int l = 0; l < 16; ++l) {
        const float x0 = narrow::bf16_start_value(t, c, l);
        EXPECT_GE(x0, 0.5f);
        EXPECT_LT(x0, 1.5f);
        float x = x0;
        for (int s = 0; s < 2 * kStepsPerRound; ++s) x += 1.0f / 16384.0f;
        EXPECT_EQ(static_cast<double>(x), narrow::bf16_closed_form(x0, kStepsPerRound));
        const int32_t i0 = narrow::int8_start_value(t, c, l);
        EXPECT_EQ(narrow::int8_closed_form(i0, kStepsPerRound), i0 + 6 * kStepsPerRound);
      }
  // The operands are what the increments say.
  int32_t d = 0;
  for (int j = 0; j < 4; ++j) d += narrow::kInt8A[j] * narrow::kInt8B[j];
  EXPECT_EQ(d, narrow::kInt8Increment);
}

TEST(PeakNarrowCpu, EmulatedChainsVerifyAndCorruptionFails) {
  for (Precision p : {Precision::bf16, Precision::int8}) {
    auto run = pc::make_cpu_narrow_peak_run(p, NarrowIsa::emulated, {0, 0}, 2);
    ASSERT_TRUE(run);
    EXPECT_FALSE(run->verify().checked);  // nothing ran yet
    run->run(1);
    auto v = run->verify();
    EXPECT_TRUE(v.valid()) << to_string(p) << " " << v.detail;
    EXPECT_EQ(v.max_error, 0.0);
    const double per_lane = p == Precision::bf16 ? 4 : 8;
    EXPECT_DOUBLE_EQ(run->flop_per_iteration(), per_lane * 2 * 2 * kStepsPerRound * 24 * 16);
    for (int64_t e : {0, 7, 383, 2 * 24 * 16 - 1}) {  // any lane of any thread
      auto fresh = pc::make_cpu_narrow_peak_run(p, NarrowIsa::emulated, {0, 0}, 1);
      fresh->run(1);
      ASSERT_TRUE(fresh->corrupt_output_for_test(e));
      EXPECT_FALSE(fresh->verify().valid()) << to_string(p) << " element " << e;
    }
  }
}

TEST(PeakNarrowCpu, RealChainsOnlyWhereTheCpuHasThem) {
  auto isa = flopscope::cpu::detect_cpu_isa();
  std::string why;
  auto bf16 = pc::narrow_chain_isa(Precision::bf16, isa, &why);
  if (!(isa.avx512f && isa.avx512_bf16)) {
    EXPECT_FALSE(bf16);
    EXPECT_NE(why.find("needs AVX512_BF16"), std::string::npos);
  } else {
    ASSERT_TRUE(bf16);
    auto run = pc::make_cpu_narrow_peak_run(Precision::bf16, *bf16, {}, 1);
    run->run(1);
    EXPECT_TRUE(run->verify().valid());
  }
  auto int8 = pc::narrow_chain_isa(Precision::int8, isa, &why);
  if (!(isa.avx512f && isa.avx512_vnni) && !(isa.avx2 && isa.avx_vnni)) {
    EXPECT_FALSE(int8);
    EXPECT_NE(why.find("AVX512_VNNI or AVX-VNNI"), std::string::npos);
  } else {
    ASSERT_TRUE(int8);
    auto run = pc::make_cpu_narrow_peak_run(Precision::int8, *int8, {}, 1);
    run->run(1);
    EXPECT_TRUE(run->verify().valid());
  }
  // Recorded CPUs: the choice follows the flags, never the build.
  flopscope::cpu::CpuIsa none;
  none.avx2 = none.fma = true;
  EXPECT_FALSE(pc::narrow_chain_isa(Precision::bf16, none, nullptr));
  EXPECT_FALSE(pc::narrow_chain_isa(Precision::int8, none, nullptr));
  flopscope::cpu::CpuIsa zen4 = none;
  zen4.avx512f = zen4.avx512_bf16 = zen4.avx512_vnni = true;
  EXPECT_EQ(pc::narrow_chain_isa(Precision::bf16, zen4, nullptr), NarrowIsa::avx512_bf16);
  EXPECT_EQ(pc::narrow_chain_isa(Precision::int8, zen4, nullptr), NarrowIsa::avx512_vnni);
  flopscope::cpu::CpuIsa alder = none;
  alder.avx_vnni = true;
  EXPECT_EQ(pc::narrow_chain_isa(Precision::int8, alder, nullptr), NarrowIsa::avx_vnni);
  EXPECT_FALSE(pc::narrow_chain_isa(Precision::fp16, zen4, nullptr));
  // Arm's SDOT and BFDOT are chosen by an Arm build only, each by its hwcap.
  flopscope::cpu::CpuIsa arm;
  arm.neon = arm.dotprod = true;
  flopscope::cpu::CpuIsa arm_bf16 = arm;
  arm_bf16.arm_bf16 = true;
#if defined(__aarch64__)
  EXPECT_EQ(pc::narrow_chain_isa(Precision::int8, arm, nullptr), NarrowIsa::neon_sdot);
  EXPECT_FALSE(pc::narrow_chain_isa(Precision::bf16, arm, nullptr));
  EXPECT_EQ(pc::narrow_chain_isa(Precision::bf16, arm_bf16, nullptr), NarrowIsa::neon_bfdot);
#else
  EXPECT_FALSE(pc::narrow_chain_isa(Precision::int8, arm, nullptr));
  EXPECT_FALSE(pc::narrow_chain_isa(Precision::bf16, arm_bf16, nullptr));
#endif
  // The emulation is a test double: no chain ISA a CPU can report selects it.
  EXPECT_FALSE(pc::make_cpu_narrow_peak_run(Precision::bf16, NarrowIsa::avx512_vnni, {}, 1));
}

TEST(PeakNarrowRegistry, UnsupportedWithTheReason) {
  const auto* k = flopscope::cpu::find_cpu_kernel(KernelKind::peak);
  ASSERT_NE(k, nullptr);
  flopscope::cpu::CpuContext ctx;  // no ISA flags at all
  std::string why;
  KernelRequest r;
  r.kernel = KernelKind::peak;
  r.precision = Precision::bf16;
  r.size = ProblemSize{{{"rounds", 1}}};
  EXPECT_FALSE(k->make(ctx, r, &why));
  EXPECT_NE(why.find("needs AVX512_BF16"), std::string::npos) << why;
  r.precision = Precision::int8;
  EXPECT_FALSE(k->make(ctx, r, &why));
  EXPECT_NE(why.find("VNNI"), std::string::npos) << why;
}
