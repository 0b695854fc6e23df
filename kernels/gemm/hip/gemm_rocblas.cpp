// rocBLAS's rocblas_gemm_ex for FP64, FP32, FP16, BF16 (FP32 compute) and
// INT8 (INT32 compute). Compiled against rocblas.h when the build found it
// (ROCm, or Debian 13's librocblas-dev unpacked by scripts/fetch-rocm-dev.sh),
// so every call is type-checked; the library is opened at run time.
#include "kernels/gemm/hip/gemm_rocblas.h"

#ifdef FLOPSCOPE_HAVE_ROCBLAS

#include <rocblas/rocblas.h>

#include <cmath>
#include <cstring>
#include <mutex>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/host_pinning.h"
#include "devices/gpu_shim/runtime_library.h"

namespace flopscope::gemm::hip {

namespace {

// The functions flopscope calls, resolved once. Member names differ from
// rocBLAS's because rocblas_gemm_ex is also a function-like macro.
struct RocblasApi {
  flopscope::gpu::RuntimeLibrary lib{"librocblas.so.4", "librocblas.so.3", "librocblas.so.0",
                                     "librocblas.so"};
  decltype(&::rocblas_create_handle) create_handle =
      lib.symbol<decltype(create_handle)>("rocblas_create_handle");
  decltype(&::rocblas_destroy_handle) destroy_handle =
      lib.symbol<decltype(destroy_handle)>("rocblas_destroy_handle");
  decltype(&::rocblas_set_stream) set_stream =
      lib.symbol<decltype(set_stream)>("rocblas_set_stream");
  decltype(&::rocblas_get_version_string) version_string =
      lib.symbol<decltype(version_string)>("rocblas_get_version_string");
  decltype(&::rocblas_gemm_ex) gemm_ex = lib.symbol<decltype(gemm_ex)>("rocblas_gemm_ex");
  // Older rocBLAS on some GPUs (gfx908) wants INT8 packed as int8x4.
  decltype(&::rocblas_query_int8_layout_flag) int8_layout =
      lib.optional_symbol<decltype(int8_layout)>("rocblas_query_int8_layout_flag");
  std::string version;

  std::string problem() {
    static std::once_flag once;
    static std::string why;
    std::call_once(once, [this] {
      if (!lib.loaded() || !create_handle || !destroy_handle || !set_stream || !gemm_ex) {
        why = lib.error();
        return;
      }
      char buf[64] = {};
      if (version_string && version_string(buf, sizeof buf) == rocblas_status_success)
        version = buf;
    });
    return why;
  }
};

RocblasApi& api() {
  static RocblasApi a;
  return a;
}

void check_rocblas(rocblas_status s, const char* what) {
  if (s != rocblas_status_success)
    throw DeviceError(std::string("rocBLAS: ") + what + ": status " + std::to_string(int(s)));
}

rocblas_datatype datatype(Element e) {
  switch (e) {
    case Element::f64:
      return rocblas_datatype_f64_r;
    case Element::f32:
      return rocblas_datatype_f32_r;
    case Element::f16:
      return rocblas_datatype_f16_r;
    case Element::bf16:
      return rocblas_datatype_bf16_r;
    case Element::i8:
      return rocblas_datatype_i8_r;
    case Element::i32:
      return rocblas_datatype_i32_r;
  }
  return rocblas_datatype_f32_r;
}

class RocblasGemmRun final : public KernelRun {
 public:
  RocblasGemmRun(const flopscope::gpu::GpuKernelContext& ctx, const HipGemmFormat& f, int64_t m,
                 int64_t n, int64_t k, uint64_t seed)
      : device_(ctx.ordinal), pinning_(ctx.host_pus), f_(f), m_(m), n_(n), k_(k) {
    using flopscope::gpu::check;
    ops_ = make_gemm_operands(f, m, n, k, seed);
    a_ = flopscope::gpu::DeviceBuffer<unsigned char>(ops_.a.size());
    b_ = flopscope::gpu::DeviceBuffer<unsigned char>(ops_.b.size());
    c_ = flopscope::gpu::DeviceBuffer<unsigned char>(size_t(m * n * element_bytes(f.output)));
    check(gpuMemcpy(a_.get(), ops_.a.data(), ops_.a.size(), gpuMemcpyHostToDevice), "copying A");
    check(gpuMemcpy(b_.get(), ops_.b.data(), ops_.b.size(), gpuMemcpyHostToDevice), "copying B");
    ops_.a = {};  // the check keeps only sums and samples
    ops_.b = {};
    check(gpuStreamCreateWithFlags(&stream_, gpuStreamNonBlocking), "creating a stream");
    check_rocblas(api().create_handle(&handle_), "rocblas_create_handle");
    check_rocblas(api().set_stream(handle_, stream_), "rocblas_set_stream");
    rocblas_gemm_flags layout = rocblas_gemm_flags_none;
    if (f.input == Element::i8 && api().int8_layout &&
        api().int8_layout(handle_, &layout) == rocblas_status_success &&
        (layout & rocblas_gemm_flags_pack_int8x4)) {
      api().destroy_handle(handle_);  // no destructor runs for a throwing constructor
      (void)gpuStreamDestroy(stream_);
      throw DeviceError(
          "rocBLAS wants INT8 operands packed as int8x4 on this GPU "
          "(rocblas_gemm_flags_pack_int8x4); flopscope's INT8 GEMM passes them unpacked");
    }
  }
  ~RocblasGemmRun() override {
    if (handle_) api().destroy_handle(handle_);
    if (stream_) (void)gpuStreamDestroy(stream_);
  }

  std::string implementation() const override {
    const bool integer = f_.output == Element::i32;
    return "rocBLAS " + api().version + ", rocblas_gemm_ex " + element_name(f_.input) + " in, " +
           element_name(f_.output) + " out, " +
           (f_.input == Element::f64 ? "FP64"
            : integer                ? "INT32"
                                     : "FP32") +
           " compute";
  }
  double flop_per_iteration() const override { return flop_count(m_, n_, k_); }
  double bytes_per_iteration() const override {
    return compulsory_bytes(m_, n_, k_, element_bytes(f_.input), element_bytes(f_.output));
  }
  PeakUnit peak_unit() const override { return PeakUnit::matrix; }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start(stream_);
    for (int64_t i = 0; i < iterations; ++i) launch();
    return timer_.stop_seconds(stream_);
  }

  Verification verify() override {
    device_.select();
    std::vector<unsigned char> c(static_cast<size_t>(m_ * n_ * element_bytes(f_.output)));
    flopscope::gpu::check(gpuMemcpy(c.data(), c_.get(), c.size(), gpuMemcpyDeviceToHost),
                          "copying C back");
    return check_gemm_output(f_, ops_, c);
  }

  bool corrupt_output_for_test(int64_t element) override {
    const int eb = element_bytes(f_.output);
    const int64_t i = std::clamp<int64_t>(element, 0, m_ * n_ - 1);
    unsigned char bad[8];
    if (f_.output == Element::i32) {
      const int32_t v = INT32_MAX;
      std::memcpy(bad, &v, 4);
    } else {
      std::memset(bad, 0xff, sizeof bad);  // NaN in every floating format
    }
    flopscope::gpu::check(gpuMemcpy(c_.get() + i * eb, bad, eb, gpuMemcpyHostToDevice),
                          "corrupting C");
    return true;
  }

 private:
  void launch() {
    const double one_d = 1, zero_d = 0;
    const float one_f = 1, zero_f = 0;
    const int32_t one_i = 1, zero_i = 0;
    const bool fp64 = f_.input == Element::f64, integer = f_.output == Element::i32;
    const void* alpha = fp64      ? static_cast<const void*>(&one_d)
                        : integer ? static_cast<const void*>(&one_i)
                                  : &one_f;
    const void* beta = fp64      ? static_cast<const void*>(&zero_d)
                       : integer ? static_cast<const void*>(&zero_i)
                                 : &zero_f;
    const rocblas_datatype compute = fp64      ? rocblas_datatype_f64_r
                                     : integer ? rocblas_datatype_i32_r
                                               : rocblas_datatype_f32_r;
    const auto m = static_cast<rocblas_int>(m_), n = static_cast<rocblas_int>(n_),
               k = static_cast<rocblas_int>(k_);
    check_rocblas(
        api().gemm_ex(handle_, rocblas_operation_none, rocblas_operation_none, m, n, k, alpha,
                      a_.get(), datatype(f_.input), m, b_.get(), datatype(f_.input), k, beta,
                      c_.get(), datatype(f_.output), m, c_.get(), datatype(f_.output), m, compute,
                      rocblas_gemm_algo_standard, 0, rocblas_gemm_flags_none),
        "rocblas_gemm_ex");
  }

  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  HipGemmFormat f_;
  int64_t m_, n_, k_;
  GemmOperands ops_;
  flopscope::gpu::DeviceBuffer<unsigned char> a_, b_, c_;
  gpuStream_t stream_ = nullptr;
  rocblas_handle handle_ = nullptr;
  flopscope::gpu::EventTimer timer_;
};

}  // namespace

std::string rocblas_unavailable_reason() {
  return api().problem();
}

std::unique_ptr<KernelRun> make_rocblas_gemm_run(const flopscope::gpu::GpuKernelContext& c,
                                                 const HipGemmFormat& f, int64_t m, int64_t n,
                                                 int64_t k, uint64_t seed) {
  return std::make_unique<RocblasGemmRun>(c, f, m, n, k, seed);
}

}  // namespace flopscope::gemm::hip

#else  // no rocblas.h at build time

namespace flopscope::gemm::hip {

std::string rocblas_unavailable_reason() {
  return "rocBLAS headers were not found when flopscope was built (ROCm's include folder, or "
         "-DFLOPSCOPE_FETCH_ROCM_DEV=ON)";
}

std::unique_ptr<KernelRun> make_rocblas_gemm_run(const flopscope::gpu::GpuKernelContext&,
                                                 const HipGemmFormat&, int64_t, int64_t, int64_t,
                                                 uint64_t) {
  return nullptr;
}

}  // namespace flopscope::gemm::hip

#endif
