#include "harness/precision.h"

namespace flopscope {

std::string_view to_string(Precision p) {
  switch (p) {
    case Precision::fp64:
      return "fp64";
    case Precision::fp32:
      return "fp32";
    case Precision::tf32:
      return "tf32";
    case Precision::fp16:
      return "fp16";
    case Precision::bf16:
      return "bf16";
    case Precision::fp8:
      return "fp8";
    case Precision::int8:
      return "int8";
  }
  return "?";
}

std::string_view to_string(PerfClass c) {
  switch (c) {
    case PerfClass::basic:
      return "basic";
    case PerfClass::intelligent:
      return "intelligent";
    case PerfClass::supercomputing:
      return "supercomputing";
  }
  return "?";
}

std::string_view to_string(KernelKind k) {
  switch (k) {
    case KernelKind::gemm:
      return "gemm";
    case KernelKind::fft:
      return "fft";
    case KernelKind::stencil:
      return "stencil";
    case KernelKind::peak:
      return "peak";
    case KernelKind::stream:
      return "stream";
  }
  return "?";
}

std::optional<Precision> parse_precision(std::string_view s) {
  for (Precision p : kAllPrecisions)
    if (to_string(p) == s) return p;
  return std::nullopt;
}

std::optional<PerfClass> parse_class(std::string_view s) {
  for (PerfClass c : kAllClasses)
    if (to_string(c) == s) return c;
  return std::nullopt;
}

std::optional<KernelKind> parse_kernel(std::string_view s) {
  for (KernelKind k : kAllKernels)
    if (to_string(k) == s) return k;
  return std::nullopt;
}

PerfClass class_of(Precision p) {
  switch (p) {
    case Precision::fp64:
      return PerfClass::supercomputing;
    case Precision::fp32:
      return PerfClass::basic;
    default:
      return PerfClass::intelligent;
  }
}

}  // namespace flopscope
