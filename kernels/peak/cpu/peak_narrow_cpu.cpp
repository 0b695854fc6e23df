#include "kernels/peak/cpu/peak_narrow_cpu.h"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <type_traits>

#include "devices/cpu/thread_pinning.h"
#include "kernels/peak/cpu/peak_narrow_chains.h"
#include "kernels/peak/peak_spec.h"

namespace flopscope::peak::cpu {

std::string_view to_string(NarrowIsa isa) {
  switch (isa) {
    case NarrowIsa::avx512_bf16:
      return "avx512bf16";
    case NarrowIsa::avx512_vnni:
      return "avx512vnni";
    case NarrowIsa::avx_vnni:
      return "avxvnni";
    case NarrowIsa::neon_sdot:
      return "neonsdot";
    case NarrowIsa::neon_bfdot:
      return "neonbfdot";
    case NarrowIsa::emulated:
      return "emulated";
  }
  return "?";
}

std::optional<NarrowIsa> narrow_chain_isa(Precision p, const flopscope::cpu::CpuIsa& isa,
                                          std::string* why) {
  auto none = [&](const char* reason) -> std::optional<NarrowIsa> {
    if (why) *why = reason;
    return std::nullopt;
  };
#if defined(__aarch64__)
  // SDOT matches the table's Arm INT8 rate (4 x FP32 on the same pipes).
  // BFDOT gives 2 x the FP32 rate on the same pipes; BFMMLA (twice BFDOT's
  // FLOP per instruction on Neoverse V1/V2) has no chain yet, so on those
  // cores this measured BF16 peak is the dot-product one, named so.
  if (p == Precision::bf16) {
    if (isa.arm_bf16) return NarrowIsa::neon_bfdot;
    return none("needs the BF16 extension (BFDOT), which this CPU lacks");
  }
  if (p == Precision::int8) {
    if (isa.dotprod) return NarrowIsa::neon_sdot;
    return none("needs the dot-product extension (SDOT), which this CPU lacks");
  }
#else
  if (p == Precision::bf16) {
    if (isa.avx512f && isa.avx512_bf16) return NarrowIsa::avx512_bf16;
    return none("needs AVX512_BF16 (vdpbf16ps), which this CPU lacks");
  }
  if (p == Precision::int8) {
    if (isa.avx512f && isa.avx512_vnni) return NarrowIsa::avx512_vnni;
    if (isa.avx2 && isa.avx_vnni) return NarrowIsa::avx_vnni;
    return none("needs AVX512_VNNI or AVX-VNNI (vpdpbusd), which this CPU lacks");
  }
#endif
  return none("no narrow chain for this precision");
}

namespace {

// One lane type per precision: FP32 accumulators for BF16, INT32 for INT8.
template <typename Acc>
class CpuNarrowPeakRun final : public KernelRun {
 public:
  using ChainFn = void (*)(int64_t, int64_t, Acc*);
  using EmulatedFn = void (*)(int64_t, int64_t, Acc*, ChainShape);

  CpuNarrowPeakRun(NarrowIsa isa, ChainShape shape, ChainFn fn, EmulatedFn emulated,
                   std::vector<int> pus, int64_t rounds)
      : isa_(isa),
        shape_(shape),
        fn_(fn),
        emulated_(emulated),
        pus_(std::move(pus)),
        rounds_(rounds) {
    threads_ = pus_.empty() ? 1 : static_cast<int>(pus_.size());
    out_.assign(static_cast<size_t>(threads_) * per_thread(), Acc(0));
  }

  std::string implementation() const override {
    char buf[96];
    std::snprintf(buf, sizeof buf, "flopscope-dot-chains-%s-%dx%d",
                  std::string(to_string(isa_)).c_str(), shape_.chains, shape_.lanes);
    return buf;
  }
  double flop_per_iteration() const override {
    return kIsBf16 ? narrow::bf16_flop_count(threads_, rounds_, shape_.chains, shape_.lanes)
                   : narrow::int8_op_count(threads_, rounds_, shape_.chains, shape_.lanes);
  }
  double bytes_per_iteration() const override { return 0; }  // register-resident
  PeakUnit peak_unit() const override { return PeakUnit::vector; }

  double run(int64_t iterations) override {
    auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads_)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(pus_, t);
      Acc* out = out_.data() + static_cast<size_t>(t) * per_thread();
      for (int64_t i = 0; i < iterations; ++i) {
        if (fn_)
          fn_(t, rounds_, out);
        else
          emulated_(t, rounds_, out, shape_);
      }
    }
    ran_ = ran_ || iterations > 0;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  // Exact: every lane must equal its closed form.
  Verification verify() override {
    Verification v;
    v.tolerance = 0;
    if (!ran_) {
      v.detail = "no chain has run";
      return v;
    }
    v.checked = true;
    int64_t wrong = 0;
    for (int t = 0; t < threads_; ++t)
      for (int c = 0; c < shape_.chains; ++c)
        for (int l = 0; l < shape_.lanes; ++l) {
          const double want =
              kIsBf16 ? narrow::bf16_closed_form(narrow::bf16_start_value(t, c, l), kStepsPerRound)
                      : static_cast<double>(narrow::int8_closed_form(
                            narrow::int8_start_value(t, c, l), kStepsPerRound));
          const double got = static_cast<double>(
              out_[static_cast<size_t>(t) * per_thread() + c * shape_.lanes + l]);
          const double err = std::fabs(got - want) / std::fabs(want);
          if (!(err == 0)) ++wrong;
          if (!(err <= v.max_error)) v.max_error = std::isnan(err) ? INFINITY : err;
        }
    v.passed = wrong == 0;
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%d threads x %d chains x %d lanes equal to the closed form; %lld differ",
                  threads_, shape_.chains, shape_.lanes, static_cast<long long>(wrong));
    v.detail = buf;
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    if (out_.empty()) return false;
    out_[static_cast<size_t>(element) % out_.size()] += Acc(1);
    return true;
  }

 private:
  static constexpr bool kIsBf16 = std::is_same_v<Acc, float>;
  size_t per_thread() const {
    return static_cast<size_t>(shape_.chains) * shape_.lanes;
  }

  NarrowIsa isa_;
  ChainShape shape_;
  ChainFn fn_;
  EmulatedFn emulated_;
  std::vector<int> pus_;
  int64_t rounds_;
  int threads_ = 1;
  std::vector<Acc> out_;
  bool ran_ = false;
};

}  // namespace

std::unique_ptr<KernelRun> make_cpu_narrow_peak_run(Precision p, NarrowIsa isa,
                                                    std::vector<int> pus, int64_t rounds) {
  using Bf16Run = CpuNarrowPeakRun<float>;
  using Int8Run = CpuNarrowPeakRun<int32_t>;
  if (p == Precision::bf16 && isa == NarrowIsa::avx512_bf16)
    return std::make_unique<Bf16Run>(isa, kAvx512Bf16, chains_bf16_avx512, nullptr, std::move(pus),
                                     rounds);
  if (p == Precision::bf16 && isa == NarrowIsa::emulated)
    return std::make_unique<Bf16Run>(isa, kAvx512Bf16, nullptr, chains_bf16_emulated,
                                     std::move(pus), rounds);
  if (p == Precision::bf16 && isa == NarrowIsa::neon_bfdot)
    return std::make_unique<Bf16Run>(isa, kNeonBf16, chains_bf16_neon, nullptr, std::move(pus),
                                     rounds);
  if (p == Precision::int8 && isa == NarrowIsa::avx512_vnni)
    return std::make_unique<Int8Run>(isa, kAvx512Int8, chains_int8_avx512, nullptr, std::move(pus),
                                     rounds);
  if (p == Precision::int8 && isa == NarrowIsa::avx_vnni)
    return std::make_unique<Int8Run>(isa, kAvxVnniInt8, chains_int8_avxvnni, nullptr,
                                     std::move(pus), rounds);
  if (p == Precision::int8 && isa == NarrowIsa::neon_sdot)
    return std::make_unique<Int8Run>(isa, kNeonInt8, chains_int8_neon, nullptr, std::move(pus),
                                     rounds);
  if (p == Precision::int8 && isa == NarrowIsa::emulated)
    return std::make_unique<Int8Run>(isa, kAvx512Int8, nullptr, chains_int8_emulated,
                                     std::move(pus), rounds);
  return nullptr;
}

}  // namespace flopscope::peak::cpu
