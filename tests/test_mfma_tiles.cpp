// The MFMA lane bookkeeping (kernels/gemm/hip/mfma_tile.h) on the host: a
// wave of 64 emulated lanes, each holding its A/B/C registers as the mapping
// says, runs the instruction and must give the plain matrix product; every
// element belongs to exactly one (lane, register); and a few anchors taken
// from AMD's documentation pin the mapping itself (a bijection that is the
// wrong one would pass the first two checks, not the anchors).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/gemm/hip/mfma_tile.h"

namespace {

using flopscope::Precision;
using flopscope::gemm::hip::a_element;
using flopscope::gemm::hip::b_element;
using flopscope::gemm::hip::c_element;
using flopscope::gemm::hip::kWaveLanes;
using flopscope::gemm::hip::mfma_op_for;
using flopscope::gemm::hip::mfma_shape;
using flopscope::gemm::hip::MfmaOp;
using flopscope::gemm::hip::MfmaShape;

constexpr MfmaOp kAllOps[] = {MfmaOp::f16_32x32x8, MfmaOp::bf16_32x32x8_1k, MfmaOp::bf16_32x32x4,
                              MfmaOp::i8_32x32x8,  MfmaOp::i8_32x32x16,     MfmaOp::fp8_32x32x16,
                              MfmaOp::f64_16x16x4};

// Row-major dense tiles of integers (exact in every format the test mimics).
struct Tile {
  int rows, cols;
  std::vector<int64_t> v;
  Tile(int r, int c) : rows(r), cols(c), v(static_cast<size_t>(r) * c, 0) {}
  int64_t& at(int r, int c) { return v[static_cast<size_t>(r) * cols + c]; }
  int64_t at(int r, int c) const { return v[static_cast<size_t>(r) * cols + c]; }
};

Tile random_tile(int rows, int cols, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(-8, 8);
  Tile t(rows, cols);
  for (auto& x : t.v) x = d(rng);
  return t;
}

// The registers of one wave: per lane, k_per_lane A and B elements and
// c_registers accumulators.
struct Wave {
  std::vector<std::vector<int64_t>> a, b, c;
};

// Every lane loads its elements of A (m x k), B (k x n), C (m x n); `k0` is
// the k offset of this instruction within a longer product (the GEMM's loop).
Wave load(const MfmaShape& s, const Tile& A, const Tile& B, const Tile& C, int k0) {
  Wave w;
  w.a.assign(kWaveLanes, std::vector<int64_t>(s.k_per_lane));
  w.b.assign(kWaveLanes, std::vector<int64_t>(s.k_per_lane));
  w.c.assign(kWaveLanes, std::vector<int64_t>(s.c_registers()));
  for (int lane = 0; lane < kWaveLanes; ++lane) {
    for (int j = 0; j < s.k_per_lane; ++j) {
      const auto ea = a_element(s, lane, j);
      const auto eb = b_element(s, lane, j);
      w.a[lane][j] = A.at(ea.row, k0 + ea.k);
      w.b[lane][j] = B.at(k0 + eb.k, eb.col);
    }
    for (int r = 0; r < s.c_registers(); ++r) {
      const auto ec = c_element(s, lane, r);
      w.c[lane][r] = C.at(ec.row, ec.col);
    }
  }
  return w;
}

// The instruction as the hardware sees it: it assembles the m x k, k x n and
// m x n tiles from the lanes' registers by the mapping, computes D = A B + C
// and leaves D in the lanes' accumulators by the mapping.
void execute(const MfmaShape& s, Wave& w) {
  Tile a(s.m, s.k), b(s.k, s.n), c(s.m, s.n);
  for (int lane = 0; lane < kWaveLanes; ++lane) {
    for (int j = 0; j < s.k_per_lane; ++j) {
      const auto ea = a_element(s, lane, j);
      const auto eb = b_element(s, lane, j);
      a.at(ea.row, ea.k) = w.a[lane][j];
      b.at(eb.k, eb.col) = w.b[lane][j];
    }
    for (int r = 0; r < s.c_registers(); ++r) {
      const auto ec = c_element(s, lane, r);
      c.at(ec.row, ec.col) = w.c[lane][r];
    }
  }
  for (int i = 0; i < s.m; ++i)
    for (int j = 0; j < s.n; ++j)
      for (int l = 0; l < s.k; ++l) c.at(i, j) += a.at(i, l) * b.at(l, j);
  for (int lane = 0; lane < kWaveLanes; ++lane)
    for (int r = 0; r < s.c_registers(); ++r) {
      const auto ec = c_element(s, lane, r);
      w.c[lane][r] = c.at(ec.row, ec.col);
    }
}

// What the lanes hold, put back into a tile by the mapping (the GEMM's store).
Tile store(const MfmaShape& s, const Wave& w) {
  Tile d(s.m, s.n);
  for (int lane = 0; lane < kWaveLanes; ++lane)
    for (int r = 0; r < s.c_registers(); ++r) {
      const auto ec = c_element(s, lane, r);
      d.at(ec.row, ec.col) = w.c[lane][r];
    }
  return d;
}

TEST(MfmaTiles, ShapesAreConsistent) {
  for (MfmaOp op : kAllOps) {
    const MfmaShape s = mfma_shape(op);
    SCOPED_TRACE(s.name);
    EXPECT_EQ(s.m, s.n);
    EXPECT_EQ(s.k_groups() * s.k_per_lane, s.k);  // the lanes cover k
    EXPECT_EQ(s.k_groups() * s.m, kWaveLanes);    // ... and all 64 lanes
    EXPECT_EQ(s.c_registers() * kWaveLanes, s.m * s.n);
    EXPECT_EQ(s.c_registers() % s.c_group, 0);
    EXPECT_EQ(s.flop(), 2.0 * s.m * s.n * s.k);
    // A lane's k elements are consecutive: the GEMM reads them from LDS as
    // one vector starting at element 0's position.
    for (int lane = 0; lane < kWaveLanes; ++lane)
      for (int j = 0; j < s.k_per_lane; ++j) {
        EXPECT_EQ(a_element(s, lane, j).k, a_element(s, lane, 0).k + j);
        EXPECT_EQ(a_element(s, lane, j).row, a_element(s, lane, 0).row);
        EXPECT_EQ(b_element(s, lane, j).k, b_element(s, lane, 0).k + j);
        EXPECT_EQ(b_element(s, lane, j).col, b_element(s, lane, 0).col);
      }
  }
}

TEST(MfmaTiles, EveryElementHasExactlyOneOwner) {
  for (MfmaOp op : kAllOps) {
    const MfmaShape s = mfma_shape(op);
    SCOPED_TRACE(s.name);
    std::vector<int> a(s.m * s.k, 0), b(s.k * s.n, 0), c(s.m * s.n, 0);
    for (int lane = 0; lane < kWaveLanes; ++lane) {
      for (int j = 0; j < s.k_per_lane; ++j) {
        const auto ea = a_element(s, lane, j);
        const auto eb = b_element(s, lane, j);
        ASSERT_TRUE(ea.row >= 0 && ea.row < s.m && ea.k >= 0 && ea.k < s.k);
        ASSERT_TRUE(eb.col >= 0 && eb.col < s.n && eb.k >= 0 && eb.k < s.k);
        ++a[ea.row * s.k + ea.k];
        ++b[eb.k * s.n + eb.col];
      }
      for (int r = 0; r < s.c_registers(); ++r) {
        const auto ec = c_element(s, lane, r);
        ASSERT_TRUE(ec.row >= 0 && ec.row < s.m && ec.col >= 0 && ec.col < s.n);
        ++c[ec.row * s.n + ec.col];
      }
    }
    for (int x : a) EXPECT_EQ(x, 1);  // each A element loaded once per instruction
    for (int x : b) EXPECT_EQ(x, 1);
    for (int x : c) EXPECT_EQ(x, 1);  // each C element in one (lane, register)
  }
}

TEST(MfmaTiles, EmulatedWaveGivesTheMatrixProduct) {
  std::mt19937 rng(20261128);
  for (MfmaOp op : kAllOps) {
    const MfmaShape s = mfma_shape(op);
    SCOPED_TRACE(s.name);
    // Four instructions along k, accumulating as the GEMM's k loop does.
    constexpr int kSteps = 4;
    const Tile A = random_tile(s.m, kSteps * s.k, rng);
    const Tile B = random_tile(kSteps * s.k, s.n, rng);
    const Tile C0 = random_tile(s.m, s.n, rng);
    Wave w = load(s, A, B, C0, 0);
    for (int step = 0; step < kSteps; ++step) {
      const Wave next = load(s, A, B, C0, step * s.k);
      w.a = next.a;  // new operands, accumulators kept
      w.b = next.b;
      execute(s, w);
    }
    const Tile got = store(s, w);
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) {
        int64_t want = C0.at(i, j);
        for (int l = 0; l < kSteps * s.k; ++l) want += A.at(i, l) * B.at(l, j);
        ASSERT_EQ(got.at(i, j), want) << "C[" << i << "][" << j << "]";
      }
  }
}

// Anchors from AMD's documentation (see mfma_tile.h's header comment).
// The own GEMM passes its B fragments as the instruction's A operand and its
// A fragments as B, so that each accumulator register holds 32 consecutive
// rows of C across lanes (coalesced stores): the A and B fragment layouts are
// mirror images, so the instruction then computes the transposed tile.
TEST(MfmaTiles, SwappedOperandsGiveTheTransposedTile) {
  std::mt19937 rng(29);
  for (MfmaOp op :
       {MfmaOp::f16_32x32x8, MfmaOp::bf16_32x32x8_1k, MfmaOp::bf16_32x32x4, MfmaOp::f64_16x16x4}) {
    const MfmaShape s = mfma_shape(op);
    ASSERT_EQ(s.m, s.n) << s.name;
    for (int lane = 0; lane < kWaveLanes; ++lane)
      for (int j = 0; j < s.k_per_lane; ++j) {
        EXPECT_EQ(a_element(s, lane, j).row, b_element(s, lane, j).col) << s.name;
        EXPECT_EQ(a_element(s, lane, j).k, b_element(s, lane, j).k) << s.name;
      }
    const Tile A = random_tile(s.m, s.k, rng), B = random_tile(s.k, s.n, rng);
    Wave w = load(s, A, B, Tile(s.m, s.n), 0);
    std::swap(w.a, w.b);  // M::run(fb, fa, acc)
    execute(s, w);
    const Tile d = store(s, w);  // d(p, q) is C(q, p)
    for (int p = 0; p < s.n; ++p)
      for (int q = 0; q < s.m; ++q) {
        int64_t want = 0;
        for (int l = 0; l < s.k; ++l) want += A.at(q, l) * B.at(l, p);
        ASSERT_EQ(d.at(p, q), want) << s.name << " C(" << q << "," << p << ")";
      }
  }
}

TEST(MfmaTiles, MatchesTheDocumentedLayouts) {
  const MfmaShape f16 = mfma_shape(MfmaOp::f16_32x32x8);
  // A: lanes 0-31 hold k 0-3 of rows 0-31, lanes 32-63 hold k 4-7.
  EXPECT_EQ(a_element(f16, 5, 2).row, 5);
  EXPECT_EQ(a_element(f16, 5, 2).k, 2);
  EXPECT_EQ(a_element(f16, 37, 0).row, 5);
  EXPECT_EQ(a_element(f16, 37, 0).k, 4);
  EXPECT_EQ(b_element(f16, 63, 3).k, 7);
  EXPECT_EQ(b_element(f16, 63, 3).col, 31);
  // C: lanes 0-31 registers 0..15 hold rows 0,1,2,3, 8,9,10,11, 16.., 24..;
  // lanes 32-63 the same plus 4; the column is the lane mod 32.
  const int rows_lo[16] = {0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27};
  for (int r = 0; r < 16; ++r) {
    EXPECT_EQ(c_element(f16, 7, r).row, rows_lo[r]);
    EXPECT_EQ(c_element(f16, 7, r).col, 7);
    EXPECT_EQ(c_element(f16, 39, r).row, rows_lo[r] + 4);
    EXPECT_EQ(c_element(f16, 39, r).col, 7);
  }
  // FP64 16x16x4: lane x + 16 y holds A[x][y] and B[y][x]; register i holds
  // D[4 i + y][x] (AMD lab notes, dgemm_16x16x16: d_idx = x + 4 LDD i + LDD y).
  const MfmaShape f64 = mfma_shape(MfmaOp::f64_16x16x4);
  for (int lane = 0; lane < 64; ++lane) {
    const int x = lane % 16, y = lane / 16;
    EXPECT_EQ(a_element(f64, lane, 0).row, x);
    EXPECT_EQ(a_element(f64, lane, 0).k, y);
    EXPECT_EQ(b_element(f64, lane, 0).k, y);
    EXPECT_EQ(b_element(f64, lane, 0).col, x);
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(c_element(f64, lane, i).row, 4 * i + y);
      EXPECT_EQ(c_element(f64, lane, i).col, x);
    }
  }
  // INT8/FP8 with K = 16: eight bytes per lane, lanes 32-63 hold k 8-15.
  const MfmaShape i8 = mfma_shape(MfmaOp::i8_32x32x16);
  EXPECT_EQ(a_element(i8, 40, 7).row, 8);
  EXPECT_EQ(a_element(i8, 40, 7).k, 15);
  // gfx908's BF16: two elements per lane, lanes 32-63 hold k 2-3.
  const MfmaShape bf908 = mfma_shape(MfmaOp::bf16_32x32x4);
  EXPECT_EQ(b_element(bf908, 33, 1).k, 3);
  EXPECT_EQ(b_element(bf908, 33, 1).col, 1);
}

TEST(MfmaTiles, InstructionPerArchAndPrecision) {
  EXPECT_FALSE(mfma_op_for("gfx1030", Precision::fp16).has_value());
  EXPECT_FALSE(mfma_op_for("gfx1100", Precision::bf16).has_value());
  EXPECT_FALSE(mfma_op_for("gfx908", Precision::fp64).has_value());
  EXPECT_FALSE(mfma_op_for("gfx90a", Precision::fp8).has_value());
  EXPECT_FALSE(mfma_op_for("gfx942", Precision::fp32).has_value());  // not used: vector chains
  EXPECT_EQ(mfma_op_for("gfx908", Precision::bf16), MfmaOp::bf16_32x32x4);
  EXPECT_EQ(mfma_op_for("gfx90a", Precision::bf16), MfmaOp::bf16_32x32x8_1k);
  EXPECT_EQ(mfma_op_for("gfx90a", Precision::int8), MfmaOp::i8_32x32x8);
  EXPECT_EQ(mfma_op_for("gfx942", Precision::int8), MfmaOp::i8_32x32x16);
  EXPECT_EQ(mfma_op_for("gfx942", Precision::fp8), MfmaOp::fp8_32x32x16);
  EXPECT_EQ(mfma_op_for("gfx90a", Precision::fp64), MfmaOp::f64_16x16x4);
  EXPECT_FALSE(mfma_op_for("gfx950", Precision::fp16).has_value());  // double-rate ops not written
  EXPECT_EQ(mfma_op_for("gfx950", Precision::fp64), MfmaOp::f64_16x16x4);
}

}  // namespace
