// Precisions, computing-power classes and kernel names: the one place
// where their spelling and their class membership are fixed.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace flopscope {

enum class Precision { fp64, fp32, tf32, fp16, bf16, fp8, int8 };
inline constexpr std::array<Precision, 7> kAllPrecisions = {
    Precision::fp64, Precision::fp32, Precision::tf32, Precision::fp16,
    Precision::bf16, Precision::fp8,  Precision::int8};

enum class PerfClass { basic, intelligent, supercomputing };
inline constexpr std::array<PerfClass, 3> kAllClasses = {PerfClass::basic, PerfClass::intelligent,
                                                         PerfClass::supercomputing};

enum class KernelKind { gemm, fft, stencil, peak, stream };
inline constexpr std::array<KernelKind, 5> kAllKernels = {
    KernelKind::gemm, KernelKind::fft, KernelKind::stencil, KernelKind::peak, KernelKind::stream};

std::string_view to_string(Precision p);
std::string_view to_string(PerfClass c);
std::string_view to_string(KernelKind k);

std::optional<Precision> parse_precision(std::string_view s);
std::optional<PerfClass> parse_class(std::string_view s);
std::optional<KernelKind> parse_kernel(std::string_view s);

// fp64 -> supercomputing, fp32 -> basic, everything narrower -> intelligent.
PerfClass class_of(Precision p);

// INT8 is counted in OP/s, never mixed into FLOP/s.
inline bool counts_ops_not_flops(Precision p) {
  return p == Precision::int8;
}
inline std::string_view rate_unit(Precision p) {
  return counts_ops_not_flops(p) ? "OP/s" : "FLOP/s";
}

}  // namespace flopscope
