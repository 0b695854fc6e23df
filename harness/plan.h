// What a run will measure: the selected devices, kernels, precisions and
// sizes, resolved from the command line against the devices present.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/backend.h"

namespace flopscope {

struct RunOptions {
  std::string devices = "all";
  std::string kernels = "all";
  std::string precisions = "all";
  std::string classes = "all";
  std::string sizes;  // empty: each kernel's defaults
  std::string implementation;
  bool quick = false;
  bool quiet = false;
  std::string output;
  std::string csv;
  std::vector<std::string> benchmark_flags;  // after "--"
  std::string duration;                      // --duration: soak each item this long (30s, 10m, 1h)
  bool concurrent = false;                   // --concurrent: every device at once
  std::string reference;                     // --reference: certify the run against this file
};

struct DeviceSelector {
  std::string kind;          // "cpu", "cuda", "hip"
  std::optional<int> index;  // nullopt: every device of the kind
};

// A comma (or `sep`) separated option value, in order; a trailing separator
// gives a last empty item, so "a," is caught as a mistake, not read as "a".
std::vector<std::string> split_list(const std::string& s, char sep = ',');

// Parses --devices. Throws UsageError for malformed names or unknown kinds
// ("gpu0", "cuda:x", "cpu-1"); "all" gives an empty list.
std::vector<DeviceSelector> parse_device_list(const std::string& text);
std::set<KernelKind> parse_kernel_list(const std::string& text);
// Precisions selected by --precisions and --classes together (intersection).
std::set<Precision> parse_precision_selection(const std::string& precisions,
                                              const std::string& classes);
// --sizes: "4096,8192" or shapes "512x256x128"; each entry one or more dims.
// Throws UsageError for zero, negative, non-numeric or absurd values.
std::vector<std::vector<int64_t>> parse_size_list(const std::string& text);

struct PlannedRun {
  Backend* backend;
  Device device;
  KernelRequest request;
};

}  // namespace flopscope
