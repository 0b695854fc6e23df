// The certification reference (results/schema/reference-1.schema.json):
// per device model or kind, minimum sustained figures per kernel and
// precision or per class, absolute or a fraction of a peak; a peer
// tolerance; a limit on a soak's drop; per-node class totals.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/precision.h"

namespace flopscope {

struct ReferenceMinimum {
  std::optional<KernelKind> kernel;  // with precision; or class alone
  std::optional<Precision> precision;
  std::optional<PerfClass> cls;
  std::optional<double> flops;             // absolute, FLOP/s (OP/s for int8)
  std::optional<double> bytes_per_second;  // absolute, B/s: kernel stream (copy and triad)
  std::optional<double> fraction;          // of the peak below
  bool spec_peak = true;                   // false: the peak at the measured clock
  std::string note;
  std::string what() const;  // "gemm fp64", "class supercomputing"
};

struct ReferenceDeviceRule {
  std::string kind, name, name_contains;  // match; empty: any
  std::string label;                      // for the table; default from the match
  std::optional<int> count_per_node;
  std::optional<double> peer_tolerance, max_drop;
  std::vector<ReferenceMinimum> minimums;
};

struct ReferenceNodeMinimum {
  PerfClass cls = PerfClass::supercomputing;
  double flops = 0;
};

struct Reference {
  std::string path, name, description, basis;
  double peer_tolerance = 0.05;
  std::optional<double> max_drop;
  bool require_soak = false;
  std::vector<ReferenceDeviceRule> devices;
  std::vector<ReferenceNodeMinimum> node_minimums;
};

// Reads and checks a reference. Throws UsageError (exit 2) naming the file,
// the line and the field at fault: "ref.json: line 14: devices[0].minimums[1]
// .flops: must be a number above 0 (FLOP/s)".
Reference load_reference(const std::string& path);
// The same for text already read (tests).
Reference parse_reference(const std::string& path, const std::string& text);

}  // namespace flopscope
