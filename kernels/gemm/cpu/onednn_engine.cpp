// oneDNN matmul in a worker process: libdnnl is loaded at run time (its
// header only gives the types), the weights are reordered once, outside the
// timed loop, into the layout the primitive asks for (format_tag::any), and
// oneDNN's reference implementations are refused: they are not the library's
// real code for this CPU.
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>

#include <cmath>
#include <string>

#include "kernels/gemm/cpu/gemm_cpu_format.h"
#include "kernels/gemm/cpu/gemm_engine.h"
#include "kernels/gemm/cpu/gemm_verify.h"

namespace flopscope::gemm::cpu {

namespace {

// The oneDNN 2.x C API functions used, each bound by name from the library.
// clang-format off
#define FLOPSCOPE_DNNL_FUNCTIONS(X) \
  X(dnnl_engine_create) \
  X(dnnl_engine_destroy) \
  X(dnnl_stream_create) \
  X(dnnl_stream_destroy) \
  X(dnnl_stream_wait) \
  X(dnnl_memory_desc_init_by_tag) \
  X(dnnl_matmul_desc_init) \
  X(dnnl_primitive_desc_create) \
  X(dnnl_primitive_desc_destroy) \
  X(dnnl_primitive_desc_query) \
  X(dnnl_primitive_desc_query_md) \
  X(dnnl_primitive_create) \
  X(dnnl_primitive_destroy) \
  X(dnnl_primitive_execute) \
  X(dnnl_memory_create) \
  X(dnnl_memory_destroy) \
  X(dnnl_reorder_primitive_desc_create) \
  X(dnnl_version) \
  X(dnnl_get_effective_cpu_isa)
// clang-format on

struct Dnnl {
#define FLOPSCOPE_DNNL_MEMBER(f) decltype(&::f) f = nullptr;
  FLOPSCOPE_DNNL_FUNCTIONS(FLOPSCOPE_DNNL_MEMBER)
#undef FLOPSCOPE_DNNL_MEMBER
  std::string version;  // "2.6.3"

  bool load(const std::string& path, std::string* why) {
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      *why = std::string("cannot load: ") + dlerror();
      return false;
    }
#define FLOPSCOPE_DNNL_LOAD(f)                            \
  f = reinterpret_cast<decltype(&::f)>(dlsym(h, #f));     \
  if (!f) {                                               \
    *why = path + " lacks " #f " (the oneDNN 2.x C API)"; \
    return false;                                         \
  }
    FLOPSCOPE_DNNL_FUNCTIONS(FLOPSCOPE_DNNL_LOAD)
#undef FLOPSCOPE_DNNL_LOAD
    const dnnl_version_t* v = dnnl_version();
    version =
        std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    return true;
  }
};

std::string isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41:
      return "sse41";
    case dnnl_cpu_isa_avx:
      return "avx";
    case dnnl_cpu_isa_avx2:
      return "avx2";
    case dnnl_cpu_isa_avx2_vnni:
      return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core:
      return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "isa-" + std::to_string(static_cast<int>(isa));
  }
}

struct Types {
  dnnl_data_type_t a, b, c;
};

Types types_of(Precision p) {
  switch (p) {
    case Precision::bf16:
      return {dnnl_bf16, dnnl_bf16, dnnl_f32};
    case Precision::fp16:
      return {dnnl_f16, dnnl_f16, dnnl_f32};
    case Precision::int8:
      return {dnnl_u8, dnnl_s8, dnnl_s32};
    default:
      return {dnnl_f32, dnnl_f32, dnnl_f32};
  }
}

// Row-major A (m x k), B (k x n) and C (m x n), as oneDNN users hold them;
// B stays in plain form too, for the check.
template <typename TA, typename TB, typename TC>
class OnednnMatmul final : public GemmEngine {
 public:
  OnednnMatmul(Dnnl api, const WorkerSetup& s) : d_(std::move(api)), s_(s) {}

  ~OnednnMatmul() override {
    if (matmul_) d_.dnnl_primitive_destroy(matmul_);
    if (pd_) d_.dnnl_primitive_desc_destroy(pd_);
    for (auto* m : {a_mem_, packed_b_mem_, c_mem_})
      if (m) d_.dnnl_memory_destroy(m);
    if (stream_) d_.dnnl_stream_destroy(stream_);
    if (engine_) d_.dnnl_engine_destroy(engine_);
  }

  // False with *why set when oneDNN has no real implementation here.
  bool build(std::string* why) {
    const Types t = types_of(s_.precision);
    const std::string what = std::string(cpu_gemm_format(s_.precision)->storage) + " matmul";
    if (d_.dnnl_engine_create(&engine_, dnnl_cpu, 0) != dnnl_success ||
        d_.dnnl_stream_create(&stream_, engine_, dnnl_stream_default_flags) != dnnl_success) {
      *why = "oneDNN " + d_.version + " could not create a CPU engine";
      return false;
    }
    dnnl_memory_desc_t a_md, b_any_md, b_plain_md, c_md;
    const dnnl_dims_t a_dims = {s_.m, s_.k}, b_dims = {s_.k, s_.n}, c_dims = {s_.m, s_.n};
    d_.dnnl_memory_desc_init_by_tag(&a_md, 2, a_dims, t.a, dnnl_ab);
    d_.dnnl_memory_desc_init_by_tag(&b_any_md, 2, b_dims, t.b, dnnl_format_tag_any);
    d_.dnnl_memory_desc_init_by_tag(&b_plain_md, 2, b_dims, t.b, dnnl_ab);
    d_.dnnl_memory_desc_init_by_tag(&c_md, 2, c_dims, t.c, dnnl_ab);
    dnnl_matmul_desc_t desc;
    if (d_.dnnl_matmul_desc_init(&desc, &a_md, &b_any_md, nullptr, &c_md) != dnnl_success ||
        d_.dnnl_primitive_desc_create(&pd_, &desc, nullptr, engine_, nullptr) != dnnl_success) {
      pd_ = nullptr;
      *why = "oneDNN " + d_.version + " has no " + what +
             " for this CPU (its ISA here: " + isa_name(d_.dnnl_get_effective_cpu_isa()) + ")";
      return false;
    }
    const char* impl = nullptr;
    d_.dnnl_primitive_desc_query(pd_, dnnl_query_impl_info_str, 0, &impl);
    impl_ = impl ? impl : "?";
    if (impl_.rfind("ref", 0) == 0) {
      *why = "oneDNN " + d_.version + " offers only its reference implementation (" + impl_ +
             ") of " + what + " on this CPU";
      return false;
    }

    const size_t a_n = static_cast<size_t>(s_.m * s_.k), b_n = static_cast<size_t>(s_.k * s_.n),
                 c_n = static_cast<size_t>(s_.m * s_.n);
    a_ = allocate_buffer(a_n * sizeof(TA));
    b_ = allocate_buffer(b_n * sizeof(TB));
    c_ = allocate_buffer(c_n * sizeof(TC));
    fill_matrix(ptr<TA>(a_), a_n, s_.seed, Operand::a, make_a);
    fill_matrix(ptr<TB>(b_), b_n, s_.seed, Operand::b, make_b);
    fill_matrix(ptr<TC>(c_), c_n, s_.seed, Operand::a, [](uint64_t) { return poison(); });

    // The packed weights: oneDNN's own allocation in the layout it chose.
    const dnnl_memory_desc_t* packed_md =
        d_.dnnl_primitive_desc_query_md(pd_, dnnl_query_weights_md, 0);
    dnnl_memory_t b_plain_mem = nullptr;
    dnnl_primitive_desc_t reorder_pd = nullptr;
    dnnl_primitive_t reorder = nullptr;
    bool ok = d_.dnnl_memory_create(&a_mem_, &a_md, engine_, a_.get()) == dnnl_success &&
              d_.dnnl_memory_create(&c_mem_, &c_md, engine_, c_.get()) == dnnl_success &&
              d_.dnnl_memory_create(&b_plain_mem, &b_plain_md, engine_, b_.get()) == dnnl_success &&
              d_.dnnl_memory_create(&packed_b_mem_, packed_md, engine_, DNNL_MEMORY_ALLOCATE) ==
                  dnnl_success &&
              d_.dnnl_reorder_primitive_desc_create(&reorder_pd, &b_plain_md, engine_, packed_md,
                                                    engine_, nullptr) == dnnl_success &&
              d_.dnnl_primitive_create(&reorder, reorder_pd) == dnnl_success;
    if (ok) {
      const dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, b_plain_mem}, {DNNL_ARG_TO, packed_b_mem_}};
      ok = d_.dnnl_primitive_execute(reorder, stream_, 2, args) == dnnl_success &&
           d_.dnnl_stream_wait(stream_) == dnnl_success;
    }
    if (reorder) d_.dnnl_primitive_destroy(reorder);
    if (reorder_pd) d_.dnnl_primitive_desc_destroy(reorder_pd);
    if (b_plain_mem) d_.dnnl_memory_destroy(b_plain_mem);
    if (!ok || d_.dnnl_primitive_create(&matmul_, pd_) != dnnl_success) {
      *why = "oneDNN " + d_.version + " failed to set up " + what;
      return false;
    }
    isa_ = isa_name(d_.dnnl_get_effective_cpu_isa());
    return true;
  }

  std::string implementation() const override {
    return "onednn-" + d_.version + " matmul " + impl_ + " isa=" + isa_ + " weights=pre-packed";
  }
  std::string applied_config() const override { return impl_; }

  void multiply() override {
    const dnnl_exec_arg_t args[] = {
        {DNNL_ARG_SRC, a_mem_}, {DNNL_ARG_WEIGHTS, packed_b_mem_}, {DNNL_ARG_DST, c_mem_}};
    if (d_.dnnl_primitive_execute(matmul_, stream_, 3, args) != dnnl_success ||
        d_.dnnl_stream_wait(stream_) != dnnl_success)
      throw std::runtime_error("oneDNN matmul execution failed");
  }

  Verification verify() override {
    CheckSettings cs;
    cs.error = cpu_gemm_format(s_.precision)->error;
    cs.seed = s_.seed;
    return check_gemm(MatrixView<TA>{ptr<TA>(a_), s_.m, s_.k, false},
                      MatrixView<TB>{ptr<TB>(b_), s_.k, s_.n, false},
                      MatrixView<TC>{ptr<TC>(c_), s_.m, s_.n, false}, cs);
  }

  bool corrupt(int64_t element) override {
    TC& c = ptr<TC>(c_)[static_cast<size_t>(element % (s_.m * s_.n))];
    if constexpr (std::is_integral_v<TC>)
      c += 1;
    else
      c += TC(1) + std::fabs(c);
    return true;
  }

 private:
  template <typename T>
  static T* ptr(const Buffer& b) {
    return static_cast<T*>(b.get());
  }
  static TA make_a(uint64_t bits) {
    if constexpr (std::is_same_v<TA, Bf16>)
      return input_bf16(bits);
    else if constexpr (std::is_same_v<TA, Fp16>)
      return input_fp16(bits);
    else if constexpr (std::is_same_v<TA, uint8_t>)
      return input_u8(bits);
    else
      return input_fp32(bits);
  }
  static TB make_b(uint64_t bits) {
    if constexpr (std::is_same_v<TB, Bf16>)
      return input_bf16(bits);
    else if constexpr (std::is_same_v<TB, Fp16>)
      return input_fp16(bits);
    else if constexpr (std::is_same_v<TB, int8_t>)
      return input_s8(bits);
    else
      return input_fp32(bits);
  }
  // C starts as NaN (or an unlikely integer): a matmul that skips part of C fails.
  static TC poison() {
    if constexpr (std::is_integral_v<TC>)
      return TC(0x5A5A5A5A);
    else
      return TC(NAN);
  }

  Dnnl d_;
  WorkerSetup s_;
  dnnl_engine_t engine_ = nullptr;
  dnnl_stream_t stream_ = nullptr;
  dnnl_primitive_desc_t pd_ = nullptr;
  dnnl_primitive_t matmul_ = nullptr;
  dnnl_memory_t a_mem_ = nullptr, packed_b_mem_ = nullptr, c_mem_ = nullptr;
  Buffer a_, b_, c_;
  std::string impl_, isa_;
};

template <typename TA, typename TB, typename TC>
std::unique_ptr<GemmEngine> build(Dnnl d, const WorkerSetup& s, std::string* unsupported) {
  auto e = std::make_unique<OnednnMatmul<TA, TB, TC>>(std::move(d), s);
  if (!e->build(unsupported)) return nullptr;
  return e;
}

}  // namespace

std::unique_ptr<GemmEngine> make_onednn_engine(const WorkerSetup& s, std::string* unsupported) {
  Dnnl d;
  if (!d.load(s.path, unsupported)) return nullptr;
  switch (s.precision) {
    case Precision::fp32:
      return build<float, float, float>(std::move(d), s, unsupported);
    case Precision::bf16:
      return build<Bf16, Bf16, float>(std::move(d), s, unsupported);
    case Precision::fp16:
      return build<Fp16, Fp16, float>(std::move(d), s, unsupported);
    case Precision::int8:
      return build<uint8_t, int8_t, int32_t>(std::move(d), s, unsupported);
    default:
      *unsupported = "oneDNN matmul has no " + std::string(to_string(s.precision)) + " here";
      return nullptr;
  }
}

}  // namespace flopscope::gemm::cpu
