#include "harness/plan.h"

#include <charconv>
#include <regex>
#include <sstream>

#include "harness/errors.h"

namespace flopscope {

std::vector<std::string> split_list(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

std::vector<DeviceSelector> parse_device_list(const std::string& text) {
  if (text == "all") return {};
  if (text.empty()) throw UsageError("--devices: empty list");
  std::vector<DeviceSelector> out;
  // cpu, cpu0, cuda, cuda:0, hip, hip:3. The CPU is numbered like hwloc's
  // machine (cpu0); GPUs like their runtime (cuda:N).
  for (const auto& item : split_list(text, ',')) {
    std::smatch m;
    // std::regex has no lookbehind: check the two forms by hand.
    static const std::regex cpu_form(R"(^cpu([0-9]{1,4})?$)");
    static const std::regex gpu_form(R"(^(cuda|hip)(?::([0-9]{1,4}))?$)");
    DeviceSelector sel;
    if (std::regex_match(item, m, cpu_form)) {
      sel.kind = "cpu";
      if (m[1].matched) sel.index = std::stoi(m[1].str());
    } else if (std::regex_match(item, m, gpu_form)) {
      sel.kind = m[1].str();
      if (m[2].matched) sel.index = std::stoi(m[2].str());
    } else {
      throw UsageError(
          "--devices: '" + item +
          "' is not a device name (expected all, cpu, cpu0, cuda, cuda:N, hip, hip:N)");
    }
    // A device named twice ("cpu0,cpu0", "cuda,cuda:1") would be measured
    // twice and counted twice in every total.
    for (const auto& before : out)
      if (before.kind == sel.kind && (!before.index || !sel.index || before.index == sel.index))
        throw UsageError("--devices: '" + item + "' overlaps an earlier entry of the list");
    out.push_back(sel);
  }
  return out;
}

std::set<KernelKind> parse_kernel_list(const std::string& text) {
  std::set<KernelKind> out;
  if (text == "all") return {kAllKernels.begin(), kAllKernels.end()};
  if (text.empty()) throw UsageError("--kernels: empty list");
  for (const auto& item : split_list(text, ',')) {
    auto k = parse_kernel(item);
    if (!k)
      throw UsageError("--kernels: unknown kernel '" + item +
                       "' (gemm, fft, stencil, peak, stream)");
    out.insert(*k);
  }
  return out;
}

std::set<Precision> parse_precision_selection(const std::string& precisions,
                                              const std::string& classes) {
  std::set<Precision> by_precision, by_class;
  if (precisions == "all") {
    by_precision = {kAllPrecisions.begin(), kAllPrecisions.end()};
  } else {
    for (const auto& item : split_list(precisions, ',')) {
      auto p = parse_precision(item);
      if (!p)
        throw UsageError("--precisions: unknown precision '" + item +
                         "' (fp64, fp32, tf32, fp16, bf16, fp8, int8)");
      by_precision.insert(*p);
    }
  }
  if (classes == "all") {
    by_class = {kAllPrecisions.begin(), kAllPrecisions.end()};
  } else {
    for (const auto& item : split_list(classes, ',')) {
      auto c = parse_class(item);
      if (!c)
        throw UsageError("--classes: unknown class '" + item +
                         "' (basic, intelligent, supercomputing)");
      for (Precision p : kAllPrecisions)
        if (class_of(p) == *c) by_class.insert(p);
    }
  }
  std::set<Precision> out;
  for (Precision p : by_precision)
    if (by_class.count(p)) out.insert(p);
  if (out.empty()) throw UsageError("--precisions and --classes select no precision together");
  return out;
}

std::vector<std::vector<int64_t>> parse_size_list(const std::string& text) {
  std::vector<std::vector<int64_t>> out;
  if (text.empty()) return out;
  // 2^40 elements in one dimension is beyond any device's memory: reject it
  // here rather than fail an allocation later.
  constexpr int64_t kAbsurd = int64_t{1} << 40;
  for (const auto& item : split_list(text, ',')) {
    if (item.empty()) throw UsageError("--sizes: empty entry in '" + text + "'");
    std::vector<int64_t> dims;
    for (const auto& d : split_list(item, 'x')) {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
      if (d.empty() || ec != std::errc() || ptr != d.data() + d.size())
        throw UsageError("--sizes: '" + item +
                         "' is not a size (expected N or MxNxK, positive integers)");
      if (v <= 0) throw UsageError("--sizes: '" + item + "' must be positive");
      if (v >= kAbsurd) throw UsageError("--sizes: '" + item + "' is absurdly large");
      dims.push_back(v);
    }
    if (dims.size() > 3) throw UsageError("--sizes: '" + item + "' has more than 3 dimensions");
    out.push_back(dims);
  }
  return out;
}

}  // namespace flopscope
