// The AMD matrix (MFMA) instructions flopscope uses, in one place: their
// shapes, which A/B/C elements each lane of a 64-lane wave holds, which
// gfx targets have them, and (in device passes) the call itself.
//
// Lane mappings, as in the CDNA ISA guides, AMD's matrix instruction
// calculator and composable_kernel's xdlops tables (mfma_type<>): for an
// instruction with an m x n tile (m = n here) and K = (64 / m) x kpl,
//   A (m x K):  lane l holds row l % m, k = (l / m) * kpl + j, j < kpl
//   B (K x n):  lane l holds col l % n, k = (l / n) * kpl + j
//   C (m x n):  lane l, accumulator register r holds col l % n and row
//               (r / g) * (64 / n) * g + (l / n) * g + r % g
// with kpl the k elements per lane ("k_per_blk") and g the rows a lane holds
// in consecutive registers ("group_size"): g = 4 for every 32x32 shape (rows
// 0-3, 8-11, 16-19, 24-27 for lanes 0-31), but g = 1 for the FP64 16x16x4,
// whose register r holds row 4 r + l / 16 (AMD lab notes' dgemm example).
//
// Pure arithmetic, __host__ __device__: the GEMM kernel and the host test
// (tests/test_mfma_tiles.cpp) use the very same functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "harness/precision.h"

#ifndef FLOPSCOPE_HOST_DEVICE
#if defined(__CUDACC__) || defined(__HIPCC__)
#define FLOPSCOPE_HOST_DEVICE __host__ __device__
#else
#define FLOPSCOPE_HOST_DEVICE
#endif
#endif

namespace flopscope::gemm::hip {

inline constexpr int kWaveLanes = 64;  // MFMA always runs on a full wave64

enum class MfmaOp {
  f16_32x32x8,      // v_mfma_f32_32x32x8f16       gfx908, gfx90a, gfx94x, gfx950
  bf16_32x32x8_1k,  // v_mfma_f32_32x32x8bf16_1k   gfx90a, gfx94x, gfx950
  bf16_32x32x4,     // v_mfma_f32_32x32x4bf16      gfx908 (its only full-rate BF16)
  i8_32x32x8,       // v_mfma_i32_32x32x8i8        gfx908, gfx90a (gone from gfx94x)
  i8_32x32x16,      // v_mfma_i32_32x32x16_i8      gfx94x, gfx950
  fp8_32x32x16,     // v_mfma_f32_32x32x16_fp8_fp8 gfx94x (FNUZ e4m3), gfx950 (OCP e4m3)
  f64_16x16x4,      // v_mfma_f64_16x16x4f64       gfx90a, gfx94x, gfx950
};

struct MfmaShape {
  int m = 0, n = 0, k = 0;  // C += A (m x k) B (k x n), per wave
  int k_per_lane = 0;       // consecutive k elements of A (and of B) in each lane
  int c_group = 0;          // consecutive C rows in consecutive registers of a lane
  int element_bytes = 0;    // bytes of one A/B element
  const char* name = "";    // ISA mnemonic

  // Lanes that hold one row of A (one column of B) between them, each a
  // different slice of k: 64 / m.
  FLOPSCOPE_HOST_DEVICE constexpr int k_groups() const { return kWaveLanes / m; }
  // Accumulator elements per lane.
  FLOPSCOPE_HOST_DEVICE constexpr int c_registers() const { return m * n / kWaveLanes; }
  // FLOP (OP for int8) of one instruction: 2 m n k per wave.
  FLOPSCOPE_HOST_DEVICE constexpr double flop() const { return 2.0 * m * n * k; }
};

FLOPSCOPE_HOST_DEVICE constexpr MfmaShape mfma_shape(MfmaOp op) {
  switch (op) {
    case MfmaOp::f16_32x32x8:
      return {32, 32, 8, 4, 4, 2, "v_mfma_f32_32x32x8f16"};
    case MfmaOp::bf16_32x32x8_1k:
      return {32, 32, 8, 4, 4, 2, "v_mfma_f32_32x32x8bf16_1k"};
    case MfmaOp::bf16_32x32x4:
      return {32, 32, 4, 2, 4, 2, "v_mfma_f32_32x32x4bf16"};
    case MfmaOp::i8_32x32x8:
      return {32, 32, 8, 4, 4, 1, "v_mfma_i32_32x32x8i8"};
    case MfmaOp::i8_32x32x16:
      return {32, 32, 16, 8, 4, 1, "v_mfma_i32_32x32x16_i8"};
    case MfmaOp::fp8_32x32x16:
      return {32, 32, 16, 8, 4, 1, "v_mfma_f32_32x32x16_fp8_fp8"};
    case MfmaOp::f64_16x16x4:
      return {16, 16, 4, 1, 1, 8, "v_mfma_f64_16x16x4f64"};
  }
  return {};
}

struct RowK {
  int row, k;
};
struct KCol {
  int k, col;
};
struct RowCol {
  int row, col;
};

// Element j (< k_per_lane) of lane `lane`'s A operand.
FLOPSCOPE_HOST_DEVICE constexpr RowK a_element(const MfmaShape& s, int lane, int j) {
  return {lane % s.m, (lane / s.m) * s.k_per_lane + j};
}

// Element j (< k_per_lane) of lane `lane`'s B operand.
FLOPSCOPE_HOST_DEVICE constexpr KCol b_element(const MfmaShape& s, int lane, int j) {
  return {(lane / s.n) * s.k_per_lane + j, lane % s.n};
}

// The C element in accumulator register r (< c_registers) of lane `lane`.
FLOPSCOPE_HOST_DEVICE constexpr RowCol c_element(const MfmaShape& s, int lane, int r) {
  const int blocks = kWaveLanes / s.n;  // lanes l, l + n, ... hold the same column
  return {(r / s.c_group) * blocks * s.c_group + (lane / s.n) * s.c_group + r % s.c_group,
          lane % s.n};
}

// gfx target families, from the runtime's arch name without features
// ("gfx90a", not "gfx90a:sramecc+:xnack-").
inline bool is_gfx908(std::string_view arch) {
  return arch == "gfx908";
}
inline bool is_gfx90a(std::string_view arch) {
  return arch == "gfx90a";
}
inline bool is_gfx94x(std::string_view arch) {  // CDNA3, and CDNA4 which keeps its MFMA set
  return arch == "gfx940" || arch == "gfx941" || arch == "gfx942" || arch == "gfx950";
}

// The instruction flopscope uses for `p` on `arch`, or none (RDNA, pre-CDNA,
// or a precision the arch's matrix units lack). The device code below is
// compiled for exactly these pairs; every other pair traps, so the host must
// ask here before launching.
inline std::optional<MfmaOp> mfma_op_for(std::string_view arch, Precision p) {
  const bool cdna1 = is_gfx908(arch), cdna2 = is_gfx90a(arch), cdna3 = is_gfx94x(arch);
  // gfx950 doubles the 16- and 8-bit MFMA rates only through its own
  // instructions (32x32x16 f16/bf16, 32x32x32 i8, f8f6f4); the CDNA3 ones
  // above run there at half the table's rate, so they are not used as its
  // peak or GEMM (a half-rate "peak" would understate the device).
  if (arch == "gfx950" && p != Precision::fp64) return std::nullopt;
  switch (p) {
    case Precision::fp16:
      if (cdna1 || cdna2 || cdna3) return MfmaOp::f16_32x32x8;
      break;
    case Precision::bf16:
      if (cdna2 || cdna3) return MfmaOp::bf16_32x32x8_1k;
      if (cdna1) return MfmaOp::bf16_32x32x4;
      break;
    case Precision::int8:
      if (cdna1 || cdna2) return MfmaOp::i8_32x32x8;
      if (cdna3) return MfmaOp::i8_32x32x16;
      break;
    case Precision::fp8:
      if (cdna3) return MfmaOp::fp8_32x32x16;
      break;
    case Precision::fp64:
      if (cdna2 || cdna3) return MfmaOp::f64_16x16x4;
      break;
    default:
      break;
  }
  return std::nullopt;
}

// True for gfx targets with matrix units at all (CDNA).
inline bool has_mfma_units(std::string_view arch) {
  return is_gfx908(arch) || is_gfx90a(arch) || is_gfx94x(arch);
}

}  // namespace flopscope::gemm::hip

// ---------------------------------------------------------------------------
// Device side: the instructions themselves, as compiler builtins (which tell
// the compiler the MFMA's hazards, unlike inline assembly). Each is compiled
// only for the targets mfma_op_for() names; elsewhere (gfx1030, host pass)
// the call traps and is never launched.
#if defined(__HIPCC__)

#if defined(__gfx940__) || defined(__gfx941__) || defined(__gfx942__) || defined(__gfx950__)
#define FLOPSCOPE_MFMA_GFX94X 1
#endif
#if defined(__gfx908__) || defined(__gfx90a__) || defined(FLOPSCOPE_MFMA_GFX94X)
#define FLOPSCOPE_MFMA_F16 1
#endif
#if defined(__gfx90a__) || defined(FLOPSCOPE_MFMA_GFX94X)
#define FLOPSCOPE_MFMA_BF16_1K 1
#define FLOPSCOPE_MFMA_F64 1
#endif
#if defined(__gfx908__) || defined(__gfx90a__)
#define FLOPSCOPE_MFMA_I8_K8 1
#endif
#if defined(FLOPSCOPE_MFMA_GFX94X)
#define FLOPSCOPE_MFMA_I8_K16 1
#if __has_builtin(__builtin_amdgcn_mfma_f32_32x32x16_fp8_fp8)
#define FLOPSCOPE_MFMA_FP8 1
#endif
#endif

namespace flopscope::gemm::hip {

using mfma_half4 = _Float16 __attribute__((ext_vector_type(4)));
using mfma_short4 = short __attribute__((ext_vector_type(4)));
using mfma_short2 = short __attribute__((ext_vector_type(2)));
using mfma_floatx16 = float __attribute__((ext_vector_type(16)));
using mfma_intx16 = int __attribute__((ext_vector_type(16)));
using mfma_doublex4 = double __attribute__((ext_vector_type(4)));

// Operand: what one lane passes for A and for B (k_per_lane elements);
// Acc: its c_registers() accumulators; Scalar: one accumulator element.
template <MfmaOp kOp>
struct Mfma;

template <>
struct Mfma<MfmaOp::f16_32x32x8> {
  using Operand = mfma_half4;
  using Acc = mfma_floatx16;
  using Scalar = float;
  static __device__ inline Acc run(Operand a, Operand b, Acc c) {
#if defined(FLOPSCOPE_MFMA_F16)
    return __builtin_amdgcn_mfma_f32_32x32x8f16(a, b, c, 0, 0, 0);
#else
    (void)a, (void)b;
    __builtin_trap();
    return c;
#endif
  }
};

template <>
struct Mfma<MfmaOp::bf16_32x32x8_1k> {
  using Operand = mfma_short4;  // BF16 bit patterns
  using Acc = mfma_floatx16;
  using Scalar = float;
  static __device__ inline Acc run(Operand a, Operand b, Acc c) {
#if defined(FLOPSCOPE_MFMA_BF16_1K)
    return __builtin_amdgcn_mfma_f32_32x32x8bf16_1k(a, b, c, 0, 0, 0);
#else
    (void)a, (void)b;
    __builtin_trap();
    return c;
#endif
  }
};

template <>
struct Mfma<MfmaOp::bf16_32x32x4> {
  using Operand = mfma_short2;
  using Acc = mfma_floatx16;
  using Scalar = float;
  static __device__ inline Acc run(Operand a, Operand b, Acc c) {
#if defined(__gfx908__)
    return __builtin_amdgcn_mfma_f32_32x32x4bf16(a, b, c, 0, 0, 0);
#else
    (void)a, (void)b;
    __builtin_trap();
    return c;
#endif
  }
};

template <>
struct Mfma<MfmaOp::i8_32x32x8> {
  using Operand = int;  // four int8, k ascending from the low byte
  using Acc = mfma_intx16;
  using Scalar = int;
  static __device__ inline Acc run(Operand a, Operand b, Acc c) {
#if defined(FLOPSCOPE_MFMA_I8_K8)
    return __builtin_amdgcn_mfma_i32_32x32x8i8(a, b, c, 0, 0, 0);
#else
    (void)a, (void)b;
    __builtin_trap();
    return c;
#endif
  }
};

template <>
struct Mfma<MfmaOp::i8_32x32x16> {
  using Operand = long;  // eight int8
  using Acc = mfma_intx16;
  using Scalar = int;
  static __device__ inline Acc run(Operand a, Operand b, Acc c) {
#if defined(FLOPSCOPE_MFMA_I8_K16)
    return __builtin_amdgcn_mfma_i32_32x32x16_i8(a, b, c, 0, 0, 0);
#else
    (void)a, (void)b;
    __builtin_trap();
    return c;
#endif
  }
};

template <>
struct Mfma<MfmaOp::fp8_32x32x16> {
  using Operand = long;  // eight e4m3 bytes
  using Acc = mfma_floatx16;
  using Scalar = float;
  static __device__ inline Acc run(Operand a, Operand b, Acc c) {
#if defined(FLOPSCOPE_MFMA_FP8)
    return __builtin_amdgcn_mfma_f32_32x32x16_fp8_fp8(a, b, c, 0, 0, 0);
#else
    (void)a, (void)b;
    __builtin_trap();
    return c;
#endif
  }
};

template <>
struct Mfma<MfmaOp::f64_16x16x4> {
  using Operand = double;
  using Acc = mfma_doublex4;
  using Scalar = double;
  static __device__ inline Acc run(Operand a, Operand b, Acc c) {
#if defined(FLOPSCOPE_MFMA_F64)
    return __builtin_amdgcn_mfma_f64_16x16x4f64(a, b, c, 0, 0, 0);
#else
    (void)a, (void)b;
    __builtin_trap();
    return c;
#endif
  }
};

}  // namespace flopscope::gemm::hip

#endif  // __HIPCC__
