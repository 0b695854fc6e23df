// flopscope's own packed GEMM (kernels/gemm/cpu/own): every variant this
// machine can run against the reference loop nest, on odd sizes, every
// layout and transpose, alpha and beta, blockings smaller than the problem
// (every edge and every block boundary), one and several threads; and the
// guarantee that a variant whose ISA the CPU lacks is never listed or run;
// and how the threads share out a step's work.
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/huge_pages.h"
#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_gemm_reference.h"
#include "kernels/gemm/cpu/own/own_step_work.h"
#include "tests/own_gemm_checks.h"

namespace {

using flopscope::Precision;
using flopscope::cpu::CpuIsa;
using namespace flopscope::gemm::own;
using namespace flopscope::gemm::own::testing;

template <typename T>
class OwnGemmTyped : public ::testing::Test {};
using Types = ::testing::Types<double, float>;
TYPED_TEST_SUITE(OwnGemmTyped, Types);

TYPED_TEST(OwnGemmTyped, ThisMachineRunsAtLeastOneVariantWhenItHasAvx2) {
  const CpuIsa isa = flopscope::cpu::detect_cpu_isa();
  if (!(isa.avx2 && isa.fma)) GTEST_SKIP() << "no AVX2+FMA here";
  EXPECT_FALSE(runnable<TypeParam>().empty());
}

TYPED_TEST(OwnGemmTyped, OddSizesMatchTheReference) {
  const Shape shapes[] = {{1, 1, 1},    {7, 7, 7},  {33, 33, 33}, {17, 33, 65},
                          {65, 17, 33}, {1, 40, 9}, {40, 1, 9},   {9, 9, 1}};
  for (const auto& v : runnable<TypeParam>())
    for (bool small : {false, true})
      for (const auto& s : shapes) {
        Case<TypeParam> cs;
        cs.s = s;
        cs.alpha = TypeParam(1);
        cs.beta = TypeParam(0);
        expect_matches_reference(config_for(v, small, allowed_pus(2)), cs, 1);
      }
}

TYPED_TEST(OwnGemmTyped, ASizeOfAThousandMatchesTheReference) {
  for (const auto& v : runnable<TypeParam>()) {
    Case<TypeParam> cs;
    cs.s = {1000, 1000, 1000};
    cs.alpha = TypeParam(0.75);
    cs.beta = TypeParam(-0.5);
    expect_matches_reference(config_for(v, false, allowed_pus(2)), cs, 2, 37);
  }
}

TYPED_TEST(OwnGemmTyped, EveryLayoutAndTransposeWithAlphaBetaAndPadding) {
  for (const auto& v : runnable<TypeParam>())
    for (Layout layout : {Layout::col_major, Layout::row_major})
      for (Trans ta : {Trans::no, Trans::yes})
        for (Trans tb : {Trans::no, Trans::yes})
          for (bool small : {false, true}) {
            Case<TypeParam> cs;
            cs.layout = layout;
            cs.ta = ta;
            cs.tb = tb;
            cs.s = {37, 29, 41};
            cs.pad = 3;
            cs.alpha = TypeParam(-1.25);
            cs.beta = TypeParam(0.5);
            expect_matches_reference(config_for(v, small, allowed_pus(2)), cs, 3);
          }
}

TYPED_TEST(OwnGemmTyped, BetaZeroNeverReadsC) {
  for (const auto& v : runnable<TypeParam>()) {
    const int64_t m = 2 * v.mr + 3, n = 2 * v.nr + 1, k = 20;
    Case<TypeParam> cs;
    cs.s = {m, n, k};
    Operands<TypeParam> o = make_operands(cs, 4);
    std::vector<TypeParam> want(o.c.size());
    reference_gemm<TypeParam>(Layout::col_major, Trans::no, Trans::no, m, n, k, TypeParam(2),
                              o.a.data(), o.lda, o.b.data(), o.ldb, TypeParam(0), want.data(),
                              o.ldc);
    std::fill(o.c.begin(), o.c.end(), std::numeric_limits<TypeParam>::quiet_NaN());
    own_gemm(Layout::col_major, Trans::no, Trans::no, m, n, k, TypeParam(2), o.a.data(), o.lda,
             o.b.data(), o.ldb, TypeParam(0), o.c.data(), o.ldc,
             config_for(v, true, allowed_pus(2)));
    for (size_t i = 0; i < o.c.size(); ++i) {
      ASSERT_FALSE(std::isnan(o.c[i])) << v.name << " read C at " << i;
      EXPECT_NEAR(o.c[i], want[i], 1e-4 * std::fabs(want[i]) + 1e-4);
    }
  }
}

TYPED_TEST(OwnGemmTyped, KZeroOrAlphaZeroScalesCByBeta) {
  for (const auto& v : runnable<TypeParam>())
    for (int64_t k : {int64_t{0}, int64_t{5}}) {
      std::vector<TypeParam> a(5 * 5, std::numeric_limits<TypeParam>::quiet_NaN()), b = a;
      std::vector<TypeParam> c = {1, 2, 3, 4, 5, 6};
      // k = 0: A and B are empty; k = 5 with alpha = 0: A and B are NaN, never read.
      own_gemm(Layout::col_major, Trans::no, Trans::no, 2, 3, k, TypeParam(k == 0 ? 1 : 0),
               a.data(), 5, b.data(), 5, TypeParam(3), c.data(), 2, config_for(v, false, {}));
      EXPECT_EQ(c, (std::vector<TypeParam>{3, 6, 9, 12, 15, 18})) << v.name << " k=" << k;
    }
}

TYPED_TEST(OwnGemmTyped, ThreadCountDoesNotChangeTheResult) {
  // Each tile is computed by one thread in the same order whatever the
  // thread count, so the results are bitwise equal; more threads than PUs
  // exercise the splitting of B's panels between threads.
  const std::vector<int> pus = allowed_pus(2);
  std::vector<int> crowded;
  for (int i = 0; i < 5; ++i) crowded.push_back(pus.empty() ? 0 : pus[i % pus.size()]);
  for (const auto& v : runnable<TypeParam>())
    for (bool small : {false, true}) {
      Case<TypeParam> cs;
      cs.s = {3 * v.mr + 5, 7 * v.nr + 2, 50};
      cs.beta = TypeParam(1);
      Operands<TypeParam> o = make_operands(cs, 5);
      std::vector<TypeParam> c1 = o.c;
      own_gemm(Layout::col_major, Trans::no, Trans::no, cs.s.m, cs.s.n, cs.s.k, TypeParam(1),
               o.a.data(), o.lda, o.b.data(), o.ldb, TypeParam(1), c1.data(), o.ldc,
               config_for(v, small, {}));
      for (const auto& many : {pus, crowded}) {
        std::vector<TypeParam> cn = o.c;
        own_gemm(Layout::col_major, Trans::no, Trans::no, cs.s.m, cs.s.n, cs.s.k, TypeParam(1),
                 o.a.data(), o.lda, o.b.data(), o.ldb, TypeParam(1), cn.data(), o.ldc,
                 config_for(v, small, many));
        EXPECT_EQ(c1, cn) << v.name << " with " << many.size() << " threads";
      }
    }
}

TYPED_TEST(OwnGemmTyped, BadArgumentsThrow) {
  for (const auto& v : runnable<TypeParam>()) {
    const auto cfg = config_for(v, false, {});
    std::vector<TypeParam> x(64, TypeParam(1));
    auto call = [&](int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc,
                    Layout l = Layout::col_major) {
      own_gemm(l, Trans::no, Trans::no, m, n, k, TypeParam(1), x.data(), lda, x.data(), ldb,
               TypeParam(0), x.data(), ldc, cfg);
    };
    EXPECT_THROW(call(-1, 2, 2, 2, 2, 2), std::invalid_argument);
    EXPECT_THROW(call(4, 2, 2, 3, 2, 4), std::invalid_argument);  // lda < m
    EXPECT_THROW(call(4, 2, 3, 4, 2, 4), std::invalid_argument);  // ldb < k
    EXPECT_THROW(call(4, 2, 2, 4, 2, 3), std::invalid_argument);  // ldc < m
    EXPECT_THROW(call(4, 2, 3, 2, 2, 2, Layout::row_major),
                 std::invalid_argument);  // row-major: lda < k
    EXPECT_NO_THROW(call(4, 2, 3, 3, 2, 2, Layout::row_major));
  }
}

TEST(OwnGemm, APrecisionMismatchThrows) {
  const auto doubles = runnable<double>();
  if (doubles.empty()) GTEST_SKIP() << "no FP64 variant runs here";
  std::vector<float> x(4, 1.0f);
  EXPECT_THROW(own_gemm(Layout::col_major, Trans::no, Trans::no, 2, 2, 2, 1.0f, x.data(), 2,
                        x.data(), 2, 0.0f, x.data(), 2, config_for(doubles.front(), false, {})),
               std::invalid_argument);
}

TEST(OwnGemm, AnIsaTheMachineLacksIsNeverListedNorRun) {
  const CpuIsa live = flopscope::cpu::detect_cpu_isa();
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    for (const auto& v : own_gemm_variants(live, p)) EXPECT_TRUE(can_run(v, live)) << v.name;
    for (const auto& v : all_own_gemm_variants(p)) {
      if (can_run(v, live)) continue;
      // Must refuse with an exception, never execute (SIGILL).
      std::vector<double> d(4, 1.0);
      std::vector<float> f(4, 1.0f);
      OwnGemmConfig cfg = config_for(v, false, {});
      if (p == Precision::fp64)
        EXPECT_THROW(own_gemm(Layout::col_major, Trans::no, Trans::no, 2, 2, 2, 1.0, d.data(), 2,
                              d.data(), 2, 0.0, d.data(), 2, cfg),
                     std::invalid_argument)
            << v.name;
      else
        EXPECT_THROW(own_gemm(Layout::col_major, Trans::no, Trans::no, 2, 2, 2, 1.0f, f.data(), 2,
                              f.data(), 2, 0.0f, f.data(), 2, cfg),
                     std::invalid_argument)
            << v.name;
    }
  }
}

TEST(OwnGemm, VariantsFollowTheIsa) {
  CpuIsa none;
  EXPECT_TRUE(own_gemm_variants(none, Precision::fp64).empty());
  EXPECT_TRUE(own_gemm_variants(none, Precision::fp32).empty());

  // Each build lists the kernels of its own architecture only.
#if defined(__x86_64__)
  CpuIsa avx2;
  avx2.sse2 = avx2.avx = avx2.avx2 = avx2.fma = true;
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    const auto vs = own_gemm_variants(avx2, p);
    ASSERT_EQ(vs.size(), 1u);
    EXPECT_EQ(vs[0].isa, IsaFamily::avx2);
  }
  EXPECT_EQ(own_gemm_variants(avx2, Precision::fp64)[0].name, "flopscope-avx2-8x6");
  EXPECT_EQ(own_gemm_variants(avx2, Precision::fp32)[0].name, "flopscope-avx2-16x6");
  EXPECT_TRUE(own_gemm_variants(avx2, Precision::bf16).empty());

  CpuIsa avx2_without_fma = avx2;
  avx2_without_fma.fma = false;
  EXPECT_TRUE(own_gemm_variants(avx2_without_fma, Precision::fp64).empty());

  CpuIsa avx512 = avx2;
  avx512.avx512f = true;
  const auto vs = own_gemm_variants(avx512, Precision::fp64);
  ASSERT_EQ(vs.size(), 3u);
  EXPECT_EQ(vs[0].name, "flopscope-avx512-24x8");  // widest first, each family's default first
  EXPECT_EQ(vs[1].name, "flopscope-avx512-16x14");
  EXPECT_EQ(vs[2].name, "flopscope-avx2-8x6");
  const auto vs32 = own_gemm_variants(avx512, Precision::fp32);
  ASSERT_EQ(vs32.size(), 3u);
  EXPECT_EQ(vs32[0].name, "flopscope-avx512-48x8");
  EXPECT_EQ(vs32[1].name, "flopscope-avx512-32x14");

#endif

  CpuIsa neon;
  neon.neon = true;
#if defined(__aarch64__)
  EXPECT_EQ(own_gemm_variants(neon, Precision::fp64).at(0).name, "flopscope-neon-8x6");
  EXPECT_EQ(own_gemm_variants(neon, Precision::fp32).at(0).name, "flopscope-neon-16x6");
  for (const auto& v : all_own_gemm_variants(Precision::fp64)) EXPECT_EQ(v.isa, IsaFamily::neon);
#else
  EXPECT_TRUE(own_gemm_variants(neon, Precision::fp64).empty());
  for (const auto& v : all_own_gemm_variants(Precision::fp64)) EXPECT_NE(v.isa, IsaFamily::neon);
#endif
}

TEST(OwnGemm, BlockingFollowsTheAnalyticalModel) {
  // Variants written out, so the model is checked on every build machine.
  const OwnGemmVariant d{"flopscope-avx2-8x6", Precision::fp64, IsaFamily::avx2, 8, 6};
  const OwnGemmVariant s{"flopscope-avx2-16x6", Precision::fp32, IsaFamily::avx2, 16, 6};
  const CacheSizes zen3{32 << 10, 512 << 10, 32 << 20};
  // 8 ways of 32 KiB; A panel in floor(7 x 8 / 14) = 4 ways: KC = 4 x 4096 /
  // (8 x 8) = 256, raised to FP64's floor of 4 KiB / 8 B = 512.
  const auto bd = own_gemm_blocking(d, zen3);
  EXPECT_EQ(bd.kc, 512);
  EXPECT_NE(bd.derivation.find("(256), raised to 512"), std::string::npos) << bd.derivation;
  EXPECT_EQ(bd.mc, 64);    // half of 512 KiB / (512 x 8 B)
  EXPECT_EQ(bd.nc, 4092);  // 16 MiB of the 32 / (512 x 8 B) = 4096, down to a multiple of 6
  // A large L3 (the total of several instances) gets a block of 16 MiB too.
  EXPECT_EQ(own_gemm_blocking(d, CacheSizes{32 << 10, 512 << 10, 256ull << 20}).nc, 4092);
  EXPECT_EQ(own_gemm_blocking(d, CacheSizes{32 << 10, 512 << 10, 4 << 20}).nc, 1020);
  // FP32 16x6: floor(7 x 16 / 22) = 5 ways: KC = 5 x 4096 / (16 x 4) = 320,
  // below FP32's floor of 4 KiB / 4 B = 1024.
  const auto bs = own_gemm_blocking(s, zen3);
  EXPECT_EQ(bs.kc, 1024);
  EXPECT_EQ(bs.mc, 64);  // half of 512 KiB / (1024 x 4 B)
  EXPECT_NE(bs.derivation.find("(320), raised to 1024"), std::string::npos) << bs.derivation;
  // A 48 KiB 12-way L1 (Zen 5, Golden Cove): floor(11 x 8 / 14) = 6 ways -> 384.
  const CacheSizes zen5{48 << 10, 1 << 20, 32 << 20};
  const auto bd5 = own_gemm_blocking(d, zen5);
  EXPECT_EQ(bd5.kc, 512);
  EXPECT_NE(bd5.derivation.find("(384), raised to 512"), std::string::npos) << bd5.derivation;
  // AVX-512 24x8 there: floor(11 x 24 / 32) = 8 ways, KC = 8 x 4096 / (24 x
  // 8) = 170 -> 168, below FP64's floor of 512; MC = 512 KiB / (512 x 8 B)
  // = 128 -> 120, five micro-panels.
  const OwnGemmVariant z{"flopscope-avx512-24x8", Precision::fp64, IsaFamily::avx512, 24, 8};
  const auto bz = own_gemm_blocking(z, zen5);
  EXPECT_EQ(bz.kc, 512);
  EXPECT_EQ(bz.mc, 120);
  EXPECT_EQ(bz.nc, 4096);  // 16 MiB / (512 x 8 B)
  EXPECT_NE(bz.derivation.find("(168), raised to 512"), std::string::npos) << bz.derivation;
  // The floor is lowered where half the L2 would hold fewer than two A
  // micro-panels of it: 128 KiB / (2 x 24 x 8 B) = 341 -> 340, MC 48.
  const auto small_l2 = own_gemm_blocking(z, CacheSizes{48 << 10, 256 << 10, 32 << 20});
  EXPECT_EQ(small_l2.kc, 340);
  EXPECT_EQ(small_l2.mc, 48);
  EXPECT_NE(small_l2.derivation.find("raised to 340 for the per-step costs (the floor of 512 "
                                     "lowered to fit 2 A micro-panels in half the L2)"),
            std::string::npos)
      << small_l2.derivation;
  // ...but never below the model: 24 ways of a 96 KiB L1 give 24x8 KC =
  // floor(23 x 24 / 32) = 17 ways x 4096 / (24 x 8) = 362 -> 360.
  const auto big_l1 = own_gemm_blocking(z, CacheSizes{96 << 10, 64 << 10, 32 << 20});
  EXPECT_EQ(big_l1.kc, 360);
  // Then not even one micro-panel (24 x 360 x 8 B) fits half the L2: MC is
  // one, and the derivation says so.
  EXPECT_EQ(big_l1.mc, 24);
  EXPECT_NE(big_l1.derivation.find("one micro-panel"), std::string::npos) << big_l1.derivation;
  // Arm's 64 KiB 4-way L1d: ways of 16 KiB, the FP64 A panel in
  // max(1, floor(3 x 8 / 14)) = 1 of them: KC = 16384 / (8 x 8) = 256; FP32
  // 16x6 in floor(3 x 16 / 22) = 2: KC = 2 x 16384 / (16 x 4) = 512. Both
  // are raised to the floors.
  const CacheSizes neoverse{64 << 10, 1 << 20, 32 << 20};
  const OwnGemmVariant neon_d{"flopscope-neon-8x6", Precision::fp64, IsaFamily::neon, 8, 6};
  const OwnGemmVariant neon_s{"flopscope-neon-16x6", Precision::fp32, IsaFamily::neon, 16, 6};
  EXPECT_EQ(own_gemm_blocking(neon_d, neoverse).kc, 512);
  EXPECT_EQ(own_gemm_blocking(neon_d, neoverse).mc, 128);  // 512 KiB / (512 x 8 B)
  EXPECT_EQ(own_gemm_blocking(neon_s, neoverse).kc, 1024);
  // Blocks are whole tiles, and unknown sizes fall back with a note.
  const auto unknown = own_gemm_blocking(d, CacheSizes{});
  EXPECT_EQ(unknown.mc % d.mr, 0);
  EXPECT_EQ(unknown.nc % d.nr, 0);
  EXPECT_NE(unknown.derivation.find("unknown"), std::string::npos);
}

}  // namespace

// StepWork (own_step_work.h): how the threads share a pc step's items.
namespace step_work {

// Runs `steps` steps on `threads` std::threads with a barrier between steps;
// returns, per step, which thread claimed each (block, chunk). `delay(tid)`
// runs before a thread's share of every step.
template <class Delay>
std::vector<std::vector<int>> claims(int64_t blocks, int64_t chunks, int threads, int steps,
                                     Delay delay, int declared = 0) {
  StepWork work(blocks, chunks, declared > 0 ? declared : threads);
  std::vector<std::vector<int>> owner(static_cast<size_t>(steps),
                                      std::vector<int>(static_cast<size_t>(blocks * chunks), -1));
  std::vector<std::vector<int>> count = owner;
  for (auto& s : count) std::fill(s.begin(), s.end(), 0);
  std::mutex m;
  std::barrier sync(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int s = 0; s < steps; ++s) {
        delay(t);
        work.run(s, t, [&](int64_t b, int64_t c) {
          std::lock_guard<std::mutex> lock(m);
          const auto i = static_cast<size_t>(b * chunks + c);
          owner[static_cast<size_t>(s)][i] = t;
          ++count[static_cast<size_t>(s)][i];
        });
        sync.arrive_and_wait();
      }
    });
  for (auto& th : pool) th.join();
  for (int s = 0; s < steps; ++s)
    for (size_t i = 0; i < count[static_cast<size_t>(s)].size(); ++i)
      EXPECT_EQ(count[static_cast<size_t>(s)][i], 1) << "step " << s << " item " << i;
  return owner;
}

TEST(OwnGemmStepWork, EveryItemOfEveryStepGoesToExactlyOneThread) {
  for (int threads : {1, 2, 3, 5})
    for (int64_t blocks : {int64_t{1}, int64_t{2}, int64_t{7}, int64_t{12}})
      claims(blocks, 4, threads, 6, [](int) {});
}

TEST(OwnGemmStepWork, ATeamSmallerThanAskedForStillDoesEveryItem) {
  // OpenMP may start fewer threads than num_threads asks for: the blocks of
  // the threads that never came are taken over, in every step.
  for (int declared : {3, 4})
    for (int64_t blocks : {int64_t{2}, int64_t{8}})
      claims(
          blocks, 4, 2, 5, [](int) {}, declared);
}

TEST(OwnGemmStepWork, AThreadWorksOnItsOwnBlocksWhenNobodyIsLate) {
  // One thread: everything, in order of blocks and chunks.
  StepWork one(3, 2, 1);
  std::vector<std::pair<int64_t, int64_t>> order;
  one.run(0, 0, [&](int64_t b, int64_t c) { order.emplace_back(b, c); });
  EXPECT_EQ(order, (std::vector<std::pair<int64_t, int64_t>>{
                       {0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 1}}));
  EXPECT_EQ(one.owned(0), (std::pair<int64_t, int64_t>{0, 3}));
  StepWork two(5, 4, 2);
  EXPECT_EQ(two.owned(0), (std::pair<int64_t, int64_t>{0, 2}));
  EXPECT_EQ(two.owned(1), (std::pair<int64_t, int64_t>{2, 5}));
}

TEST(OwnGemmStepWork, AThreadThatFinishesFirstTakesTheOthersBlocksFromTheFarEnd) {
  // Thread 0 runs its share of step 0 before thread 1 starts: its own blocks
  // 0 and 1 in order, then thread 1's blocks 4, 3, 2 from the far end, so an
  // owner that is merely slow keeps working at the front of its run. Thread
  // 1 then finds nothing left.
  StepWork work(5, 2, 2);
  std::vector<std::pair<int64_t, int64_t>> first, second;
  work.run(0, 0, [&](int64_t b, int64_t c) { first.emplace_back(b, c); });
  work.run(0, 1, [&](int64_t b, int64_t c) { second.emplace_back(b, c); });
  EXPECT_EQ(first,
            (std::vector<std::pair<int64_t, int64_t>>{
                {0, 0}, {0, 1}, {1, 0}, {1, 1}, {4, 0}, {4, 1}, {3, 0}, {3, 1}, {2, 0}, {2, 1}}));
  EXPECT_TRUE(second.empty());
  // The next step hands everything out afresh.
  first.clear();
  work.run(1, 1, [&](int64_t b, int64_t c) { first.emplace_back(b, c); });
  EXPECT_EQ(first.size(), 10u);
  EXPECT_EQ(first.front(), (std::pair<int64_t, int64_t>{2, 0}));
}

}  // namespace step_work

// The GEMMs' matrices and packed panels (devices/cpu/huge_pages.h): a large
// buffer starts on a huge-page boundary, so advice can cover all of it; a
// small one is still line-aligned; zero bytes still give memory to free.
TEST(HugePages, LargeBuffersStartOnAHugePageSmallOnesOnALine) {
  using flopscope::cpu::allocate_huge_page_advised;
  using flopscope::cpu::kHugePageBytes;
  for (size_t bytes : {kHugePageBytes, kHugePageBytes + 1, 3 * kHugePageBytes}) {
    void* p = allocate_huge_page_advised(bytes);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHugePageBytes, 0u) << bytes;
    static_cast<char*>(p)[bytes - 1] = 1;  // the whole length is usable
    std::free(p);
  }
  for (size_t bytes : {size_t{0}, size_t{1}, size_t{100}, kHugePageBytes - 1}) {
    void* p = allocate_huge_page_advised(bytes);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << bytes;
    std::free(p);
  }
}
