// The CPU stencil: every sweep this machine can run (both stars, both
// precisions, odd sizes, several threads, thin y-blocks, with and without
// streaming stores) matches a host sweep at every point; a corrupted point,
// anywhere, fails the check; an instruction set the CPU lacks is never
// chosen; and the registry's sizes are what the spec says.
#include <gtest/gtest.h>

#include <cmath>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/errors.h"
#include "kernels/stencil/cpu/stencil_cpu.h"
#include "kernels/stencil/cpu/stencil_grid.h"
#include "kernels/stencil/stencil_spec.h"
#include "tests/interleaved_copy_checks.h"

using namespace flopscope;
using namespace flopscope::stencil;
namespace sc = flopscope::stencil::cpu;
using sc::SweepIsa;

namespace {

std::vector<SweepIsa> runnable_isas() {
  auto isa = flopscope::cpu::detect_cpu_isa();
  std::vector<SweepIsa> out = {SweepIsa::generic};
  if (isa.avx2 && isa.fma) out.push_back(SweepIsa::avx2);
  if (isa.avx512f) out.push_back(SweepIsa::avx512);
  return out;
}

sc::StencilConfig config(SweepIsa isa, Star star, Precision p, int64_t nx, int64_t ny, int64_t nz) {
  sc::StencilConfig c;
  c.star = star;
  c.precision = p;
  c.nx = nx;
  c.ny = ny;
  c.nz = nz;
  c.isa = isa;
  c.l2_bytes_per_core = 512 << 10;
  c.l3_bytes_total = 32 << 20;
  return c;
}

// Ops that count what star_point asks of them (an FMA counts 2).
struct Counting {
  using V = double;
  static inline int ops = 0;
  static double add(double a, double b) { return ++ops, a + b; }
  static double mul(double a, double b) { return ++ops, a * b; }
  static double madd(double a, double b, double c) { return ops += 2, a * b + c; }
};

}  // namespace

TEST(StencilSpec, CountsAndWeights) {
  EXPECT_EQ(flop_per_point(radius(Star::point7)), 8);  // DESIGN.md
  EXPECT_EQ(flop_per_point(radius(Star::point25)), 29);
  EXPECT_EQ(bytes_per_point(8), 16);  // one read, one write
  EXPECT_EQ(bytes_per_point(4), 8);
  for (int r : {1, 4}) {
    double sum = weight(r, 0);
    for (int i = 1; i <= r; ++i) sum += 6 * weight(r, i);
    EXPECT_NEAR(sum, 1.0, 1e-15) << "radius " << r;  // a constant field stays constant
  }
  // The formula really performs the counted operations: count them.
  const double c[5] = {1, 1, 1, 1, 1};
  auto one = [](int, int, int) { return 1.0; };
  Counting::ops = 0;
  EXPECT_DOUBLE_EQ((star_point<1, Counting>(c, one)), 7.0);
  EXPECT_EQ(Counting::ops, flop_per_point(1));
  Counting::ops = 0;
  EXPECT_DOUBLE_EQ((star_point<4, Counting>(c, one)), 25.0);
  EXPECT_EQ(Counting::ops, flop_per_point(4));
}

TEST(StencilGrid, LayoutAlignsRowsAndHoldsTheHalo) {
  for (int r : {1, 4})
    for (int bytes : {4, 8}) {
      auto g = sc::make_layout(9, 10, 11, r, bytes);
      EXPECT_EQ(sc::offset(g, 0, 0, 0) * bytes % 64, 0);
      EXPECT_EQ(g.pitch * bytes % 64, 0);
      EXPECT_GE(sc::offset(g, -r, -r, -r), 0);
      EXPECT_LT(sc::offset(g, 9 + r - 1, 10 + r - 1, 11 + r - 1), g.elements);
      EXPECT_GE(g.pitch, 9 + 2 * r);
    }
  auto g = sc::make_layout(504, 8, 8, 1, 8);  // a 4 KiB row stride is nudged off
  EXPECT_NE(g.pitch * 8 % 4096, 0);
}

TEST(StencilCpu, MatchesTheHostSweepEverywhere) {
  struct Shape {
    int64_t nx, ny, nz;
  };
  for (SweepIsa isa : runnable_isas())
    for (Star star : {Star::point7, Star::point25})
      for (Precision p : {Precision::fp64, Precision::fp32})
        // 32: whole lines in FP64 and FP32, so the last step of a row
        // splices its x + 1.. neighbours from the line after the row.
        for (Shape s : {Shape{9, 10, 11}, Shape{17, 17, 17}, Shape{32, 6, 7}})
          for (int nt : {0, 1}) {
            auto c = config(isa, star, p, s.nx, s.ny, s.nz);
            c.streaming_stores = nt;
            c.pus = {0, 0, 0};  // three threads: uneven slabs
            c.block_rows = 4;   // several y-blocks and a short last one
            auto run = sc::make_cpu_stencil_run(c);
            ASSERT_TRUE(run);
            for (int sweeps : {1, 2}) {  // both parities of the buffer swap
              EXPECT_GT(run->run(sweeps), 0.0);
              auto v = run->verify();
              EXPECT_TRUE(v.valid())
                  << run->implementation() << " " << variant_name(star) << " " << to_string(p)
                  << " " << s.nx << "x" << s.ny << "x" << s.nz << " err " << v.max_error << " tol "
                  << v.tolerance << ": " << v.detail;
            }
            EXPECT_DOUBLE_EQ(run->flop_per_iteration(),
                             double(flop_per_point(radius(star))) * s.nx * s.ny * s.nz);
            EXPECT_DOUBLE_EQ(run->bytes_per_iteration(),
                             2.0 * (p == Precision::fp64 ? 8 : 4) * s.nx * s.ny * s.nz);
          }
}

// Both grids, halo and padding included, against the L3: what the memory
// roofline asks before it judges the sweep (harness/roofline.h).
TEST(StencilCpu, ReportsBothGridsAsItsFootprint) {
  for (Star star : {Star::point7, Star::point25}) {
    auto run =
        sc::make_cpu_stencil_run(config(SweepIsa::generic, star, Precision::fp32, 16, 12, 10));
    ASSERT_TRUE(run->footprint());
    const auto g = sc::make_layout(16, 12, 10, radius(star), 4);
    EXPECT_DOUBLE_EQ(run->footprint()->working_set_bytes, 2.0 * 4 * g.elements);
    EXPECT_DOUBLE_EQ(run->footprint()->cache_bytes, 32 << 20);
    EXPECT_EQ(run->footprint()->cache, "L3");
  }
}

TEST(StencilCpu, NothingCheckedBeforeASweep) {
  auto run =
      sc::make_cpu_stencil_run(config(SweepIsa::generic, Star::point7, Precision::fp64, 8, 8, 8));
  EXPECT_FALSE(run->verify().checked);
}

// The copy that sets its roofline, timed between repetitions
// (interleaved_copy_checks.h).
TEST(StencilCpu, TimesACopyOfItsGridsBetweenSweeps) {
  for (SweepIsa isa : runnable_isas())
    for (Precision p : {Precision::fp64, Precision::fp32})
      for (int nt : {0, 1}) {
        auto c = config(isa, Star::point25, p, 17, 12, 11);
        c.streaming_stores = nt;
        c.pus = {0, 0};
        auto run = sc::make_cpu_stencil_run(c);
        ASSERT_TRUE(run);
        flopscope::test::expect_copy_between_sweeps(*run);
      }
}

TEST(StencilCpu, ACorruptedPointAnywhereFails) {
  for (SweepIsa isa : runnable_isas())
    for (Star star : {Star::point7, Star::point25})
      for (Precision p : {Precision::fp64, Precision::fp32}) {
        const int64_t r = radius(star), ex = 9 + 2 * r, ey = 10 + 2 * r, ez = 11 + 2 * r;
        // A halo corner, the burst engine's element 7, an interior point, the last point.
        const int64_t interior = (r + 1) + ex * ((r + 2) + ey * (r + 3));
        for (int64_t e : {int64_t{0}, int64_t{7}, interior, ex * ey * ez - 1}) {
          auto run = sc::make_cpu_stencil_run(config(isa, star, p, 9, 10, 11));
          run->run(3);
          ASSERT_TRUE(run->verify().valid());
          ASSERT_TRUE(run->corrupt_output_for_test(e));
          EXPECT_FALSE(run->verify().valid())
              << run->implementation() << " " << variant_name(star) << " element " << e;
        }
      }
}

TEST(StencilCpu, BlocksFromTheCacheSizes) {
  std::string why;
  // 7-point FP64 at 256^3 with a 512 KiB L2: 3 planes of 2176 B rows in
  // 170 KiB, less the 2 halo rows: 24 rows; with Zen 5's 1 MiB, 51.
  EXPECT_EQ(sc::choose_block_rows(1, 256, 2176, 512 << 10, 32 << 20, 2, &why), 24);
  EXPECT_EQ(why, "L2");
  EXPECT_EQ(sc::choose_block_rows(1, 256, 2176, 1 << 20, 8 << 20, 2, &why), 51);
  // 25-point at 1024^3: 9 planes of 8 KiB rows leave 2 - 8 rows: the floor
  // of 8R, named so.
  EXPECT_EQ(sc::choose_block_rows(4, 1024, 8192, 512 << 10, 32 << 20, 2, &why), 32);
  EXPECT_EQ(why, "8R-floor");
  // An unknown L2: from the thread's share of the L3. 3 planes of 258 rows
  // (1.7 MB) fit half of 16 MiB: whole planes; 25-point at 1024^3, 16 MiB /
  // 2 / (9 x 8 KiB) - 8 = 105 rows.
  EXPECT_EQ(sc::choose_block_rows(1, 256, 2176, 0, 32 << 20, 2, &why), 256);
  EXPECT_EQ(why, "L3");
  EXPECT_EQ(sc::choose_block_rows(4, 1024, 8192, 0, 32 << 20, 2, &why), 105);
  // No cache known at all: the floor of 8R rows.
  EXPECT_EQ(sc::choose_block_rows(4, 256, 2176, 0, 0, 2, &why), 32);
  EXPECT_EQ(why, "8R-floor");
  EXPECT_TRUE(sc::choose_streaming_stores(256ull << 20, 32 << 20));
  EXPECT_FALSE(sc::choose_streaming_stores(1 << 20, 32 << 20));
}

TEST(StencilRegistry, SizesAndVariants) {
  const auto* k = flopscope::cpu::find_cpu_kernel(KernelKind::stencil);
  ASSERT_NE(k, nullptr);
  flopscope::cpu::CpuContext ctx;
  auto sizes = k->default_sizes(ctx, Precision::fp64, false);
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0].variant, "7-point");
  EXPECT_EQ(sizes[1].variant, "25-point");
  EXPECT_EQ(sizes[0].get("nx"), 256);
  EXPECT_EQ(sizes[0].label(), "7-point,nx=256,ny=256,nz=256");
  EXPECT_EQ(k->default_sizes(ctx, Precision::fp64, true)[0].get("nz"), 192);
  auto user = k->sizes_from_user(ctx, Precision::fp32, {9, 10, 11});
  ASSERT_EQ(user.size(), 2u);
  EXPECT_EQ(user[1].get("ny"), 10);
  EXPECT_THROW(k->sizes_from_user(ctx, Precision::fp64, {9, 10}), UsageError);
  EXPECT_THROW(k->sizes_from_user(ctx, Precision::fp64, {1 << 20}), UsageError);
  std::string why;
  KernelRequest bf16;
  bf16.kernel = KernelKind::stencil;
  bf16.precision = Precision::bf16;
  bf16.size = sizes[0];
  EXPECT_FALSE(k->make(ctx, bf16, &why));
  EXPECT_NE(why.find("bf16"), std::string::npos);
}
