// The AMD backend, built as the plugin libflopscope_hip.so: every HIP GPU
// (hip:N; each MI250/MI250X GCD and each MI300 partition is one), identified
// by PCI bus id, its host threads on its NUMA node.
#pragma once

#include <optional>
#include <vector>

#include "devices/gpu_shim/gpu_backend_base.h"
#include "devices/gpu_shim/gpu_kernel_context.h"
#include "devices/hip/hip_device_info.h"
#include "harness/backend.h"

namespace flopscope::hip {

class HipBackend final : public gpu::GpuBackendBase<HipDeviceInfo> {
 public:
  std::string kind() const override { return "hip"; }
  // The current SYS (engine) clock from ROCm SMI.
  std::optional<double> measure_clock_hz(const Device& d) override;
  // ROCm SMI: clock, temperature, power, power cap.
  std::unique_ptr<SensorSource> sensors(const Device& d) override;

 private:
  std::vector<HipDeviceInfo> query_devices(const topo::Topology* topology,
                                           std::string* reason) override {
    return query_hip_devices(topology, reason);
  }
  Device describe(const HipDeviceInfo& info) override { return describe_hip_device(info); }
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
  bool forces_matrix_peak(const KernelRequest& r) override;
};

}  // namespace flopscope::hip
