// The GPU FFT measurement, the same for every library: buffers, seeded
// input, timing with events, and the check (a round trip over every element
// on the device plus a few bins against a direct DFT on the host). A
// library contributes only its plan (cuFFT: kernels/fft/cuda, rocFFT:
// kernels/fft/hip). Compiled once per GPU backend, against its runtime.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "devices/gpu_shim/gpu_runtime.h"
#include "harness/kernel_run.h"
#include "kernels/fft/gpu/fft_gpu.h"

namespace flopscope::fft::gpu {

// One library's plans for a shape and precision, bound to a stream. Both
// directions are unnormalised and out of place; errors throw DeviceError.
class FftPlan {
 public:
  virtual ~FftPlan() = default;
  virtual std::string implementation() const = 0;  // "cuFFT 11.2.6, Z2Z"
  virtual void forward(void* in, void* out) = 0;
  virtual void inverse(void* in, void* out) = 0;
  // cuFFT keeps the input of an out-of-place C2C transform; rocFFT may use
  // it as scratch, so the check then transforms a fresh input again.
  virtual bool preserves_input() const { return true; }
};

using FftPlanFactory =
    std::function<std::unique_ptr<FftPlan>(const FftShape& shape, bool fp64, gpuStream_t stream)>;

std::unique_ptr<KernelRun> make_gpu_fft_run(const flopscope::gpu::GpuKernelContext& c, bool fp64,
                                            const FftShape& shape, uint64_t seed,
                                            const FftPlanFactory& plan);

}  // namespace flopscope::fft::gpu
