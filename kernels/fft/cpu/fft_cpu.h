// The FFT kernel on the CPU: FFTW 3 with its OpenMP threads, batched
// complex-to-complex forward transforms, planned with FFTW_MEASURE outside
// the timed region (wisdom kept between runs, see fftw_wisdom.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/kernel_run.h"

namespace flopscope::fft::cpu {

// Transforms per batch: enough that the input array is larger than twice
// the last-level cache, so every transform reads its data from memory.
int64_t fft_batch(double points, int complex_bytes, uint64_t l3_bytes);

// 1-D 2^20 points and 3-D 128^3 (2^16 and 64^3 with --quick), batched.
std::vector<ProblemSize> default_fft_sizes(const flopscope::cpu::CpuContext& ctx, Precision p,
                                           bool quick);

// --sizes N (1-D), NXxNY (2-D) or NXxNYxNZ (3-D); the batch follows the
// rule above. Throws UsageError when the arrays would take more than half
// of `memory_bytes`.
ProblemSize fft_size_from_user(const flopscope::cpu::CpuContext& ctx, Precision p,
                               const std::vector<int64_t>& dims, double memory_bytes);

// nullptr with *unsupported set for precisions FFTW does not compute here,
// an unknown --implementation, or a missing libfftw3.
std::unique_ptr<KernelRun> make_cpu_fft_run(const flopscope::cpu::CpuContext& ctx,
                                            const KernelRequest& request, std::string* unsupported);

}  // namespace flopscope::fft::cpu
