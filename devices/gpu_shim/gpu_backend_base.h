// What the CUDA and HIP backends share: the runtime's device list (queried
// once, each GPU placed on the live topology), lookup of a device record by
// its id ("cuda:0", "hip:3"), the sizes and runs of the kernels written once
// (stream, stencil, the vector FMA chains, and when a precision has both a
// vector and a matrix peak, which one a request runs), the user sizes, and a
// passive clock (a sensor read, sampled while kernels run). A backend
// supplies the runtime query, the record, its kernel context, and its own
// GEMM, FFT and matrix-unit peak.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "devices/gpu_shim/gpu_kernel_context.h"
#include "devices/gpu_shim/gpu_user_sizes.h"
#include "devices/topology/topology.h"
#include "harness/backend.h"
#include "harness/errors.h"
#include "kernels/fft/gpu/fft_gpu.h"
#include "kernels/peak/gpu/peak_gpu.h"
#include "kernels/stencil/gpu/stencil_gpu.h"
#include "kernels/stream/gpu/stream_gpu.h"

namespace flopscope::gpu {

template <typename Info>  // CudaDeviceInfo, HipDeviceInfo: has `ordinal`
class GpuBackendBase : public Backend {
 public:
  std::vector<Device> devices() override {
    query();
    std::vector<Device> out;
    for (const auto& i : infos_) out.push_back(describe(i));
    return out;
  }
  std::string unavailable_reason() const override { return reason_; }
  ProblemSize size_from_user(const Device& d, KernelKind k, Precision p,
                             const std::vector<int64_t>& dims) override {
    return sizes_from_user(d, k, p, dims).front();
  }
  std::vector<ProblemSize> sizes_from_user(const Device&, KernelKind k, Precision,
                                           const std::vector<int64_t>& dims) override {
    return gpu_sizes_from_user(k, dims);
  }
  bool clock_is_passive() const override { return true; }

  std::vector<ProblemSize> default_sizes(const Device& d, KernelKind k, Precision p,
                                         bool quick) override {
    const GpuKernelContext c = context(d);
    switch (k) {
      case KernelKind::gemm:
        return gemm_sizes(c, p, quick);
      case KernelKind::stream:
        return stream::gpu::default_stream_sizes(c, p, quick);
      case KernelKind::peak: {
        if (!peak::gpu::has_vector_chain(p))
          return {ProblemSize{{{"rounds", matrix_peak_rounds(p, quick)}}}};
        std::vector<ProblemSize> sizes = {
            ProblemSize{{{"rounds", peak::gpu::default_rounds(p, quick)}}}};
        // Both peaks where the precision has vector and matrix units.
        if (has_matrix_peak(c, p))
          sizes.push_back(ProblemSize{{{"rounds", matrix_peak_rounds(p, quick)}},
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

  std::unique_ptr<KernelRun> make_run(const Device& d, const KernelRequest& request,
                                      std::string* unsupported) override {
    const GpuKernelContext c = context(d);
    switch (request.kernel) {
      case KernelKind::gemm:
        return make_gemm_run(c, request, unsupported);
      // Stream and the vector chains have one implementation each: a forced
      // name must begin it. The vendor's factories apply the same rule to
      // their one library, or choose by name themselves.
      case KernelKind::stream:
        if (!may_be_named(request, kStreamStart, unsupported)) return nullptr;
        return only_if_named(stream::gpu::make_gpu_stream_run(c, request, unsupported), request,
                             unsupported);
      case KernelKind::peak:
        if (peak::gpu::has_vector_chain(request.precision) &&
            request.size.variant != peak::gpu::kMatrixPeakVariant && !forces_matrix_peak(request)) {
          if (!may_be_named(request, kPeakStart, unsupported)) return nullptr;
          return only_if_named(peak::gpu::make_gpu_peak_run(c, request, unsupported), request,
                               unsupported);
        }
        return make_matrix_peak_run(c, request, unsupported);
      case KernelKind::stencil:
        return stencil::gpu::make_gpu_stencil_run(c, request, unsupported);
      case KernelKind::fft:
        return make_fft_run(c, request, unsupported);
    }
    if (unsupported)
      *unsupported =
          "no " + kind() + " implementation of " + std::string(to_string(request.kernel)) + " yet";
    return nullptr;
  }

 protected:
  // How the implementation() of flopscope's own GPU stream and chains (the
  // vector ones and the matrix ones alike) begins, for may_be_named.
  static constexpr const char* kStreamStart = "flopscope stream";
  static constexpr const char* kPeakStart = "flopscope peak";

  // What the kernels need to know of a device.
  virtual GpuKernelContext context(const Device& d) = 0;
  // The vendor's own kernels: GEMM through its libraries, FFT, and the
  // matrix-unit peak chains.
  virtual std::vector<ProblemSize> gemm_sizes(const GpuKernelContext& c, Precision p,
                                              bool quick) = 0;
  virtual std::unique_ptr<KernelRun> make_gemm_run(const GpuKernelContext& c,
                                                   const KernelRequest& request,
                                                   std::string* unsupported) = 0;
  virtual std::unique_ptr<KernelRun> make_fft_run(const GpuKernelContext& c,
                                                  const KernelRequest& request,
                                                  std::string* unsupported) = 0;
  // Whether a precision with a vector chain also has a matrix-unit chain here.
  virtual bool has_matrix_peak(const GpuKernelContext& c, Precision p) = 0;
  virtual int64_t matrix_peak_rounds(Precision p, bool quick) = 0;
  virtual std::unique_ptr<KernelRun> make_matrix_peak_run(const GpuKernelContext& c,
                                                          const KernelRequest& request,
                                                          std::string* unsupported) = 0;
  // A request that asks for the matrix chain by name (--implementation).
  virtual bool forces_matrix_peak(const KernelRequest&) { return false; }

  // The runtime's devices, or none with *reason set ("no CUDA device found").
  virtual std::vector<Info> query_devices(const topo::Topology* topology, std::string* reason) = 0;
  virtual Device describe(const Info& info) = 0;

  const Info& info(const Device& d) {
    query();
    for (const auto& i : infos_)
      if (kind() + ":" + std::to_string(i.ordinal) == d.id) return i;
    throw DeviceError(d.id + ": no such " + kind() + " device");
  }

 private:
  void query() {
    if (queried_) return;
    queried_ = true;
    std::optional<topo::Topology> topology;
    try {
      topology = topo::load_live_topology();
    } catch (const std::exception&) {
      // Without a topology the feeding threads are not pinned.
    }
    infos_ = query_devices(topology ? &*topology : nullptr, &reason_);
  }

  bool queried_ = false;
  std::vector<Info> infos_;
  std::string reason_;
};

}  // namespace flopscope::gpu
