// Scalar emulations of the narrow chains, one instruction's arithmetic per
// lane per step, as the Intel SDM describes it: vdpbf16ps adds the odd pair's
// product then the even pair's, each rounded to FP32; vpdpbusd adds the four
// u8 x s8 products in 32-bit integer arithmetic, wrapping.
#include <cstring>

#include "kernels/peak/cpu/peak_narrow_chains.h"
#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::cpu {

namespace {
float bf16_to_float(uint16_t v) {
  const uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
}  // namespace

void chains_bf16_emulated(int64_t thread, int64_t rounds, float* out, ChainShape shape) {
  const float a = bf16_to_float(narrow::kBf16A), b = bf16_to_float(narrow::kBf16B);
  for (int c = 0; c < shape.chains; ++c)
    for (int l = 0; l < shape.lanes; ++l) {
      float acc = 0;
      for (int64_t r = 0; r < rounds; ++r) {
        acc = narrow::bf16_start_value(thread, c, l);
        for (int s = 0; s < kStepsPerRound; ++s) {
          acc = acc + a * b;  // odd pair
          acc = acc + a * b;  // even pair
        }
      }
      out[c * shape.lanes + l] = acc;
    }
}

void chains_int8_emulated(int64_t thread, int64_t rounds, int32_t* out, ChainShape shape) {
  for (int c = 0; c < shape.chains; ++c)
    for (int l = 0; l < shape.lanes; ++l) {
      uint32_t acc = 0;  // wraps like the instruction
      for (int64_t r = 0; r < rounds; ++r) {
        acc = static_cast<uint32_t>(narrow::int8_start_value(thread, c, l));
        for (int s = 0; s < kStepsPerRound; ++s)
          for (int j = 0; j < 4; ++j)
            acc += static_cast<uint32_t>(static_cast<int32_t>(narrow::kInt8A[j]) *
                                         static_cast<int32_t>(narrow::kInt8B[j]));
      }
      out[c * shape.lanes + l] = static_cast<int32_t>(acc);
    }
}

}  // namespace flopscope::peak::cpu
