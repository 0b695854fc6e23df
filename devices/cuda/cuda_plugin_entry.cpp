// The one symbol libflopscope_cuda.so exports (harness/plugin_loader.h);
// everything else in the plugin is hidden.
#include "devices/cuda/cuda_backend.h"
#include "harness/plugin_loader.h"

extern "C" __attribute__((visibility("default"))) flopscope::Backend* flopscope_create_backend() {
  return new flopscope::cuda::CudaBackend();
}
