#include "kernels/gemm/hip/gemm_hip_operands.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/gemm/gpu/gemm_check.h"
#include "kernels/peak/gpu/peak_gpu_half.h"

namespace flopscope::gemm::hip {

namespace {

constexpr double u(int bits) {
  return std::ldexp(1.0, -bits);
}

uint64_t mix(uint64_t seed, uint64_t i) {
  uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Significand bits of a format: inputs are multiples of 2^-bits in [-1, 1).
int grid_bits(Element e) {
  switch (e) {
    case Element::f64:
      return 53;
    case Element::f32:
      return 24;
    case Element::f16:
      return 11;
    case Element::bf16:
      return 8;
    default:
      return 0;
  }
}

double input_value(Element e, uint64_t seed, uint64_t i) {
  const uint64_t r = mix(seed, i);
  if (e == Element::i8) return static_cast<double>(static_cast<int64_t>(r >> 57) - 64);
  const int bits = grid_bits(e);
  const int64_t q = static_cast<int64_t>(r >> (64 - bits - 1)) - (int64_t{1} << bits);
  return std::ldexp(static_cast<double>(q), -bits);
}

// FP16 bits of a value on the FP16 grid (|v| < 1, a multiple of 2^-11:
// always a normal number or zero).
uint16_t half_bits(double v) {
  if (v == 0) return 0;
  const uint16_t sign = v < 0 ? 0x8000 : 0;
  int e = 0;
  const double m = std::frexp(std::fabs(v), &e);  // |v| = m 2^e, 0.5 <= m < 1
  const int exponent = e - 1 + 15;                // of 1.f x 2^(e-1)
  const auto fraction = static_cast<uint16_t>(std::ldexp(m * 2 - 1, 10));
  return static_cast<uint16_t>(sign | (exponent << 10) | fraction);
}

void store(unsigned char* raw, Element e, int64_t index, double v) {
  switch (e) {
    case Element::f64:
      std::memcpy(raw + index * 8, &v, 8);
      break;
    case Element::f32: {
      const float f = static_cast<float>(v);
      std::memcpy(raw + index * 4, &f, 4);
      break;
    }
    case Element::f16: {
      const uint16_t h = half_bits(v);
      std::memcpy(raw + index * 2, &h, 2);
      break;
    }
    case Element::bf16: {  // exact: the top half of the FP32 bits
      const float f = static_cast<float>(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      const auto h = static_cast<uint16_t>(bits >> 16);
      std::memcpy(raw + index * 2, &h, 2);
      break;
    }
    case Element::i8:
      raw[index] = static_cast<unsigned char>(static_cast<int8_t>(v));
      break;
    case Element::i32: {
      const auto i = static_cast<int32_t>(v);
      std::memcpy(raw + index * 4, &i, 4);
      break;
    }
  }
}

}  // namespace

int element_bytes(Element e) {
  switch (e) {
    case Element::f64:
      return 8;
    case Element::f32:
    case Element::i32:
      return 4;
    case Element::f16:
    case Element::bf16:
      return 2;
    case Element::i8:
      return 1;
  }
  return 0;
}

const char* element_name(Element e) {
  switch (e) {
    case Element::f64:
      return "FP64";
    case Element::f32:
      return "FP32";
    case Element::f16:
      return "FP16";
    case Element::bf16:
      return "BF16";
    case Element::i8:
      return "INT8";
    case Element::i32:
      return "INT32";
  }
  return "?";
}

const HipGemmFormat* hip_gemm_format(Precision p) {
  // The check's own FP64 sums round at 2^-53 per addition. 16-bit inputs
  // accumulate in FP32 and store C in their own format; int8 is exact.
  static const HipGemmFormat kFormats[] = {
      {Precision::fp64, Element::f64, Element::f64, {0, u(53), 0, u(53)}},
      {Precision::fp32, Element::f32, Element::f32, {0, u(24), u(24), u(53)}},
      {Precision::fp16, Element::f16, Element::f16, {0, u(24), u(11), u(53)}},
      {Precision::bf16, Element::bf16, Element::bf16, {0, u(24), u(8), u(53)}},
      {Precision::int8, Element::i8, Element::i32, {0, 0, 0, u(53)}},
  };
  for (const auto& f : kFormats)
    if (f.precision == p) return &f;
  return nullptr;
}

const HipGemmFormat* mfma_gemm_format(Precision p) {
  // C is the accumulator itself: products of these inputs are exact in it,
  // only its additions round.
  static const HipGemmFormat kFormats[] = {
      {Precision::fp64, Element::f64, Element::f64, {0, u(53), 0, u(53)}},
      {Precision::fp16, Element::f16, Element::f32, {0, u(24), 0, u(53)}},
      {Precision::bf16, Element::bf16, Element::f32, {0, u(24), 0, u(53)}},
  };
  for (const auto& f : kFormats)
    if (f.precision == p) return &f;
  return nullptr;
}

int64_t default_hip_gemm_n(const HipGemmFormat& f, uint64_t memory_bytes, bool quick) {
  const bool narrow = element_bytes(f.input) <= 2;
  int64_t n = narrow ? (quick ? 8192 : 16384) : (quick ? 4096 : 8192);
  auto footprint = [&](int64_t s) {
    return static_cast<uint64_t>(s) * static_cast<uint64_t>(s) *
           static_cast<uint64_t>(2 * element_bytes(f.input) + element_bytes(f.output));
  };
  while (n > 1024 && footprint(n) > memory_bytes / 4) n -= 1024;
  return footprint(n) <= memory_bytes / 4 ? n : 0;
}

GemmOperands make_gemm_operands(const HipGemmFormat& f, int64_t m, int64_t n, int64_t k,
                                uint64_t seed, ALayout layout) {
  // Where A[i, l] is stored.
  auto a_index = [&](int64_t i, int64_t l) {
    return layout == ALayout::m_by_k ? i + l * m : l + i * k;
  };
  GemmOperands ops;
  ops.m = m;
  ops.n = n;
  ops.k = k;
  const int eb = element_bytes(f.input);
  ops.a.resize(static_cast<size_t>(m * k * eb));
  ops.b.resize(static_cast<size_t>(k * n * eb));
  const uint64_t seed_b = seed ^ 0xB0B0B0B0B0B0B0B0ull;
  // Columns in parallel (a 16384^3 GEMM has 5 x 10^8 inputs: seconds on one
  // thread); every element is a pure function of its index and each sum runs
  // in a fixed order, so the operands and sums do not depend on the threads.
  std::vector<double> w(k, 0.0), w2(k, 0.0);
#pragma omp parallel for schedule(static)
  for (int64_t l = 0; l < k; ++l)
    for (int64_t i = 0; i < m; ++i) {
      const double v = input_value(f.input, seed, uint64_t(i + l * m));
      store(ops.a.data(), f.input, a_index(i, l), v);
      w[l] += v;
      w2[l] += v * v;
    }
  ops.want.assign(n, 0.0);
  ops.sum_sq.assign(n, 0.0);
#pragma omp parallel for schedule(static)
  for (int64_t j = 0; j < n; ++j)
    for (int64_t l = 0; l < k; ++l) {
      const double v = input_value(f.input, seed_b, uint64_t(l + j * k));
      store(ops.b.data(), f.input, l + j * k, v);
      ops.want[j] += w[l] * v;
      ops.sum_sq[j] += w2[l] * v * v;
    }
  // Sampled elements: the corners and a spread of the interior.
  const int kSamples = 16;
  for (int s = 0; s < kSamples; ++s) {
    const int64_t i = s == 0 ? 0 : s == 1 ? m - 1 : (s * 7919) % m;
    const int64_t j = s == 0 ? 0 : s == 1 ? n - 1 : (s * 104729) % n;
    ops.sample_row.push_back(i);
    ops.sample_col.push_back(j);
    for (int64_t l = 0; l < k; ++l) {
      ops.sample_a.push_back(element_value(ops.a.data(), f.input, a_index(i, l)));
      ops.sample_b.push_back(element_value(ops.b.data(), f.input, l + j * k));
    }
  }
  return ops;
}

double element_value(const unsigned char* raw, Element e, int64_t index) {
  switch (e) {
    case Element::f64: {
      double v;
      std::memcpy(&v, raw + index * 8, 8);
      return v;
    }
    case Element::f32: {
      float v;
      std::memcpy(&v, raw + index * 4, 4);
      return v;
    }
    case Element::f16: {
      uint16_t h;
      std::memcpy(&h, raw + index * 2, 2);
      return peak::gpu::half_bits_to_double(h);
    }
    case Element::bf16: {
      uint16_t h;
      std::memcpy(&h, raw + index * 2, 2);
      const uint32_t bits = uint32_t{h} << 16;
      float v;
      std::memcpy(&v, &bits, 4);
      return v;
    }
    case Element::i8:
      return static_cast<int8_t>(raw[index]);
    case Element::i32: {
      int32_t v;
      std::memcpy(&v, raw + index * 4, 4);
      return v;
    }
  }
  return NAN;
}

Verification check_gemm_output(const HipGemmFormat& f, const GemmOperands& ops,
                               const std::vector<unsigned char>& c) {
  const int64_t m = ops.m, n = ops.n, k = ops.k;
  if (static_cast<int64_t>(c.size()) != m * n * element_bytes(f.output)) {
    Verification v;
    v.checked = true;
    v.detail = "C copied back has the wrong size";
    return v;
  }
  std::vector<double> got(n, 0.0);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) got[j] += element_value(c.data(), f.output, i + j * m);
  Verification v =
      gpu::compare_column_checksums(got, ops.want, ops.sum_sq, tolerance(f.error, k, m));
  std::vector<double> errors;
  for (size_t s = 0; s < ops.sample_row.size(); ++s)
    errors.push_back(gpu::element_error(
        &ops.sample_a[s * k], &ops.sample_b[s * k], k,
        element_value(c.data(), f.output, ops.sample_row[s] + ops.sample_col[s] * m)));
  gpu::add_sampled_elements(v, errors, tolerance(f.error, k, 1));
  return v;
}

}  // namespace flopscope::gemm::hip
