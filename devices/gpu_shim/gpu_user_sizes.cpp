#include "devices/gpu_shim/gpu_user_sizes.h"

#include <string>

#include "harness/errors.h"
#include "kernels/fft/gpu/fft_gpu.h"
#include "kernels/stencil/gpu/stencil_gpu.h"
#include "kernels/stencil/stencil_spec.h"
#include "kernels/stream/gpu/stream_gpu.h"

namespace flopscope::gpu {

namespace {

// Largest accepted dimension of a user size: well past any GPU's memory for
// GEMM, and within int for the libraries.
constexpr int64_t kMaxGemmDim = 1 << 20;

void require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

}  // namespace

std::vector<ProblemSize> gpu_sizes_from_user(KernelKind k, const std::vector<int64_t>& dims) {
  for (int64_t v : dims) require(v > 0, "sizes must be positive");
  switch (k) {
    case KernelKind::gemm:
      require(dims.size() == 1 || dims.size() == 3, "a GEMM size is n or m,n,k");
      for (int64_t v : dims)
        require(v <= kMaxGemmDim,
                std::string("GEMM dimensions are at most ").append(std::to_string(kMaxGemmDim)));
      if (dims.size() == 1) return {ProblemSize{{{"n", dims[0]}}}};
      return {ProblemSize{{{"m", dims[0]}, {"n", dims[1]}, {"k", dims[2]}}}};
    case KernelKind::stream:
      require(dims.size() == 1, "a stream size is one element count");
      return stream::gpu::stream_sizes(dims[0]);
    case KernelKind::peak:
      require(dims.size() == 1 && dims[0] <= 1'000'000, "a peak size is rounds, at most 1000000");
      return {ProblemSize{{{"rounds", dims[0]}}}};
    case KernelKind::stencil:
      require(dims.size() == 1 || dims.size() == 3, "a stencil size is n or nx,ny,nz");
      for (int64_t v : dims)
        require(v <= stencil::kMaxUserEdge,
                "stencil edges are at most " + std::to_string(stencil::kMaxUserEdge));
      if (dims.size() == 1) return stencil::gpu::stencil_sizes(dims[0], dims[0], dims[0]);
      return stencil::gpu::stencil_sizes(dims[0], dims[1], dims[2]);
    case KernelKind::fft:
      require(dims.size() >= 1 && dims.size() <= 3, "an FFT size is n, n,batch or nx,ny,nz");
      for (int64_t v : dims) require(v <= int64_t{1} << 30, "FFT dimensions are at most 2^30");
      return fft::gpu::fft_sizes_from_user(dims);
  }
  // A kernel kind added later: its dimensions as given, for make_run to refuse.
  ProblemSize s;
  for (size_t i = 0; i < dims.size(); ++i)
    s.dims.push_back({std::string("d").append(std::to_string(i)), dims[i]});
  return {s};
}

}  // namespace flopscope::gpu
