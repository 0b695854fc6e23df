#include "devices/cuda/cuda_backend.h"

#include <unistd.h>

#include <fstream>

#include "devices/cuda/nvml_library.h"
#include "devices/cuda/nvml_sensors.h"
#include "devices/gpu_shim/gpu_user_sizes.h"
#include "devices/topology/topology.h"
#include "harness/errors.h"
#include "kernels/fft/cuda/fft_cuda.h"
#include "kernels/fft/gpu/fft_gpu.h"
#include "kernels/gemm/cuda/gemm_cublas.h"
#include "kernels/gemm/cuda/gemm_cuda_format.h"
#include "kernels/peak/cuda/peak_mma.h"
#include "kernels/peak/gpu/peak_gpu.h"
#include "kernels/stencil/gpu/stencil_gpu.h"
#include "kernels/stream/gpu/stream_gpu.h"

namespace flopscope::cuda {

namespace {

// /proc/<pid>/comm; "unknown" when the process is in another PID namespace
// (NVML sees every container's processes) or has gone.
std::string process_name(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (!std::getline(f, name) || name.empty()) return "unknown";
  return name;
}

}  // namespace

gpu::GpuKernelContext CudaBackend::context(const Device& d) {
  const CudaDeviceInfo& i = info(d);
  gpu::GpuKernelContext c;
  c.ordinal = i.ordinal;
  c.units = i.sms;
  c.compute_capability = i.compute_capability();
  c.memory_bytes = i.memory_bytes;
  c.l2_bytes = i.l2_bytes;
  c.host_pus = i.host_pus;
  return c;
}

std::vector<ProblemSize> CudaBackend::gemm_sizes(const gpu::GpuKernelContext& c, Precision p,
                                                 bool quick) {
  const int64_t n = gemm::cuda::default_gemm_n(gemm::cuda::cuda_gemm_format(p), c.memory_bytes,
                                               c.l2_bytes, quick);
  return {ProblemSize{{{"n", n}}}};
}

std::unique_ptr<KernelRun> CudaBackend::make_gemm_run(const gpu::GpuKernelContext& c,
                                                      const KernelRequest& request,
                                                      std::string* unsupported) {
  if (!may_be_named(request, "cuBLAS", unsupported)) return nullptr;
  return only_if_named(gemm::cuda::make_cublas_gemm_run(c, request, unsupported), request,
                       unsupported);
}

std::unique_ptr<KernelRun> CudaBackend::make_fft_run(const gpu::GpuKernelContext& c,
                                                     const KernelRequest& request,
                                                     std::string* unsupported) {
  if (!may_be_named(request, "cuFFT", unsupported)) return nullptr;
  return only_if_named(fft::cuda::make_cufft_run(c, request, unsupported), request, unsupported);
}

// FP16 has both an FP16x2 chain and a tensor-core (mma.sync, sm_70 on) chain.
bool CudaBackend::has_matrix_peak(const gpu::GpuKernelContext& c, Precision p) {
  return p == Precision::fp16 && c.compute_capability >= 70;
}

int64_t CudaBackend::matrix_peak_rounds(Precision, bool quick) {
  return peak::gpu::default_rounds(Precision::bf16, quick);  // the tensor-core chains' rounds
}

std::unique_ptr<KernelRun> CudaBackend::make_matrix_peak_run(const gpu::GpuKernelContext& c,
                                                             const KernelRequest& request,
                                                             std::string* unsupported) {
  if (!may_be_named(request, kPeakStart, unsupported)) return nullptr;
  return only_if_named(peak::cuda::make_mma_peak_run(c, request, unsupported), request,
                       unsupported);
}

std::optional<double> CudaBackend::measure_clock_hz(const Device& d) {
  auto mhz = NvmlLibrary::instance().sm_clock_mhz(info(d).pci_bus_id);
  if (!mhz) return std::nullopt;
  return *mhz * 1e6;
}

std::unique_ptr<SensorSource> CudaBackend::sensors(const Device& d) {
  return make_nvml_sensors(info(d).pci_bus_id);
}

std::optional<std::vector<DeviceProcess>> CudaBackend::device_processes(const Device& d) {
  auto list = NvmlLibrary::instance().compute_processes(info(d).pci_bus_id);
  if (!list) return std::nullopt;
  std::vector<DeviceProcess> out;
  for (const auto& p : *list) {
    if (static_cast<int>(p.pid) == getpid()) continue;  // flopscope's own context
    DeviceProcess dp;
    dp.pid = static_cast<int>(p.pid);
    dp.name = process_name(dp.pid);
    dp.memory_bytes = static_cast<double>(p.used_gpu_memory);
    out.push_back(std::move(dp));
  }
  return out;
}

}  // namespace flopscope::cuda
