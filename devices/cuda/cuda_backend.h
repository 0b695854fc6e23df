// The NVIDIA backend, built as the plugin libflopscope_cuda.so: every CUDA
// GPU (cuda:N), identified by PCI bus id, its host threads on its NUMA node.
#pragma once

#include <optional>
#include <vector>

#include "devices/cuda/cuda_device_info.h"
#include "devices/gpu_shim/gpu_backend_base.h"
#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/backend.h"

namespace flopscope::cuda {

class CudaBackend final : public gpu::GpuBackendBase<CudaDeviceInfo> {
 public:
  std::string kind() const override { return "cuda"; }
  std::optional<double> measure_clock_hz(const Device& d) override;
  std::unique_ptr<SensorSource> sensors(const Device& d) override;
  std::optional<std::vector<DeviceProcess>> device_processes(const Device& d) override;

 private:
  std::vector<CudaDeviceInfo> query_devices(const topo::Topology* topology,
                                            std::string* reason) override {
    return query_cuda_devices(topology, reason);
  }
  Device describe(const CudaDeviceInfo& info) override { return describe_cuda_device(info); }
  gpu::GpuKernelContext context(const Device& d) override;
  std::vector<ProblemSize> gemm_sizes(const gpu::GpuKernelContext& c, Precision p,
                                      bool quick) override;
  std::unique_ptr<KernelRun> make_gemm_run(const gpu::GpuKernelContext& c,
                                           const KernelRequest& request,
                                           std::string* unsupported) override;
  std::unique_ptr<KernelRun> make_fft_run(const gpu::GpuKernelContext& c,
                                          const KernelRequest& request,
                                          std::string* unsupported) override;
  bool has_matrix_peak(const gpu::GpuKernelContext& c, Precision p) override;
  int64_t matrix_peak_rounds(Precision p, bool quick) override;
  std::unique_ptr<KernelRun> make_matrix_peak_run(const gpu::GpuKernelContext& c,
                                                  const KernelRequest& request,
                                                  std::string* unsupported) override;
};

}  // namespace flopscope::cuda
