// Harness pieces that need no device: parsing of selections, sizes and
// flags, statistics, efficiency, class summary, atomic writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/atomic_file.h"
#include "harness/benchmark_flags.h"
#include "harness/class_summary.h"
#include "harness/efficiency.h"
#include "harness/errors.h"
#include "harness/kernel_run.h"
#include "harness/measurement.h"
#include "harness/plan.h"
#include "harness/reports.h"
#include "harness/statistics.h"
#include "harness/units.h"

using namespace flopscope;

TEST(Precision, ClassesAndSpelling) {
  EXPECT_EQ(class_of(Precision::fp64), PerfClass::supercomputing);
  EXPECT_EQ(class_of(Precision::fp32), PerfClass::basic);
  for (Precision p :
       {Precision::tf32, Precision::fp16, Precision::bf16, Precision::fp8, Precision::int8})
    EXPECT_EQ(class_of(p), PerfClass::intelligent);
  for (Precision p : kAllPrecisions) EXPECT_EQ(parse_precision(to_string(p)), p);
  EXPECT_EQ(rate_unit(Precision::int8), "OP/s");
  EXPECT_FALSE(parse_precision("fp128"));
}

TEST(Plan, DeviceNames) {
  auto all = parse_device_list("all");
  EXPECT_TRUE(all.empty());
  auto l = parse_device_list("cpu0,cuda:1,hip");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].kind, "cpu");
  EXPECT_EQ(*l[0].index, 0);
  EXPECT_EQ(l[1].kind, "cuda");
  EXPECT_EQ(*l[1].index, 1);
  EXPECT_FALSE(l[2].index);
  for (const char* bad : {"gpu0", "cuda:x", "cpu-1", "cuda0", "cpu:0", "", "cpu0,", "tpu:1"})
    EXPECT_THROW(parse_device_list(bad), UsageError) << bad;
}

TEST(Plan, DeviceNamedTwiceIsRefused) {
  for (const char* twice : {"cpu0,cpu0", "cpu,cpu0", "cuda:1,cuda", "hip:0,hip:0"})
    EXPECT_THROW(parse_device_list(twice), UsageError) << twice;
  EXPECT_EQ(parse_device_list("cuda:0,cuda:1").size(), 2u);
}

TEST(Plan, KernelsPrecisionsClasses) {
  EXPECT_EQ(parse_kernel_list("all").size(), 5u);
  EXPECT_THROW(parse_kernel_list(""), UsageError);
  EXPECT_THROW(parse_kernel_list("gemm,dgemm"), UsageError);
  auto p = parse_precision_selection("all", "supercomputing,basic");
  EXPECT_EQ(p, (std::set<Precision>{Precision::fp64, Precision::fp32}));
  EXPECT_THROW(parse_precision_selection("fp64", "basic"), UsageError);
  EXPECT_THROW(parse_precision_selection("fp64", "science"), UsageError);
}

TEST(Plan, Sizes) {
  auto s = parse_size_list("4096,512x256x128");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1], (std::vector<int64_t>{512, 256, 128}));
  for (const char* bad : {"0", "-5", "abc", "12x", "1x2x3x4", "1099511627776", "4096,,8", "3.5"})
    EXPECT_THROW(parse_size_list(bad), UsageError) << bad;
}

TEST(Units, ClockAndDuration) {
  EXPECT_DOUBLE_EQ(*parse_clock_hz("2.4GHz"), 2.4e9);
  EXPECT_DOUBLE_EQ(*parse_clock_hz("2400MHz"), 2.4e9);
  EXPECT_FALSE(parse_clock_hz("fast"));
  EXPECT_FALSE(parse_clock_hz("-1GHz"));
  // Outside 1 MHz .. 100 GHz is a typo, not a processor.
  EXPECT_FALSE(parse_clock_hz("1e300GHz"));
  EXPECT_FALSE(parse_clock_hz("1e-300"));
  EXPECT_FALSE(parse_clock_hz("500Hz"));
  EXPECT_DOUBLE_EQ(*parse_duration_s("10m"), 600);
  EXPECT_DOUBLE_EQ(*parse_duration_s("30s"), 30);
  EXPECT_EQ(format_rate(1.234e11, "FLOP/s"), "123.4 GFLOP/s");
}

TEST(BenchmarkFlags, Validation) {
  EXPECT_NO_THROW(validate_benchmark_flags({"--benchmark_repetitions=3", "--benchmark_min_time=0.5",
                                            "--benchmark_min_time=2s", "--benchmark_filter=peak"}));
  EXPECT_THROW(validate_benchmark_flags({"--benchmark_repetitions=0"}), UsageError);
  EXPECT_THROW(validate_benchmark_flags({"--benchmark_nonsense=1"}), UsageError);
  EXPECT_THROW(validate_benchmark_flags({"--benchmark_min_time=fast"}), UsageError);
  EXPECT_THROW(validate_benchmark_flags({"--benchmark_format=xml"}), UsageError);
  EXPECT_THROW(validate_benchmark_flags({"--verbose"}), UsageError);
  // Aggregates only would hide the repetitions from flopscope's reporter:
  // every figure read "skipped" and the run exited 0.
  for (const char* f :
       {"--benchmark_report_aggregates_only=true", "--benchmark_display_aggregates_only=true"}) {
    try {
      validate_benchmark_flags({f});
      ADD_FAILURE() << f << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("would hide the repetitions"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(validate_benchmark_flags({"--benchmark_out=/nonexistent-dir/x.json"}), UsageError);
  // A filter Google Benchmark cannot compile would skip every benchmark.
  EXPECT_THROW(validate_benchmark_flags({"--benchmark_filter=("}), UsageError);
  EXPECT_NO_THROW(validate_benchmark_flags({"--benchmark_filter=gemm|fft"}));
  // Checking --benchmark_out leaves no file behind.
  const auto out = std::filesystem::temp_directory_path() /
                   ("flopscope-gbout-" + std::to_string(getpid()) + ".json");
  EXPECT_NO_THROW(validate_benchmark_flags({"--benchmark_out=" + out.string()}));
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_TRUE(has_benchmark_flag({"--benchmark_repetitions=3"}, "repetitions"));
}

TEST(Statistics, MedianBestCv) {
  auto s = summarize({1, 3, 2, 4});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.best, 4);
  EXPECT_NEAR(s.cv, 0.5164, 1e-3);
  EXPECT_EQ(summarize({5}).cv, 0);
}

namespace {
Device cpu_device_at(double clock_hz, ClockSource src) {
  Device d;
  d.id = "cpu0";
  d.kind = "cpu";
  UnitPeak u;
  u.units = 2;
  u.ops_per_cycle_per_unit = 16;
  u.clock_hz = clock_hz;
  u.clock_source = src;
  u.table_entry = "test";
  d.peaks[Precision::fp64].vector = u;
  return d;
}
Measurement measured(KernelKind k, double flops, std::optional<double> clock) {
  Measurement m;
  m.device = "cpu0";
  m.kernel = k;
  m.precision = Precision::fp64;
  m.status = MeasurementStatus::ok;
  m.verification.checked = m.verification.passed = true;
  m.median_flops = flops;
  m.clock_hz = clock;
  return m;
}
}  // namespace

TEST(Efficiency, ThreeDenominatorsAndSuspectFlag) {
  Device d = cpu_device_at(3e9, ClockSource::measured_under_load);
  d.spec_peaks = cpu_device_at(2.5e9, ClockSource::spec_base).peaks;
  std::vector<Measurement> ms = {measured(KernelKind::peak, 96e9, 3e9),
                                 measured(KernelKind::gemm, 80e9, 3e9)};
  apply_efficiency(ms, {d});
  EXPECT_NEAR(*ms[0].efficiency.clock, 1.0, 1e-9);
  EXPECT_NEAR(*ms[0].efficiency.spec, 96.0 / 80.0, 1e-9);
  EXPECT_FALSE(ms[0].flags.empty());  // 120% of the spec peak is suspect
  EXPECT_NEAR(*ms[1].efficiency.measured_peak, 80.0 / 96.0, 1e-9);
  EXPECT_NEAR(*ms[1].efficiency.clock, 80.0 / 96.0, 1e-9);
}

// The peak kernel's best repetition is the denominator: on a shared machine
// its median is pulled down by other processes, and a GEMM would read a
// higher share of it than of what the units can do.
TEST(Efficiency, MeasuredPeakIsThePeakKernelsBestRepetition) {
  Device d = cpu_device_at(3e9, ClockSource::measured_under_load);
  auto chain = measured(KernelKind::peak, 72e9, 3e9);
  chain.best_flops = 94e9;
  std::vector<Measurement> ms = {chain, measured(KernelKind::gemm, 67e9, 3e9)};
  apply_efficiency(ms, {d});
  EXPECT_NEAR(*ms[1].efficiency.measured_peak, 67.0 / 94.0, 1e-9);
  EXPECT_NEAR(*ms[0].efficiency.measured_peak, 72.0 / 94.0, 1e-9);
}

// A GPU whose FP64 tensor cores are twice its FP64 vector units (H100-like):
// a tensor-core DGEMM is set against the matrix peak, and never against a
// measured FMA chain on the vector units (that read 170% on an H200).
TEST(Efficiency, MeasuredPeakOnlyOnTheSameUnits) {
  Device d;
  d.id = "cuda:0";
  d.kind = "cuda";
  UnitPeak vec, mat;
  vec.units = mat.units = 132;
  vec.ops_per_cycle_per_unit = 128;
  mat.ops_per_cycle_per_unit = 256;
  vec.clock_hz = mat.clock_hz = 1.98e9;
  vec.clock_source = mat.clock_source = ClockSource::spec_boost;
  vec.table_entry = mat.table_entry = "test";
  d.peaks[Precision::fp64].vector = vec;
  d.peaks[Precision::fp64].matrix = mat;
  auto chain = measured(KernelKind::peak, 33e12, std::nullopt);
  chain.device = "cuda:0";
  chain.peak_unit = PeakUnit::vector;
  auto dgemm = measured(KernelKind::gemm, 56e12, std::nullopt);
  dgemm.device = "cuda:0";  // PeakUnit::best: the matrix units here
  std::vector<Measurement> ms = {chain, dgemm};
  apply_efficiency(ms, {d});
  EXPECT_EQ(ms[0].efficiency.unit, "vector");
  EXPECT_EQ(ms[1].efficiency.unit, "matrix");
  EXPECT_FALSE(ms[1].efficiency.measured_peak.has_value());
  EXPECT_NEAR(*ms[1].efficiency.clock, 56e12 / (132 * 256 * 1.98e9), 1e-9);
  // A matrix-unit chain of the same precision is the DGEMM's measured peak.
  auto mma = chain;
  mma.peak_unit = PeakUnit::matrix;
  mma.median_flops = 64e12;
  ms = {chain, mma, dgemm};
  apply_efficiency(ms, {d});
  ASSERT_TRUE(ms[2].efficiency.measured_peak.has_value());
  EXPECT_NEAR(*ms[2].efficiency.measured_peak, 56.0 / 64.0, 1e-9);
}

TEST(ClassSummary, GemmHeadlineAndUnverifiedNeverCounted) {
  auto good = measured(KernelKind::gemm, 80e9, 3e9);
  auto peak = measured(KernelKind::peak, 96e9, 3e9);
  auto bad = measured(KernelKind::gemm, 500e9, 3e9);
  bad.status = MeasurementStatus::not_verified;
  auto j = summarize_classes({good, peak, bad}, {"cpu0"});
  EXPECT_DOUBLE_EQ(j["supercomputing"]["flops"].get<double>(), 80e9);
  EXPECT_EQ(j["supercomputing"]["kernel"], "gemm");
  EXPECT_TRUE(j["basic"]["flops"].is_null());
  auto only_peak = summarize_classes({peak}, {"cpu0"});
  EXPECT_EQ(only_peak["supercomputing"]["kernel"], "peak");
}

// Each device's headline carries its efficiency, and the class is set
// against the sum of the peaks the figures were judged by: a figure over its
// efficiency, whatever units (matrix or vector) that was.
TEST(ClassSummary, OfPeakSumsThePeaksEachHeadlineWasJudgedBy) {
  auto a = measured(KernelKind::gemm, 60e9, 3e9);
  a.efficiency.clock = 0.6;  // judged by a 100 GFLOP/s peak
  a.efficiency.spec = 0.5;
  a.efficiency.unit = "matrix";
  auto smaller = a;  // not the headline: the best GEMM is
  smaller.median_flops = 50e9;
  smaller.efficiency.clock = 0.99;
  auto b = measured(KernelKind::gemm, 30e9, 3e9);
  b.device = "cpu1";
  b.efficiency.clock = 0.6;  // a 50 GFLOP/s peak; no spec clock known
  const std::vector<Measurement> ms = {smaller, a, b};
  EXPECT_EQ(class_headline(ms, "cpu0", PerfClass::supercomputing), &ms[1]);
  EXPECT_EQ(class_headline(ms, "cpu1", PerfClass::basic), nullptr);

  auto j = summarize_classes(ms, {"cpu0", "cpu1"})["supercomputing"];
  EXPECT_DOUBLE_EQ(j["per_device_efficiency"]["cpu0"]["clock"].get<double>(), 0.6);
  EXPECT_EQ(j["per_device_efficiency"]["cpu0"]["unit"], "matrix");
  EXPECT_TRUE(j["per_device_efficiency"]["cpu1"]["spec"].is_null());
  EXPECT_DOUBLE_EQ(j["of_peak"]["clock"].get<double>(), 90e9 / 150e9);
  EXPECT_TRUE(j["of_peak"]["spec"].is_null()) << "cpu1 has no spec efficiency";
  // No figure, no fraction; a device missing from the efficiencies spoils it.
  EXPECT_TRUE(summarize_classes(ms, {"cpu0"})["basic"]["of_peak"]["clock"].is_null());
  EXPECT_TRUE(class_of_peak({{"cpu0", 1e9}}, nlohmann::json::object())["clock"].is_null());
  EXPECT_DOUBLE_EQ(
      class_of_peak({{"cpu0", 1e9}}, {{"cpu0", {{"spec", 0.25}}}})["spec"].get<double>(), 0.25);
}

// One reading of "this figure counts" for every reader of a result file: a
// hand-edited "ok" without a passed check is not valid, and says so.
TEST(ResultFile, ValidFigureNeedsStatusOkAndAPassedCheck) {
  const nlohmann::json good = {{"status", "ok"}, {"verified", true}};
  EXPECT_TRUE(valid_figure(good));
  EXPECT_EQ(figure_status(good), "ok");
  for (const auto& [m, status] : std::vector<std::pair<nlohmann::json, std::string>>{
           {{{"status", "ok"}, {"verified", false}}, "not_verified"},
           {{{"status", "ok"}}, "not_verified"},
           {{{"status", "ok"}, {"verified", "true"}}, "not_verified"},
           {{{"status", "failed"}, {"verified", true}}, "failed"},
           {{{"verified", true}}, "?"},
           {nlohmann::json::array(), "?"}}) {
    EXPECT_FALSE(valid_figure(m)) << m;
    EXPECT_EQ(figure_status(m), status) << m;
  }
}

// Every row's cells line up whatever the lengths of sizes and library
// names: each column is as wide as its widest cell, and the implementation,
// the longest, comes last.
TEST(MeasurementTable, ColumnsLineUpWithLongSizesAndNames) {
  auto dgemm = measured(KernelKind::gemm, 80e9, 3e9);
  dgemm.implementation = "onednn-2.6.3 matmul gemm:jit isa=avx2 weights=pre-packed";
  auto stencil = measured(KernelKind::stencil, 12.5e9, 3e9);
  stencil.size.dims = {{"nx", 192}, {"ny", 192}, {"nz", 192}};
  stencil.size.variant = "25-point";
  stencil.implementation = "x";
  std::ostringstream os;
  print_measurement_table(os, {dgemm, stencil});
  std::istringstream in(os.str());
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("cpu0 ", 0) == 0 || line.rfind("device ", 0) == 0) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << os.str();
  // The right edge of the median column and the start of the status.
  const size_t median_end = rows[0].find("median") + 6, status = rows[0].find("status");
  for (const auto& r : rows) {
    EXPECT_NE(r[median_end - 1], ' ') << r;
    EXPECT_EQ(r[median_end], ' ') << r;
    EXPECT_EQ(r.compare(status, 6, r == rows[0] ? "status" : "verifi"), 0) << r;
  }
  EXPECT_EQ(rows[1].substr(rows[1].size() - dgemm.implementation.size()), dgemm.implementation);
  EXPECT_NE(rows[2].find("25-point,nx=192,ny=192,nz=192 "), std::string::npos) << rows[2];
}

// A figure whose repetitions disagree by more than kNoisyCv is marked in
// the status column and explained under its row; a steady one is not, and
// neither is a failed one, whatever its spread.
TEST(MeasurementTable, NoisyFiguresAreMarkedAndExplained) {
  auto noisy = measured(KernelKind::gemm, 80e9, 3e9);
  noisy.cv = 0.0666;
  noisy.repetition_flops = {70e9, 80e9, 81e9, 90e9, 79e9};
  auto steady = measured(KernelKind::stencil, 12.5e9, 3e9);
  steady.cv = 0.01;
  auto failed = noisy;
  failed.kernel = KernelKind::fft;
  failed.status = MeasurementStatus::not_verified;
  std::ostringstream os;
  print_measurement_table(os, {noisy, steady, failed});
  const std::string t = os.str();
  std::istringstream in(t);
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("cpu0 ", 0) == 0) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << t;
  EXPECT_NE(rows[0].find("verified, noisy"), std::string::npos) << rows[0];
  EXPECT_EQ(rows[1].find("noisy"), std::string::npos) << rows[1];
  EXPECT_EQ(rows[2].find("noisy"), std::string::npos) << rows[2];
  EXPECT_NE(t.find("noisy: cv 6.7% over 5 repetitions (above 5%)"), std::string::npos) << t;
  EXPECT_EQ(t.find("noisy: cv", t.find("noisy: cv") + 1), std::string::npos) << t;  // once only
}

// A class without its headline precision still shows the GEMMs beside it
// (a CPU with INT8 but no BF16/FP16), each in its own unit; other sizes of
// the headline precision are not repeated there.
TEST(ClassSummary, TableShowsTheGemmsBesideTheHeadline) {
  auto int8 = measured(KernelKind::gemm, 256e9, 3e9);
  int8.precision = Precision::int8;
  auto dgemm = measured(KernelKind::gemm, 80e9, 3e9);
  auto small_dgemm = measured(KernelKind::gemm, 60e9, 3e9);
  small_dgemm.size.dims = {{"n", 512}};
  std::ostringstream os;
  print_class_table(os, summarize_classes({int8, dgemm, small_dgemm}, {"cpu0"}));
  const std::string t = os.str();
  EXPECT_NE(t.find("no verified FP16/BF16 figure, the class's headline\n"), std::string::npos) << t;
  EXPECT_NE(t.find("basic                          -  no verified figure for this class\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("beside: gemm int8 256 GOP/s"), std::string::npos) << t;
  EXPECT_EQ(t.find("beside: gemm fp64"), std::string::npos) << t;
  // No efficiency known: no fraction of peak.
  EXPECT_EQ(t.find("of peak"), std::string::npos) << t;

  dgemm.efficiency.clock = 0.8;
  dgemm.efficiency.spec = 0.9;
  std::ostringstream with;
  print_class_table(with, summarize_classes({dgemm}, {"cpu0"}));
  EXPECT_NE(with.str().find("gemm fp64, 80.0% of peak at the measured clock\n"), std::string::npos)
      << with.str();
  dgemm.efficiency.clock.reset();  // no clock measured: the spec clock's
  std::ostringstream spec;
  print_class_table(spec, summarize_classes({dgemm}, {"cpu0"}));
  EXPECT_NE(spec.str().find("gemm fp64, 90.0% of peak at spec\n"), std::string::npos) << spec.str();
}

TEST(AtomicFile, WritesWholeOrRefuses) {
  auto dir = std::filesystem::temp_directory_path() / "flopscope-atomic-test";
  std::filesystem::create_directories(dir);
  auto path = (dir / "out.json").string();
  write_file_atomically(path, "{\"a\": 1}\n");
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "{\"a\": 1}\n");
  EXPECT_THROW(check_writable("/nonexistent-folder/x.json", "--output"), UsageError);
  EXPECT_THROW(check_writable(dir.string(), "--output"), UsageError);
  EXPECT_THROW(write_file_atomically("/nonexistent-folder/x.json", "x"), UsageError);
  for (auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// A device node is never replaced by a result (rename would do it, and root
// passes every access() check), a link keeps pointing at the result, and
// two outputs naming one file are refused before the run.
TEST(AtomicFile, SpecialFilesLinksAndCollisions) {
  namespace fs = std::filesystem;
  EXPECT_THROW(check_writable("/dev/null", "--output"), UsageError);
  EXPECT_THROW(write_file_atomically("/dev/null", "x"), UsageError);
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  const auto dir = fs::temp_directory_path() / ("flopscope-links-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto target = dir / "target.json", link = dir / "link.json";
  write_file_atomically(target.string(), "old\n");
  fs::create_symlink(target, link);
  EXPECT_NO_THROW(check_writable(link.string(), "--output"));
  write_file_atomically(link.string(), "new\n");
  EXPECT_TRUE(fs::is_symlink(link));
  std::ifstream in(target);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "new\n");
  EXPECT_THROW(require_distinct_files({{"--output", target.string()}, {"--csv", link.string()}}),
               UsageError);
  EXPECT_THROW(require_distinct_files({{"--output", (dir / "a.json").string()},
                                       {"--csv", (dir / "." / "a.json").string()}}),
               UsageError);
  EXPECT_NO_THROW(require_distinct_files({{"--output", (dir / "a.json").string()},
                                          {"--csv", (dir / "a.csv").string()},
                                          {"--reference", ""}}));
  // Probing the folder leaves nothing in it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
  // Files that do not exist yet, spelled relative and absolute.
  const auto cwd = fs::current_path();
  fs::current_path(dir);
  EXPECT_THROW(require_distinct_files({{"--output", "r.json"}, {"--csv", "./r.json"}}), UsageError);
  EXPECT_THROW(
      require_distinct_files({{"--output", "r.json"}, {"--csv", (dir / "r.json").string()}}),
      UsageError);
  // A dangling link is followed too: the result lands at its target.
  fs::create_directories(dir / "sub");
  fs::create_symlink("sub/new.json", dir / "dangling.json");
  write_file_atomically("dangling.json", "x\n");
  EXPECT_TRUE(fs::is_symlink(dir / "dangling.json"));
  EXPECT_TRUE(fs::is_regular_file(dir / "sub" / "new.json"));
  // A fallback file is always new: never through a link, never over a file.
  const std::string saved = write_new_file("run.json.saved", "y\n");
  const std::string again = write_new_file("run.json.saved", "y\n");
  EXPECT_EQ(saved.rfind("run.json.saved-", 0), 0u) << saved;
  EXPECT_NE(saved, again);
  EXPECT_TRUE(fs::is_regular_file(saved) && fs::is_regular_file(again));
  fs::current_path(cwd);
  fs::remove_all(dir);
}

// A forced --implementation at a kernel with one implementation: a prefix of
// its name, case aside, runs it; anything else is refused with what it has.
namespace {
class NamedRun final : public KernelRun {
 public:
  std::string implementation() const override { return "cuFFT 12.0, Z2Z"; }
  double flop_per_iteration() const override { return 1; }
  double bytes_per_iteration() const override { return 0; }
  double run(int64_t) override { return 1; }
  Verification verify() override { return {true, true, 0, 0, "ok"}; }
};
}  // namespace

TEST(Implementation, ForcedNameMustBeginTheImplementation) {
  KernelRequest r;
  r.kernel = KernelKind::fft;
  std::string why = "untouched";
  EXPECT_NE(only_if_named(std::make_unique<NamedRun>(), r, &why), nullptr);  // nothing forced
  for (const char* name : {"cufft", "cuFFT 12", "CUFFT 12.0, Z2Z"}) {
    r.implementation = name;
    EXPECT_NE(only_if_named(std::make_unique<NamedRun>(), r, &why), nullptr) << name;
  }
  EXPECT_EQ(why, "untouched");
  for (const char* name : {"fftw", "cufft 13", "cuFFT 12.0, Z2Z and more", "FFT"}) {
    r.implementation = name;
    EXPECT_EQ(only_if_named(std::make_unique<NamedRun>(), r, &why), nullptr) << name;
    EXPECT_EQ(why, "no implementation '" + std::string(name) +
                       "' for fft here; available: cuFFT 12.0, Z2Z");
  }
  // A factory that already refused keeps its own reason.
  why = "cuFFT unavailable";
  EXPECT_EQ(only_if_named(nullptr, r, &why), nullptr);
  EXPECT_EQ(why, "cuFFT unavailable");
}

// Separators count as one (a CLI name has no spaces), and a kernel whose
// implementation always begins the same way refuses a foreign name before
// it is built.
TEST(Implementation, SeparatorsAsideAndRefusedBeforeBuilding) {
  KernelRequest r;
  r.kernel = KernelKind::fft;
  std::string why;
  r.implementation = "CUFFT_12.0,-z2z";
  EXPECT_NE(only_if_named(std::make_unique<NamedRun>(), r, &why), nullptr);
  for (const char* name : {"cufft", "cuFFT 12.0, Z2Z", "cu"}) {
    r.implementation = name;
    EXPECT_TRUE(may_be_named(r, "cuFFT", &why)) << name;
  }
  r.implementation = "";
  EXPECT_TRUE(may_be_named(r, "cuFFT", &why));
  r.implementation = "rocfft";
  EXPECT_FALSE(may_be_named(r, "cuFFT", &why));
  EXPECT_EQ(why, "no implementation 'rocfft' for fft here; available: cuFFT ...");
}
