// Which GEMM libraries this machine has (found by file, never loaded in
// flopscope's own process) and which configurations of each the CPU can run.
#pragma once

#include <string>
#include <vector>

#include "devices/cpu/cpu_isa.h"
#include "kernels/gemm/cpu/gemm_cpu_format.h"
#include "kernels/gemm/cpu/worker_setup.h"

namespace flopscope::gemm::cpu {

struct LibraryFile {
  Engine engine = Engine::blas;
  std::string family;   // "openblas", "blis", "mkl", "onednn"
  std::string variant;  // "pthread", "openmp", "serial", "mt", or empty
  std::string path;     // resolved, so one file found twice counts once
};

// Looks in FLOPSCOPE_CPU_LIBRARY_PATH and LD_LIBRARY_PATH (colon lists),
// then the system library folders and the Debian/Ubuntu variant folders
// (openblas-pthread/, blis-openmp/, ...), /opt/intel/oneapi/mkl and
// /opt/AMD/aocl.
std::vector<LibraryFile> find_gemm_libraries();
// The same, in the given folders only (tests).
std::vector<LibraryFile> find_gemm_libraries_in(const std::vector<std::string>& folders);

// Whether the library runs its threads through OpenMP (and so takes its
// pinning from OMP_PLACES): oneDNN, MKL, and the OpenMP variants of OpenBLAS
// and BLIS. Others make their own threads, or are flopscope's own GEMM,
// which pins its threads itself.
bool uses_openmp_threads(const LibraryFile& lib);

// Kernel configurations a library family offers that this CPU can execute,
// by cpuid ("" first: the library's own choice). OpenBLAS core types, BLIS
// configurations, MKL instruction caps; oneDNN chooses for itself.
std::vector<std::string> library_configurations(const std::string& family,
                                                const flopscope::cpu::CpuIsa& isa);

// The environment variable that picks a family's configuration:
// OPENBLAS_CORETYPE, BLIS_ARCH_TYPE (a number: blis_arch.h), or
// MKL_ENABLE_INSTRUCTIONS; empty for a family configured otherwise (oneDNN
// chooses for itself, flopscope's own GEMM takes its tile by name).
std::string configuration_variable(const std::string& family);

struct GemmCandidate {
  LibraryFile library;
  std::string config;  // "" : the library's own choice
  // "openblas-pthread:haswell", "blis-openmp:auto", "onednn": what
  // --implementation accepts.
  std::string id() const;
};

// Every (library, configuration) that can run this precision here.
std::vector<GemmCandidate> gemm_candidates(const std::vector<LibraryFile>& libs,
                                           const CpuGemmFormat& f,
                                           const flopscope::cpu::CpuIsa& isa);

// The candidates --implementation NAME selects: an id ("blis-openmp:zen3"),
// an id without the variant ("blis:zen3"), a library ("openblas",
// "openblas-pthread", "onednn"), or an implementation string from a result
// file ("openblas-0.3.21 coretype=Haswell (pthread)"). Case-insensitive;
// empty NAME selects all.
std::vector<GemmCandidate> select_candidates(const std::vector<GemmCandidate>& all,
                                             const std::string& name);

}  // namespace flopscope::gemm::cpu
