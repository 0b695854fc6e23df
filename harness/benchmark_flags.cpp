#include "harness/benchmark_flags.h"

#include <filesystem>
#include <map>
#include <regex>

#include "harness/errors.h"

namespace flopscope {

namespace {
enum class Kind { filter, positive_int, seconds, boolean, format, time_unit, path, color };

const std::map<std::string, Kind>& known_flags() {
  static const std::map<std::string, Kind> flags = {
      {"benchmark_filter", Kind::filter},
      {"benchmark_min_time", Kind::seconds},
      {"benchmark_min_warmup_time", Kind::seconds},
      {"benchmark_repetitions", Kind::positive_int},
      {"benchmark_enable_random_interleaving", Kind::boolean},
      {"benchmark_format", Kind::format},
      {"benchmark_out_format", Kind::format},
      {"benchmark_out", Kind::path},
      {"benchmark_color", Kind::color},
      {"benchmark_counters_tabular", Kind::boolean},
      {"benchmark_time_unit", Kind::time_unit},
  };
  return flags;
}

// Flags Google Benchmark knows that flopscope refuses, and why. Either of
// these hid the repetitions from the reporter that collects them: every
// figure came out "skipped", and the run still exited 0.
const std::map<std::string, std::string>& refused_flags() {
  static const std::string hides =
      "it would hide the repetitions that flopscope's figures, cv and checks are made of";
  static const std::map<std::string, std::string> flags = {
      {"benchmark_report_aggregates_only", hides},
      {"benchmark_display_aggregates_only", hides},
  };
  return flags;
}

bool value_ok(Kind kind, const std::string& v) {
  switch (kind) {
    // Google Benchmark compiles the filter as a POSIX extended regex and,
    // when that fails, prints its error once per benchmark and skips them all.
    case Kind::filter:
      try {
        std::regex(v, std::regex::extended);
        return true;
      } catch (const std::regex_error&) {
        return false;
      }
    case Kind::positive_int:
      return std::regex_match(v, std::regex("[1-9][0-9]{0,5}"));
    // 1.7 reads a number of seconds; 1.8 also "2s" or an iteration count "100x".
    case Kind::seconds:
      return std::regex_match(v, std::regex("([0-9]+(\\.[0-9]*)?|\\.[0-9]+)s?"));
    case Kind::boolean:
      return std::regex_match(v, std::regex("true|false|1|0|yes|no"));
    case Kind::format:
      return v == "console" || v == "json" || v == "csv";
    case Kind::time_unit:
      return v == "ns" || v == "us" || v == "ms" || v == "s";
    case Kind::color:
      return std::regex_match(v, std::regex("true|false|auto|yes|no|1|0"));
    case Kind::path: {
      // Google Benchmark opens it itself, so a device (/dev/stdout) is
      // fine; checked without creating anything: a run refused later must
      // leave no file.
      if (v.empty() || std::filesystem::is_directory(v)) return false;
      const auto parent = std::filesystem::path(v).parent_path();
      return parent.empty() || std::filesystem::is_directory(parent);
    }
  }
  return false;
}
}  // namespace

void validate_benchmark_flags(const std::vector<std::string>& flags) {
  static const std::regex form("--(benchmark_[a-z_]+)(=(.*))?");
  for (const auto& f : flags) {
    std::smatch m;
    if (!std::regex_match(f, m, form))
      throw UsageError("after --: '" + f + "' is not a --benchmark_* flag");
    if (auto no = refused_flags().find(m[1].str()); no != refused_flags().end())
      throw UsageError("after --: --" + m[1].str() + " is not accepted: " + no->second);
    auto it = known_flags().find(m[1].str());
    if (it == known_flags().end())
      throw UsageError("after --: unknown Google Benchmark flag '--" + m[1].str() + "'");
    if (!m[2].matched)
      throw UsageError("after --: '" + f + "' needs a value (--" + m[1].str() + "=VALUE)");
    if (!value_ok(it->second, m[3].str())) throw UsageError("after --: bad value in '" + f + "'");
  }
}

bool has_benchmark_flag(const std::vector<std::string>& flags, const std::string& name) {
  const std::string prefix = "--benchmark_" + name + "=";
  for (const auto& f : flags)
    if (f.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace flopscope
