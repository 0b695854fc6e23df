// The CPU FMA-chain kernel: every variant this machine can run verifies
// against the closed form, a corrupted element fails, and an ISA the CPU
// lacks is never chosen.
#include <gtest/gtest.h>

#include "devices/cpu/cpu_isa.h"
#include "kernels/peak/cpu/peak_cpu.h"
#include "kernels/peak/peak_spec.h"

using namespace flopscope;
using peak::cpu::ChainIsa;

namespace {
std::vector<ChainIsa> runnable_isas() {
  auto isa = cpu::detect_cpu_isa();
  std::vector<ChainIsa> out = {ChainIsa::scalar};
  if (isa.avx2 && isa.fma) out.push_back(ChainIsa::avx2);
  if (isa.avx512f) out.push_back(ChainIsa::avx512);
  if (isa.neon) out.push_back(ChainIsa::neon);
  return out;
}
}  // namespace

TEST(PeakSpec, ClosedFormMatchesStepping) {
  long double x = 0.75L;
  for (int i = 0; i < 1000; ++i) x = x * peak::kMultiplier + peak::kAddend;
  EXPECT_NEAR(static_cast<double>(peak::closed_form(0.75L, 1000)), static_cast<double>(x), 1e-15);
  EXPECT_DOUBLE_EQ(peak::flop_count(2, 3, 12, 4), 2.0 * 2 * 3 * peak::kStepsPerRound * 12 * 4);
}

TEST(PeakCpu, EveryRunnableVariantVerifies) {
  for (ChainIsa isa : runnable_isas())
    for (Precision p : {Precision::fp64, Precision::fp32}) {
      auto run = peak::cpu::make_cpu_peak_run(p, isa, {}, 2);
      ASSERT_TRUE(run);
      EXPECT_GT(run->run(1), 0.0);
      auto v = run->verify();
      EXPECT_TRUE(v.valid()) << run->implementation() << " err " << v.max_error;
      EXPECT_GT(run->flop_per_iteration(), 0);
    }
}

TEST(PeakCpu, CorruptedElementFailsEveryElement) {
  for (ChainIsa isa : runnable_isas())
    for (Precision p : {Precision::fp64, Precision::fp32}) {
      auto run = peak::cpu::make_cpu_peak_run(p, isa, {}, 1);
      run->run(1);
      ASSERT_TRUE(run->verify().valid());
      // Any element, not only a sampled one: try several positions.
      for (int64_t e : {0, 3, 17, 95}) {
        auto fresh = peak::cpu::make_cpu_peak_run(p, isa, {}, 1);
        fresh->run(1);
        ASSERT_TRUE(fresh->corrupt_output_for_test(e));
        EXPECT_FALSE(fresh->verify().valid()) << fresh->implementation() << " element " << e;
      }
    }
}

TEST(PeakCpu, NeverChoosesAnIsaTheCpuLacks) {
  EXPECT_EQ(peak::cpu::best_chain_isa(false, false, false), ChainIsa::scalar);
#if defined(__x86_64__)
  EXPECT_EQ(peak::cpu::best_chain_isa(false, true, false), ChainIsa::avx2);
  EXPECT_EQ(peak::cpu::best_chain_isa(true, true, false), ChainIsa::avx512);
  // An Arm flag never picks Arm code in an x86 build, nor the reverse.
  EXPECT_EQ(peak::cpu::best_chain_isa(false, false, true), ChainIsa::scalar);
#elif defined(__aarch64__)
  EXPECT_EQ(peak::cpu::best_chain_isa(false, false, true), ChainIsa::neon);
  EXPECT_EQ(peak::cpu::best_chain_isa(true, true, false), ChainIsa::scalar);
#endif
  auto isa = cpu::detect_cpu_isa();
  auto chosen = peak::cpu::best_chain_isa(isa.avx512f, isa.avx2 && isa.fma, isa.neon);
  if (!isa.neon) {
    EXPECT_NE(chosen, ChainIsa::neon);
  }
  if (!isa.avx512f) {
    EXPECT_NE(chosen, ChainIsa::avx512);
  }
  if (!(isa.avx2 && isa.fma) && !isa.neon) {
    EXPECT_EQ(chosen, ChainIsa::scalar);
  }
}

TEST(PeakCpu, OnlyFp64AndFp32HaveChains) {
  EXPECT_FALSE(peak::cpu::make_cpu_peak_run(Precision::tf32, ChainIsa::scalar, {}, 1));
}
