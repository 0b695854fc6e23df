#include "devices/hip/hip_backend.h"

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

namespace {

// Peaks of the precisions without a vector FMA chain (bf16, int8, fp8) run
// on the matrix units; --implementation mfma sends fp16 and fp64 there too.
bool peak_on_mfma(const KernelRequest& r) {
  return r.implementation == peak::hip::kMfmaImplementation ||
         r.size.variant == peak::gpu::kMatrixPeakVariant ||
         !peak::gpu::has_vector_chain(r.precision);
}

}  // namespace

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

std::vector<ProblemSize> HipBackend::default_sizes(const Device& d, KernelKind k, Precision p,
                                                   bool quick) {
  const gpu::GpuKernelContext c = context(d);
  switch (k) {
    case KernelKind::gemm:
      return gemm::hip::default_hip_gemm_sizes(c, p, quick);
    case KernelKind::stream:
      return stream::gpu::default_stream_sizes(c, p, quick);
    case KernelKind::peak: {
      if (!peak::gpu::has_vector_chain(p))
        return {ProblemSize{{{"rounds", peak::hip::default_mfma_rounds(p, quick)}}}};
      std::vector<ProblemSize> sizes = {
          ProblemSize{{{"rounds", peak::gpu::default_rounds(p, quick)}}}};
      // FP64 and FP16 have MFMA chains too (CDNA): both peaks are measured.
      if (peak::hip::has_mfma_chain(c, p))
        sizes.push_back(ProblemSize{{{"rounds", peak::hip::default_mfma_rounds(p, quick)}},
                                    peak::gpu::kMatrixPeakVariant});
      return sizes;
    }
    case KernelKind::stencil:
      return stencil::gpu::default_stencil_sizes(c, p, quick);
    case KernelKind::fft:
      return fft::gpu::default_fft_sizes(c, p, quick);
  }
  return {ProblemSize{}};  // make_run reports it unsupported
}

std::unique_ptr<KernelRun> HipBackend::make_run(const Device& d, const KernelRequest& request,
                                                std::string* unsupported) {
  const gpu::GpuKernelContext c = context(d);
  switch (request.kernel) {
    case KernelKind::gemm:
      return gemm::hip::make_hip_gemm_run(c, request, unsupported);
    case KernelKind::stream:
      return stream::gpu::make_gpu_stream_run(c, request, unsupported);
    case KernelKind::peak:
      if (peak_on_mfma(request)) return peak::hip::make_mfma_peak_run(c, request, unsupported);
      return peak::gpu::make_gpu_peak_run(c, request, unsupported);
    case KernelKind::stencil:
      return stencil::gpu::make_gpu_stencil_run(c, request, unsupported);
    case KernelKind::fft:
      return fft::hip::make_rocfft_run(c, request, unsupported);
  }
  if (unsupported)
    *unsupported =
        std::string("no HIP implementation of ").append(to_string(request.kernel)) + " yet";
  return nullptr;
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
