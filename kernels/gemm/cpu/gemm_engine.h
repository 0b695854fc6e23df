// Inside a library worker process: one library, loaded and configured, with
// its own A, B and C, ready to multiply. Never used in flopscope's own
// process, because OpenBLAS and BLIS export the same symbols and fix their
// kernels when they load.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "devices/cpu/huge_pages.h"
#include "harness/kernel_run.h"
#include "kernels/gemm/cpu/gemm_inputs.h"
#include "kernels/gemm/cpu/worker_setup.h"

namespace flopscope::gemm::cpu {

class GemmEngine {
 public:
  virtual ~GemmEngine() = default;
  // "openblas-0.3.21 coretype=Haswell (pthread)": library, version, configuration.
  virtual std::string implementation() const = 0;
  // The configuration the library actually runs ("Haswell", "zen3").
  virtual std::string applied_config() const = 0;
  // One C = A * B.
  virtual void multiply() = 0;
  virtual Verification verify() = 0;
  // Changes element `element` (modulo the size of C) of the output.
  virtual bool corrupt(int64_t element) = 0;
};

// Loads the setup's library. nullptr with *unsupported set when the library
// cannot run this configuration or precision here (a refused core type, a
// missing symbol, only a reference implementation).
std::unique_ptr<GemmEngine> make_blas_engine(const WorkerSetup& s, std::string* unsupported);
std::unique_ptr<GemmEngine> make_onednn_engine(const WorkerSetup& s, std::string* unsupported);

// Storage for the matrices: 64-byte aligned, and on advised huge pages from
// 2 MiB up (devices/cpu/huge_pages.h says why).
using Buffer = flopscope::cpu::HugePageBuffer;
Buffer allocate_buffer(size_t bytes);

// Fills a matrix from the seed with every thread (first touch spreads the
// pages the way the library's threads will read them).
template <typename T, typename Make>
void fill_matrix(T* p, size_t count, uint64_t seed, Operand operand, Make make) {
  const int64_t n = static_cast<int64_t>(count);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) p[i] = make(input_bits(seed, operand, static_cast<uint64_t>(i)));
}

}  // namespace flopscope::gemm::cpu
