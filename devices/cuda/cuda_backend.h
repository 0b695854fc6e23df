// The NVIDIA backend, built as the plugin libflopscope_cuda.so: every CUDA
// GPU (cuda:N), identified by PCI bus id, its host threads on its NUMA node.
#pragma once

#include <optional>
#include <vector>

#include "devices/cuda/cuda_device_info.h"
#include "devices/gpu_shim/gpu_kernel_context.h"
#include "harness/backend.h"

namespace flopscope::cuda {

class CudaBackend final : public Backend {
 public:
  std::string kind() const override { return "cuda"; }
  std::vector<Device> devices() override;
  std::string unavailable_reason() const override { return reason_; }
  std::vector<ProblemSize> default_sizes(const Device& d, KernelKind k, Precision p,
                                         bool quick) override;
  ProblemSize size_from_user(const Device& d, KernelKind k, Precision p,
                             const std::vector<int64_t>& dims) override;
  std::vector<ProblemSize> sizes_from_user(const Device& d, KernelKind k, Precision p,
                                           const std::vector<int64_t>& dims) override;
  std::unique_ptr<KernelRun> make_run(const Device& d, const KernelRequest& request,
                                      std::string* unsupported) override;
  std::optional<double> measure_clock_hz(const Device& d) override;
  bool clock_is_passive() const override { return true; }
  std::unique_ptr<SensorSource> sensors(const Device& d) override;
  std::optional<std::vector<DeviceProcess>> device_processes(const Device& d) override;

 private:
  void query();
  const CudaDeviceInfo& info(const Device& d);
  gpu::GpuKernelContext context(const Device& d);
  bool queried_ = false;
  std::vector<CudaDeviceInfo> infos_;
  std::string reason_;
};

}  // namespace flopscope::cuda
