// rocFFT's plans for the GPU FFT run (kernels/fft/gpu/fft_gpu_run.h).
// Compiled against rocfft.h when the build found it (ROCm, or Debian 13's
// librocfft-dev unpacked by scripts/fetch-rocm-dev.sh), so every call is
// type-checked; the library itself is opened at run time, so a node without
// rocFFT still measures everything else.
#include "kernels/fft/hip/fft_hip.h"

#ifdef FLOPSCOPE_HAVE_ROCFFT

#include <rocfft/rocfft.h>

#include <mutex>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/runtime_library.h"
#include "kernels/fft/gpu/fft_gpu_run.h"

namespace flopscope::fft::hip {

namespace {

using gpu::FftShape;

// The functions flopscope calls, resolved once.
struct RocfftApi {
  flopscope::gpu::RuntimeLibrary lib{"librocfft.so.0", "librocfft.so"};
#define FLOPSCOPE_ROCFFT_FN(name) decltype(&::name) name = lib.symbol<decltype(&::name)>(#name)
  FLOPSCOPE_ROCFFT_FN(rocfft_setup);
  FLOPSCOPE_ROCFFT_FN(rocfft_get_version_string);
  FLOPSCOPE_ROCFFT_FN(rocfft_plan_create);
  FLOPSCOPE_ROCFFT_FN(rocfft_plan_destroy);
  FLOPSCOPE_ROCFFT_FN(rocfft_plan_get_work_buffer_size);
  FLOPSCOPE_ROCFFT_FN(rocfft_execution_info_create);
  FLOPSCOPE_ROCFFT_FN(rocfft_execution_info_destroy);
  FLOPSCOPE_ROCFFT_FN(rocfft_execution_info_set_work_buffer);
  FLOPSCOPE_ROCFFT_FN(rocfft_execution_info_set_stream);
  FLOPSCOPE_ROCFFT_FN(rocfft_execute);
#undef FLOPSCOPE_ROCFFT_FN
  std::string version;

  // Empty when usable, else why not.
  std::string problem() {
    static std::once_flag once;
    static std::string why;
    std::call_once(once, [this] {
      if (!lib.loaded() || !rocfft_execute) {
        why = lib.error();
        return;
      }
      if (rocfft_setup() != rocfft_status_success) {
        why = "rocfft_setup failed";
        return;
      }
      char buf[64] = {};
      if (rocfft_get_version_string(buf, sizeof buf) == rocfft_status_success) version = buf;
    });
    return why;
  }
};

RocfftApi& api() {
  static RocfftApi a;
  return a;
}

void check_rocfft(rocfft_status s, const char* what) {
  if (s != rocfft_status_success)
    throw DeviceError(std::string("rocFFT: ") + what + ": status " + std::to_string(int(s)));
}

class RocfftPlan final : public gpu::FftPlan {
 public:
  RocfftPlan(const FftShape& s, bool fp64, gpuStream_t stream) : fp64_(fp64) {
    RocfftApi& f = api();
    // rocFFT lists lengths fastest first; the shape is row-major, z fastest.
    const size_t lengths[3] = {size_t(s.three_d ? s.nz : s.n), size_t(s.ny), size_t(s.nx)};
    const size_t rank = s.three_d ? 3 : 1;
    const rocfft_precision precision = fp64 ? rocfft_precision_double : rocfft_precision_single;
    check_rocfft(f.rocfft_plan_create(&forward_, rocfft_placement_notinplace,
                                      rocfft_transform_type_complex_forward, precision, rank,
                                      lengths, size_t(s.transforms()), nullptr),
                 "rocfft_plan_create (forward)");
    check_rocfft(f.rocfft_plan_create(&inverse_, rocfft_placement_notinplace,
                                      rocfft_transform_type_complex_inverse, precision, rank,
                                      lengths, size_t(s.transforms()), nullptr),
                 "rocfft_plan_create (inverse)");
    size_t work = 0, w = 0;
    check_rocfft(f.rocfft_plan_get_work_buffer_size(forward_, &w), "work buffer size");
    work = w;
    check_rocfft(f.rocfft_plan_get_work_buffer_size(inverse_, &w), "work buffer size");
    work = std::max(work, w);
    if (work) work_ = flopscope::gpu::DeviceBuffer<char>(work);
    check_rocfft(f.rocfft_execution_info_create(&info_), "rocfft_execution_info_create");
    check_rocfft(f.rocfft_execution_info_set_stream(info_, stream), "setting the stream");
    if (work)
      check_rocfft(f.rocfft_execution_info_set_work_buffer(info_, work_.get(), work),
                   "setting the work buffer");
  }
  ~RocfftPlan() override {
    RocfftApi& f = api();
    if (info_) f.rocfft_execution_info_destroy(info_);
    if (forward_) f.rocfft_plan_destroy(forward_);
    if (inverse_) f.rocfft_plan_destroy(inverse_);
  }
  std::string implementation() const override {
    return "rocFFT " + api().version + ", " + (fp64_ ? "double" : "single") + " complex";
  }
  void forward(void* in, void* out) override { exec(forward_, in, out); }
  void inverse(void* in, void* out) override { exec(inverse_, in, out); }
  // rocfft_execute: "input buffers may still be overwritten during execution
  // of a transform, even if the transform is not in-place".
  bool preserves_input() const override { return false; }

 private:
  void exec(rocfft_plan plan, void* in, void* out) {
    void* ins[1] = {in};
    void* outs[1] = {out};
    check_rocfft(api().rocfft_execute(plan, ins, outs, info_), "rocfft_execute");
  }

  bool fp64_;
  rocfft_plan forward_ = nullptr, inverse_ = nullptr;
  rocfft_execution_info info_ = nullptr;
  flopscope::gpu::DeviceBuffer<char> work_;
};

}  // namespace

std::unique_ptr<KernelRun> make_rocfft_run(const flopscope::gpu::GpuKernelContext& c,
                                           const KernelRequest& request, std::string* unsupported) {
  if (std::string why = api().problem(); !why.empty()) {
    if (unsupported) *unsupported = "rocFFT unavailable: " + why;
    return nullptr;
  }
  const auto shape = gpu::fft_shape(request, c.memory_bytes, unsupported);
  if (!shape) return nullptr;
  return gpu::make_gpu_fft_run(
      c, request.precision == Precision::fp64, *shape, request.seed,
      [](const FftShape& s, bool fp64, gpuStream_t stream) -> std::unique_ptr<gpu::FftPlan> {
        return std::make_unique<RocfftPlan>(s, fp64, stream);
      });
}

}  // namespace flopscope::fft::hip

#else  // no rocfft.h at build time

namespace flopscope::fft::hip {

std::unique_ptr<KernelRun> make_rocfft_run(const flopscope::gpu::GpuKernelContext&,
                                           const KernelRequest&, std::string* unsupported) {
  if (unsupported)
    *unsupported =
        "rocFFT headers were not found when flopscope was built (ROCm's include folder, or "
        "-DFLOPSCOPE_FETCH_ROCM_DEV=ON)";
  return nullptr;
}

}  // namespace flopscope::fft::hip

#endif
