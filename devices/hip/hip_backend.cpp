#include "devices/hip/hip_backend.h"

#include <strings.h>

#include "devices/gpu_shim/gpu_user_sizes.h"
#include "devices/hip/rocm_smi_library.h"
#include "devices/hip/rocm_smi_sensors.h"
#include "devices/topology/topology.h"
#include "harness/errors.h"
#include "kernels/fft/gpu/fft_gpu.h"
#include "kernels/fft/hip/fft_hip.h"
#include "kernels/gemm/hip/gemm_hip.h"
#include "kernels/peak/gpu/peak_gpu.h"
#include "kernels/peak/hip/peak_mfma.h"
#include "kernels/stencil/gpu/stencil_gpu.h"
#include "kernels/stream/gpu/stream_gpu.h"

namespace flopscope::hip {

gpu::GpuKernelContext HipBackend::context(const Device& d) {
  const HipDeviceInfo& i = info(d);
  gpu::GpuKernelContext c;
  c.ordinal = i.ordinal;
  c.units = i.compute_units;
  c.arch = i.arch();
  c.wave_size = i.wave_size;
  c.memory_bytes = i.memory_bytes;
  c.l2_bytes = i.l2_bytes;
  c.host_pus = i.host_pus;
  return c;
}

std::vector<ProblemSize> HipBackend::gemm_sizes(const gpu::GpuKernelContext& c, Precision p,
                                                bool quick) {
  return gemm::hip::default_hip_gemm_sizes(c, p, quick);
}

std::unique_ptr<KernelRun> HipBackend::make_gemm_run(const gpu::GpuKernelContext& c,
                                                     const KernelRequest& request,
                                                     std::string* unsupported) {
  return gemm::hip::make_hip_gemm_run(c, request, unsupported);
}

std::unique_ptr<KernelRun> HipBackend::make_fft_run(const gpu::GpuKernelContext& c,
                                                    const KernelRequest& request,
                                                    std::string* unsupported) {
  if (!may_be_named(request, "rocFFT", unsupported)) return nullptr;
  return only_if_named(fft::hip::make_rocfft_run(c, request, unsupported), request, unsupported);
}

// FP64 and FP16 have MFMA chains beside their FMA chains (CDNA).
bool HipBackend::has_matrix_peak(const gpu::GpuKernelContext& c, Precision p) {
  return peak::hip::has_mfma_chain(c, p);
}

int64_t HipBackend::matrix_peak_rounds(Precision p, bool quick) {
  return peak::hip::default_mfma_rounds(p, quick);
}

std::unique_ptr<KernelRun> HipBackend::make_matrix_peak_run(const gpu::GpuKernelContext& c,
                                                            const KernelRequest& request,
                                                            std::string* unsupported) {
  if (!forces_matrix_peak(request) && !may_be_named(request, kPeakStart, unsupported))
    return nullptr;
  auto run = peak::hip::make_mfma_peak_run(c, request, unsupported);
  // "mfma" picks these chains (forces_matrix_peak); any other forced name
  // must begin their implementation().
  return forces_matrix_peak(request) ? std::move(run)
                                     : only_if_named(std::move(run), request, unsupported);
}

// --implementation mfma sends FP16 and FP64 peaks to the MFMA chains too.
bool HipBackend::forces_matrix_peak(const KernelRequest& r) {
  return strcasecmp(r.implementation.c_str(), peak::hip::kMfmaImplementation) == 0;
}

std::optional<double> HipBackend::measure_clock_hz(const Device& d) {
  auto mhz = RocmSmiLibrary::instance().sys_clock_mhz(info(d).pci_bus_id);
  if (!mhz) return std::nullopt;
  return *mhz * 1e6;
}

std::unique_ptr<SensorSource> HipBackend::sensors(const Device& d) {
  return make_rocm_smi_sensors(info(d).pci_bus_id);
}

}  // namespace flopscope::hip
