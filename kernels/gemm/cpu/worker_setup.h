// What the parent tells a library worker process to build: one library at
// one configuration, one precision and shape. Sent as one line of
// tab-separated key=value fields (library paths may hold spaces).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/precision.h"

namespace flopscope::gemm::cpu {

enum class Engine { blas, onednn };

struct WorkerSetup {
  Engine engine = Engine::blas;
  std::string family;   // "openblas", "blis", "mkl", "onednn"
  std::string variant;  // "pthread", "openmp", "serial" or empty
  std::string path;     // the shared library to dlopen
  std::string config;   // "Haswell", "zen3", "AVX2"; empty: the library's own choice
  Precision precision = Precision::fp64;
  int64_t m = 0, n = 0, k = 0;
  uint64_t seed = 0;
  int threads = 1;
  // The PUs the worker's threads run on, in order: the cores the parent
  // measures. Sent rather than read from the worker's affinity: where an
  // OpenMP library's environment sets OMP_PROC_BIND, GNU OpenMP binds the
  // worker's first thread to the first place before main() runs. Empty: the
  // worker's own affinity (run_pus).
  std::vector<int> pus;

  // pus, or where none were sent, the first `threads` PUs the worker may use.
  std::vector<int> run_pus() const;

  std::string to_line() const;
  static std::optional<WorkerSetup> from_line(const std::string& line);
};

}  // namespace flopscope::gemm::cpu
