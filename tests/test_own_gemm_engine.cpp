// The own GEMM as a candidate of the CPU GEMM probe: candidates per runnable
// variant, the engine a worker builds from one, verified by the probe's own
// check, and a corrupted result caught by it.
#include <gtest/gtest.h>

#include <string>

#include "devices/cpu/cpu_isa.h"
#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_gemm_engine.h"

namespace {

using flopscope::Precision;
using namespace flopscope::gemm::own;
namespace gc = flopscope::gemm::cpu;

flopscope::cpu::CpuContext zen3_context() {
  flopscope::cpu::CpuContext ctx;
  ctx.isa = flopscope::cpu::detect_cpu_isa();
  ctx.l1d_bytes_per_core = 32 << 10;
  ctx.l2_bytes_per_core = 512 << 10;
  ctx.l3_bytes_total = 32 << 20;
  ctx.cache_source = "test";
  ctx.pus = {0, 1};
  return ctx;
}

TEST(OwnGemmEngine, OneCandidatePerRunnableVariantWithItsBlocking) {
  const auto ctx = zen3_context();
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    const auto variants = own_gemm_variants(ctx.isa, p);
    const auto cands = own_gemm_candidates(ctx, p);
    ASSERT_EQ(cands.size(), variants.size());
    for (size_t i = 0; i < cands.size(); ++i) {
      EXPECT_EQ(cands[i].library.family, kOwnGemmFamily);
      EXPECT_EQ(cands[i].config.rfind(variants[i].name + " mc=", 0), 0u) << cands[i].config;
      EXPECT_EQ(cands[i].config.find("threads"), std::string::npos) << cands[i].config;
      // The config reads back as the same variant and blocking.
      const auto back = parse_own_gemm_config(cands[i].config, p, ctx.isa);
      ASSERT_TRUE(back.has_value()) << cands[i].config;
      EXPECT_EQ(back->variant.name, variants[i].name);
      EXPECT_EQ(back->blocking.kc, own_gemm_config(variants[i], ctx).blocking.kc);
    }
  }
  EXPECT_TRUE(own_gemm_candidates(ctx, Precision::bf16).empty());
}

TEST(OwnGemmEngine, ConfigsThatNameNoRunnableVariantAreRefused) {
  const auto isa = flopscope::cpu::detect_cpu_isa();
  EXPECT_FALSE(parse_own_gemm_config("flopscope-avx2-9x9 mc=8 kc=8 nc=8", Precision::fp64, isa));
  EXPECT_FALSE(parse_own_gemm_config("", Precision::fp64, isa));
  for (const auto& v : all_own_gemm_variants(Precision::fp64)) {
    const std::string text =
        v.name + " mc=" + std::to_string(v.mr) + " kc=16 nc=" + std::to_string(v.nr);
    EXPECT_EQ(parse_own_gemm_config(text, Precision::fp64, isa).has_value(), can_run(v, isa))
        << text;
    EXPECT_FALSE(parse_own_gemm_config(text, Precision::fp32, isa)) << "precision mismatch";
    EXPECT_FALSE(parse_own_gemm_config(v.name + " mc=0 kc=16 nc=64", Precision::fp64, isa));
    EXPECT_FALSE(parse_own_gemm_config(v.name + " mc=64 kc=x nc=64", Precision::fp64, isa));
    EXPECT_FALSE(parse_own_gemm_config(v.name + " mc=64 kc=16 nc=64 size=3", Precision::fp64, isa));
  }
  gc::WorkerSetup s;
  s.family = kOwnGemmFamily;
  s.config = "flopscope-avx2-9x9 mc=8 kc=8 nc=8";
  s.m = s.n = s.k = 8;
  std::string why;
  EXPECT_EQ(make_own_gemm_engine(s, &why), nullptr);
  EXPECT_NE(why.find("flopscope-avx2-9x9"), std::string::npos) << why;
}

TEST(OwnGemmEngine, AWorkerEngineMultipliesVerifiesAndCatchesCorruption) {
  const auto ctx = zen3_context();
  for (Precision p : {Precision::fp64, Precision::fp32})
    for (const auto& cand : own_gemm_candidates(ctx, p)) {
      gc::WorkerSetup s;
      s.family = cand.library.family;
      s.config = cand.config;
      s.precision = p;
      s.m = 301, s.n = 157, s.k = 263;
      s.seed = 42;
      s.threads = 2;
      std::string why;
      auto e = make_own_gemm_engine(s, &why);
      ASSERT_NE(e, nullptr) << why;
      EXPECT_EQ(e->applied_config(), cand.config.substr(0, cand.config.find(' ')));
      EXPECT_EQ(e->implementation().rfind(e->applied_config() + " mc=", 0), 0u);
      flopscope::Verification before = e->verify();  // C is still NaN
      EXPECT_FALSE(before.valid());
      e->multiply();
      const auto ok = e->verify();
      EXPECT_TRUE(ok.valid()) << e->implementation() << ": " << ok.detail;
      ASSERT_TRUE(e->corrupt(1234));
      EXPECT_FALSE(e->verify().valid()) << e->implementation();
    }
}

}  // namespace
