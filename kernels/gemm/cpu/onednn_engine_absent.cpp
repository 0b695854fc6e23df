// Builds without oneDNN's headers (libdnnl-dev) cannot describe its types,
// so its matmul is not offered; the reason says how to get it.
#include "kernels/gemm/cpu/gemm_engine.h"

namespace flopscope::gemm::cpu {

std::unique_ptr<GemmEngine> make_onednn_engine(const WorkerSetup&, std::string* unsupported) {
  *unsupported = "this build has no oneDNN support (configure with libdnnl-dev installed)";
  return nullptr;
}

}  // namespace flopscope::gemm::cpu
