// cuFFT's plans for the GPU FFT run (kernels/fft/gpu/fft_gpu_run.h).
#include <cuda_runtime.h>
#include <cufft.h>

#include "devices/cuda/cuda_check.h"
#include "kernels/fft/cuda/fft_cuda.h"
#include "kernels/fft/gpu/fft_gpu_run.h"

namespace flopscope::fft::cuda {

namespace {

using flopscope::cuda::check_cufft;
using gpu::FftShape;

class CufftPlan final : public gpu::FftPlan {
 public:
  CufftPlan(const FftShape& s, bool fp64, cudaStream_t stream) : fp64_(fp64) {
    const cufftType type = fp64 ? CUFFT_Z2Z : CUFFT_C2C;
    if (s.three_d) {
      check_cufft(cufftPlan3d(&plan_, int(s.nx), int(s.ny), int(s.nz), type), "cufftPlan3d");
    } else {
      int n = static_cast<int>(s.n);
      check_cufft(cufftPlanMany(&plan_, 1, &n, nullptr, 1, n, nullptr, 1, n, type, int(s.batch)),
                  "cufftPlanMany");
    }
    check_cufft(cufftSetStream(plan_, stream), "cufftSetStream");
    int v = 0;
    cufftGetVersion(&v);
    version_ = std::to_string(v / 1000) + std::string(".").append(std::to_string((v / 100) % 10)) +
               std::string(".").append(std::to_string(v % 100));
  }
  ~CufftPlan() override {
    if (plan_) cufftDestroy(plan_);
  }
  std::string implementation() const override {
    return "cuFFT " + version_ + ", " + (fp64_ ? "Z2Z" : "C2C");
  }
  void forward(void* in, void* out) override { exec(in, out, CUFFT_FORWARD); }
  void inverse(void* in, void* out) override { exec(in, out, CUFFT_INVERSE); }

 private:
  void exec(void* in, void* out, int direction) {
    if (fp64_)
      check_cufft(cufftExecZ2Z(plan_, static_cast<cufftDoubleComplex*>(in),
                               static_cast<cufftDoubleComplex*>(out), direction),
                  "cufftExecZ2Z");
    else
      check_cufft(cufftExecC2C(plan_, static_cast<cufftComplex*>(in),
                               static_cast<cufftComplex*>(out), direction),
                  "cufftExecC2C");
  }

  bool fp64_;
  cufftHandle plan_ = 0;
  std::string version_;
};

}  // namespace

std::unique_ptr<KernelRun> make_cufft_run(const flopscope::gpu::GpuKernelContext& c,
                                          const KernelRequest& request, std::string* unsupported) {
  const auto shape = gpu::fft_shape(request, c.memory_bytes, unsupported);
  if (!shape) return nullptr;
  return gpu::make_gpu_fft_run(
      c, request.precision == Precision::fp64, *shape, request.seed,
      [](const FftShape& s, bool fp64, gpuStream_t stream) -> std::unique_ptr<gpu::FftPlan> {
        return std::make_unique<CufftPlan>(s, fp64, stream);
      });
}

}  // namespace flopscope::fft::cuda
