// Every tile the build carries, whether or not this CPU can run its ISA: the
// driver (packing, cache blocks, edge tiles, threads) runs with a portable
// twin of each micro-kernel, the same micro_kernel_body over emulated vectors
// of the ISA's width. A machine without AVX-512 thus still checks the 24x8,
// 16x14, 48x8 and 32x14 paths that an AVX-512 server may take, and the twin's aligned
// loads check the 64-byte alignment _mm512_load_pd needs.
//
// What the twins cannot check is the ISA files' few lines of intrinsics
// (load, broadcast, fma): those run in test_own_gemm.cpp on every machine
// that has the ISA.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_gemm_driver.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"
#include "kernels/gemm/cpu/own/own_microkernel_body.h"
#include "tests/own_gemm_checks.h"
#include "tests/own_gemm_emulated.h"

namespace {

using flopscope::Precision;
using namespace flopscope::gemm::own;
using namespace flopscope::gemm::own::testing;

template <typename T, int L, int MV, int NR>
void twin_kernel(int64_t k, const T* a, const T* b, T alpha, T beta, T* c, int64_t ldc,
                 const Lookahead<T>& ahead) {
  micro_kernel_body<Emulated<T, L>, MV, NR>(k, a, b, alpha, beta, c, ldc, ahead);
}

// A twin per tile of each ISA family and precision: the vector width of the
// family (AVX2 32 bytes, AVX-512 64, NEON 16) and the tile of its ISA file.
struct Twin {
  IsaFamily isa;
  MicroKernel<double> f64;
  MicroKernel<float> f32;
};
const Twin kTwins[] = {
    {IsaFamily::avx2, {8, 6, &twin_kernel<double, 4, 2, 6>}, {16, 6, &twin_kernel<float, 8, 2, 6>}},
    {IsaFamily::avx512,
     {24, 8, &twin_kernel<double, 8, 3, 8>},
     {48, 8, &twin_kernel<float, 16, 3, 8>}},
    {IsaFamily::avx512,
     {16, 14, &twin_kernel<double, 8, 2, 14>},
     {32, 14, &twin_kernel<float, 16, 2, 14>}},
    {IsaFamily::neon, {8, 6, &twin_kernel<double, 2, 4, 6>}, {16, 6, &twin_kernel<float, 4, 4, 6>}},
};

template <typename T>
const MicroKernel<T>& kernel_of(const Twin& t) {
  if constexpr (sizeof(T) == 8)
    return t.f64;
  else
    return t.f32;
}

constexpr Precision precision_of_type(double) {
  return Precision::fp64;
}
constexpr Precision precision_of_type(float) {
  return Precision::fp32;
}

// Each twin as the variant its ISA file declares, whether or not this build
// compiles that family (NEON's on x86, AVX's on aarch64): its name, tile and
// the blocking derived for it.
template <typename T>
std::vector<std::pair<OwnGemmVariant, const MicroKernel<T>*>> twin_variants() {
  std::vector<std::pair<OwnGemmVariant, const MicroKernel<T>*>> out;
  for (const Twin& t : kTwins) {
    const MicroKernel<T>& k = kernel_of<T>(t);
    OwnGemmVariant v;
    v.name = "flopscope-" + std::string(to_string(t.isa)) + "-" + std::to_string(k.mr) + "x" +
             std::to_string(k.nr) + " (portable twin)";
    v.precision = precision_of_type(T{});
    v.isa = t.isa;
    v.mr = k.mr;
    v.nr = k.nr;
    out.emplace_back(v, &k);
  }
  return out;
}

template <typename T>
class OwnGemmTiles : public ::testing::Test {
 protected:
  void SetUp() override { misaligned_loads = 0; }
  void TearDown() override { EXPECT_EQ(misaligned_loads.load(), 0) << "misaligned panel loads"; }
};
using Types = ::testing::Types<double, float>;
TYPED_TEST_SUITE(OwnGemmTiles, Types);

// Every variant compiled for any architecture's ISA list has a twin of its
// own tile here, so a new or reshaped micro-kernel cannot go unchecked.
TYPED_TEST(OwnGemmTiles, EveryCompiledVariantHasATwinOfItsTile) {
  const auto variants = all_own_gemm_variants(precision_of_type(TypeParam{}));
  ASSERT_FALSE(variants.empty());
  for (const auto& v : variants) {
    bool found = false;
    for (const Twin& t : kTwins)
      found |= t.isa == v.isa && kernel_of<TypeParam>(t).mr == v.mr &&
               kernel_of<TypeParam>(t).nr == v.nr;
    EXPECT_TRUE(found) << v.name << " has no portable twin of its tile";
  }
}

TYPED_TEST(OwnGemmTiles, EveryTileMatchesTheReferenceOnOddSizesLayoutsAndThreads) {
  const Shape shapes[] = {{1, 1, 1}, {7, 7, 7}, {33, 33, 33}, {65, 17, 33}, {50, 19, 70}};
  for (const auto& [v, twin] : twin_variants<TypeParam>()) {
    SCOPED_TRACE(v.name);
    for (bool small : {false, true})
      for (const auto& pus : {std::vector<int>{}, allowed_pus(2)}) {
        for (const auto& s : shapes) {
          Case<TypeParam> cs;
          cs.s = s;
          cs.alpha = TypeParam(1);
          cs.beta = TypeParam(0);
          expect_matches_reference(config_for(v, small, pus), cs, 11, 1, twin);
        }
        for (Layout layout : {Layout::col_major, Layout::row_major})
          for (Trans ta : {Trans::no, Trans::yes})
            for (Trans tb : {Trans::no, Trans::yes}) {
              Case<TypeParam> cs;
              cs.layout = layout;
              cs.ta = ta;
              cs.tb = tb;
              cs.s = {2 * v.mr + 5, 3 * v.nr + 1, 41};
              cs.pad = 3;
              cs.alpha = TypeParam(-1.25);
              cs.beta = TypeParam(0.5);
              expect_matches_reference(config_for(v, small, pus), cs, 12, 1, twin);
            }
      }
  }
}

// A product larger than one cache block in every dimension, with the MC and
// KC the cache model gives (several pc steps, several A blocks per thread)
// and NC cut to two tiles, so that the jc loop moves between B blocks too.
TYPED_TEST(OwnGemmTiles, EveryTileMatchesTheReferenceAcrossRealCacheBlocks) {
  for (const auto& [v, twin] : twin_variants<TypeParam>()) {
    SCOPED_TRACE(v.name);
    OwnGemmConfig cfg = config_for(v, false, allowed_pus(2));
    cfg.blocking.nc = 2 * v.nr;
    Case<TypeParam> cs;
    cs.s = {cfg.blocking.mc * 2 + 7, 5 * v.nr + 3, cfg.blocking.kc * 2 + 5};
    cs.alpha = TypeParam(0.5);
    cs.beta = TypeParam(2);
    expect_matches_reference(cfg, cs, 13, 1, twin);
  }
}

TEST(OwnGemmTiles, ATileWithoutADriverInstanceIsRefused) {
  const MicroKernel<double> odd{4, 4, &twin_kernel<double, 4, 1, 4>};
  std::vector<double> x(16, 1.0);
  EXPECT_THROW(own_gemm_with_micro_kernel<double>(Layout::col_major, Trans::no, Trans::no, 4, 4, 4,
                                                  1.0, x.data(), 4, x.data(), 4, 0.0, x.data(), 4,
                                                  odd, OwnGemmBlocking{8, 8, 8, "test"}, {}),
               std::invalid_argument);
}

}  // namespace
