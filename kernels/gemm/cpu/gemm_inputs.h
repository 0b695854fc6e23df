// Seeded pseudo-random GEMM inputs: each element a pure function of (seed,
// matrix, index), so any thread count fills the same matrices and the seed
// in the result file reproduces them. Never zeros or constants: low-entropy
// data draws less power and can run faster than real data.
#pragma once

#include <cstdint>
#include <cstring>

namespace flopscope::gemm::cpu {

enum class Operand : uint64_t { a = 1, b = 2 };

// splitmix64 of the three: well mixed even for consecutive indices.
inline uint64_t input_bits(uint64_t seed, Operand m, uint64_t index) {
  uint64_t z =
      seed ^ (static_cast<uint64_t>(m) * 0xD1B54A32D192ED03ull) ^ (index * 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1) with 52 random bits: exact in FP64.
inline double input_fp64(uint64_t bits) {
  return static_cast<double>(bits >> 12) * 0x1p-51 - 1.0;
}
// Uniform in [-1, 1) with 24 random bits: exact in FP32.
inline float input_fp32(uint64_t bits) {
  return static_cast<float>(bits >> 40) * 0x1p-23f - 1.0f;
}

// BF16 as its bit pattern (the upper half of an FP32).
struct Bf16 {
  uint16_t bits;
};
inline float to_float(Bf16 v) {
  const uint32_t u = static_cast<uint32_t>(v.bits) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
// Round to nearest even; inputs here are finite.
inline Bf16 to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return Bf16{static_cast<uint16_t>(u >> 16)};
}
inline Bf16 input_bf16(uint64_t bits) {
  return to_bf16(input_fp32(bits));
}

// FP16 as its bit pattern; the inputs are multiples of 2^-10 in [-1, 1),
// exact in FP16 (11-bit significand), so no rounding is involved.
struct Fp16 {
  uint16_t bits;
};
inline float to_float(Fp16 v) {
  const uint32_t sign = (v.bits >> 15) & 1u, exp = (v.bits >> 10) & 0x1Fu, man = v.bits & 0x3FFu;
  float mag;
  if (exp == 0)
    mag = static_cast<float>(man) * 0x1p-24f;
  else
    mag = (1.0f + static_cast<float>(man) * 0x1p-10f) * static_cast<float>(1u << exp) * 0x1p-15f;
  return sign ? -mag : mag;
}
inline Fp16 input_fp16(uint64_t bits) {
  // k * 2^-10 - 1 for k in [0, 2048): every such value is an FP16 number.
  const int k = static_cast<int>(bits >> 53);
  const float x = static_cast<float>(k) * 0x1p-10f - 1.0f;
  if (x == 0.0f) return Fp16{0};
  const uint16_t sign = x < 0 ? 0x8000u : 0;
  float mag = x < 0 ? -x : x;
  int e = 0;  // mag = m * 2^e with m in [1, 2)
  while (mag < 1.0f) {
    mag *= 2.0f;
    --e;
  }
  const uint16_t man = static_cast<uint16_t>((mag - 1.0f) * 1024.0f);
  return Fp16{static_cast<uint16_t>(sign | ((e + 15) << 10) | man)};
}

// INT8 GEMM operands: A unsigned, B signed (oneDNN's u8 x s8 -> s32).
// A stays within [0, 127]: CPUs without VNNI multiply with vpmaddubsw, whose
// 16-bit pair sums saturate for 255 * -128 * 2; 7-bit activations are what
// quantised models feed such CPUs, and the check is exact either way.
inline uint8_t input_u8(uint64_t bits) {
  return static_cast<uint8_t>(bits >> 57);
}
inline int8_t input_s8(uint64_t bits) {
  return static_cast<int8_t>(static_cast<uint8_t>(bits >> 56));
}

}  // namespace flopscope::gemm::cpu
