// What a GPU kernel needs to know about its device, the same for CUDA and
// HIP: passed from the backend to every kernel's factory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flopscope::gpu {

struct GpuKernelContext {
  int ordinal = 0;             // the runtime's device index (cudaSetDevice / hipSetDevice)
  int units = 0;               // SMs or CUs
  int compute_capability = 0;  // NVIDIA: 90 for sm_90; 0 elsewhere
  std::string arch;            // AMD: the gfx target without features ("gfx90a"); empty elsewhere
  int wave_size = 32;          // threads per warp / wavefront (64 on CDNA, 32 on RDNA and NVIDIA)
  uint64_t memory_bytes = 0;
  uint64_t l2_bytes = 0;
  std::vector<int> host_pus;  // pin the feeding thread here (empty: leave it)
};

}  // namespace flopscope::gpu
