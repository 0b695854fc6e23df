#include "kernels/gemm/cpu/own/own_gemm_engine.h"

#include <cmath>

#include "kernels/gemm/cpu/gemm_cpu_format.h"
#include "kernels/gemm/cpu/gemm_inputs.h"
#include "kernels/gemm/cpu/gemm_verify.h"
#include "kernels/gemm/cpu/own/own_gemm.h"

namespace flopscope::gemm::own {

namespace {

using gemm::cpu::Buffer;
using gemm::cpu::GemmEngine;
using gemm::cpu::WorkerSetup;

template <typename T>
class OwnGemmEngine final : public GemmEngine {
 public:
  OwnGemmEngine(OwnGemmConfig cfg, const WorkerSetup& s) : cfg_(std::move(cfg)), s_(s) {
    const size_t a = static_cast<size_t>(s.m * s.k), b = static_cast<size_t>(s.k * s.n),
                 c = static_cast<size_t>(s.m * s.n);
    a_ = gemm::cpu::allocate_buffer(a * sizeof(T));
    b_ = gemm::cpu::allocate_buffer(b * sizeof(T));
    c_ = gemm::cpu::allocate_buffer(c * sizeof(T));
    auto make = [](uint64_t bits) {
      if constexpr (sizeof(T) == 8)
        return gemm::cpu::input_fp64(bits);
      else
        return gemm::cpu::input_fp32(bits);
    };
    gemm::cpu::fill_matrix(ptr(a_), a, s.seed, gemm::cpu::Operand::a, make);
    gemm::cpu::fill_matrix(ptr(b_), b, s.seed, gemm::cpu::Operand::b, make);
    // C starts as not-a-number: a GEMM that skips any part of it fails.
    gemm::cpu::fill_matrix(ptr(c_), c, s.seed, gemm::cpu::Operand::a,
                           [](uint64_t) { return T(NAN); });
  }

  std::string implementation() const override { return cfg_.implementation(); }
  std::string applied_config() const override { return cfg_.variant.name; }

  void multiply() override {
    own_gemm(Layout::col_major, Trans::no, Trans::no, s_.m, s_.n, s_.k, T(1), ptr(a_), s_.m,
             ptr(b_), s_.k, T(0), ptr(c_), s_.m, cfg_);
  }

  Verification verify() override {
    gemm::cpu::CheckSettings cs;
    cs.error = gemm::cpu::cpu_gemm_format(s_.precision)->error;
    cs.seed = s_.seed;
    return gemm::cpu::check_gemm(gemm::cpu::MatrixView<T>{ptr(a_), s_.m, s_.k, true},
                                 gemm::cpu::MatrixView<T>{ptr(b_), s_.k, s_.n, true},
                                 gemm::cpu::MatrixView<T>{ptr(c_), s_.m, s_.n, true}, cs);
  }

  bool corrupt(int64_t element) override {
    T& c = ptr(c_)[static_cast<size_t>(element % (s_.m * s_.n))];
    c += T(1) + std::fabs(c);
    return true;
  }

 private:
  static T* ptr(const Buffer& b) { return static_cast<T*>(b.get()); }

  OwnGemmConfig cfg_;
  WorkerSetup s_;
  Buffer a_, b_, c_;
};

}  // namespace

std::vector<gemm::cpu::GemmCandidate> own_gemm_candidates(const flopscope::cpu::CpuContext& ctx,
                                                          Precision p) {
  std::vector<gemm::cpu::GemmCandidate> out;
  for (const auto& v : own_gemm_variants(ctx.isa, p)) {
    gemm::cpu::GemmCandidate c;
    c.library.engine = gemm::cpu::Engine::blas;
    c.library.family = kOwnGemmFamily;
    OwnGemmConfig cfg = own_gemm_config(v, ctx);
    cfg.pus.clear();  // the worker pins to its own PUs; the string drops " threads=1"
    const std::string impl = cfg.implementation();
    c.config = impl.substr(0, impl.rfind(" threads="));
    out.push_back(std::move(c));
  }
  return out;
}

std::unique_ptr<GemmEngine> make_own_gemm_engine(const WorkerSetup& s, std::string* unsupported) {
  if (s.family != kOwnGemmFamily) {
    *unsupported = "not a flopscope GEMM setup: family " + s.family;
    return nullptr;
  }
  auto cfg = parse_own_gemm_config(s.config, s.precision, flopscope::cpu::detect_cpu_isa());
  if (!cfg) {
    *unsupported = "flopscope GEMM: '" + s.config + "' is no " +
                   std::string(to_string(s.precision)) + " variant this CPU runs";
    return nullptr;
  }
  // The parent confines a worker to the cores it measures.
  cfg->pus = s.run_pus();
  if (s.precision == Precision::fp64) return std::make_unique<OwnGemmEngine<double>>(*cfg, s);
  return std::make_unique<OwnGemmEngine<float>>(*cfg, s);
}

}  // namespace flopscope::gemm::own
