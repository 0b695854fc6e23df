// `flopscope certify`: a run against a reference. Every device the reference
// names must have been measured, verified and at or above its minimum, no
// further below its identical peers than the tolerance, and no soak may have
// dropped more than allowed. Exit 1 on any failure, 0 only when all passed.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "harness/reference.h"

namespace flopscope {

struct CertifyCheck {
  std::string device;    // "cpu0", "node3/cuda:5", a node ("node3"), or "run"
  std::string identity;  // PCI bus id, UUID, serial, or the model name
  std::string host;      // rack runs: the node's hostname ("" when not known)
  std::string check;     // "gemm fp64 sustained", "peers gemm fp64", "count", ...
  std::string figure;    // what the run has
  std::string required;  // what the reference asks
  bool passed = false;
  std::string why;  // for failures: why, in words
};

struct CertifyReport {
  std::vector<CertifyCheck> checks;
  int failures() const;
  bool passed() const { return failures() == 0; }
};

// `run` is a result document (single node or rack).
CertifyReport certify(const nlohmann::json& run, const Reference& ref);

// The table: every check, failures with their reason, then one summary line.
void print_certify_report(std::ostream& os, const CertifyReport& r, const std::string& run_name,
                          const Reference& ref);

}  // namespace flopscope
