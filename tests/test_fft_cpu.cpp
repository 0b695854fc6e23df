// The CPU FFT: the check itself against a naive DFT, FFTW runs at odd and
// multi-dimensional sizes in both precisions, a corrupted output element
// fails, wisdom is kept, and sizes and names are refused when they must be.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cctype>
#include <cmath>
#include <complex>
#include <nlohmann/json.hpp>
#include <string>

#include "devices/cpu/cpu_isa.h"
#include "harness/errors.h"
#include "kernels/fft/cpu/fft_check.h"
#include "kernels/fft/cpu/fft_cpu.h"
#include "kernels/fft/cpu/fftw_library.h"
#include "kernels/fft/cpu/fftw_wisdom.h"
#include "kernels/fft/fft_spec.h"

using namespace flopscope;
using namespace flopscope::fft::cpu;

namespace {

// A fresh wisdom folder per test program, so tests never touch ~/.cache.
class FftTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (mkdtemp(dir_)) setenv("XDG_CACHE_HOME", dir_, 1);
  }
  static void TearDownTestSuite() {
    std::system((std::string("rm -rf ") + dir_).c_str());
    unsetenv("XDG_CACHE_HOME");
  }
  static inline char dir_[] = "/tmp/flopscope-fft-cache-XXXXXX";
};

flopscope::cpu::CpuContext context(uint64_t l3) {
  flopscope::cpu::CpuContext c;
  c.isa = flopscope::cpu::detect_cpu_isa();
  c.pus = {0};
  c.l3_bytes_total = l3;
  return c;
}

bool have_fftw() {
  std::string why;
  return load_fftw<double>(&why) != nullptr;
}

std::unique_ptr<KernelRun> make(Precision p, const std::vector<int64_t>& dims, uint64_t l3,
                                std::string* why) {
  auto ctx = context(l3);
  KernelRequest r;
  r.kernel = KernelKind::fft;
  r.precision = p;
  r.size = fft_size_from_user(ctx, p, dims, 64e9);
  return make_cpu_fft_run(ctx, r, why);
}

}  // namespace

TEST(FftSpec, FlopBytesAndBatch) {
  EXPECT_DOUBLE_EQ(fft::flop_count(1024, 3), 3 * 5.0 * 1024 * 10);
  EXPECT_DOUBLE_EQ(fft::compulsory_bytes(1024, 3, 16), 2.0 * 1024 * 3 * 16);
  // 2^20 FP64 points are 16 MiB; the input must exceed twice a 32 MiB L3.
  const int64_t b = fft_batch(1 << 20, 16, 32ull << 20);
  EXPECT_GT(b * (16ll << 20), 2 * (32ll << 20));
  EXPECT_EQ(b, 5);
  EXPECT_EQ(fft_batch(1 << 30, 16, 1 << 20), 1);
}

TEST(FftCheck, NaiveDftPassesAndCorruptionFails) {
  const FftShape s{{3, 4}, 2};
  const int64_t n = s.points();
  std::vector<double> x(static_cast<size_t>(2 * n * s.batch)), X(x.size()), back(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(1.0 + 0.7 * static_cast<double>(i));
  // Naive 2-D DFT of each transform; an exact round trip is N times the input.
  for (int64_t t = 0; t < s.batch; ++t)
    for (int64_t k0 = 0; k0 < 3; ++k0)
      for (int64_t k1 = 0; k1 < 4; ++k1) {
        std::complex<double> acc = 0;
        for (int64_t a = 0; a < 3; ++a)
          for (int64_t b = 0; b < 4; ++b) {
            const size_t i = static_cast<size_t>(2 * (t * n + a * 4 + b));
            const double ang =
                2 * M_PI * (static_cast<double>(a * k0) / 3 + static_cast<double>(b * k1) / 4);
            acc += std::complex<double>(x[i], x[i + 1]) * std::polar(1.0, -ang);
          }
        const size_t o = static_cast<size_t>(2 * (t * n + k0 * 4 + k1));
        X[o] = acc.real();
        X[o + 1] = acc.imag();
      }
  for (size_t i = 0; i < x.size(); ++i) back[i] = x[i] * static_cast<double>(n);
  EXPECT_LT(round_trip_error(x.data(), back.data(), s), 1e-15);
  Twiddles w(s.dims);
  for (std::vector<int64_t> bin : {std::vector<int64_t>{0, 0}, {2, 3}, {1, 2}})
    EXPECT_LT(bin_error(x.data(), X.data(), s, w, bin), 1e-14);
  X[2 * (1 * 4 + 2)] += 0.5;
  EXPECT_GT(bin_error(x.data(), X.data(), s, w, {1, 2}), 1e-3);
  back[5] += 1.0;
  EXPECT_GT(round_trip_error(x.data(), back.data(), s), 1e-3);
}

TEST_F(FftTest, FftwVerifiesAtOddAndMultiDimensionalSizes) {
  if (!have_fftw()) GTEST_SKIP() << "no libfftw3 here";
  for (Precision p : {Precision::fp64, Precision::fp32})
    for (const auto& dims :
         std::vector<std::vector<int64_t>>{{7}, {1024}, {6, 10}, {8, 8, 8}, {5, 9, 12}}) {
      std::string why;
      auto run = make(p, dims, 1 << 16, &why);
      ASSERT_TRUE(run) << why;
      EXPECT_GT(run->run(2), 0.0);
      auto v = run->verify();
      EXPECT_TRUE(v.valid()) << to_string(p) << " " << dims.size() << "-D: " << v.detail << " "
                             << v.max_error << " > " << v.tolerance;
      EXPECT_NE(run->implementation().find("fftw-3"), std::string::npos);
    }
}

TEST_F(FftTest, CorruptedElementFailsAnywhere) {
  if (!have_fftw()) GTEST_SKIP() << "no libfftw3 here";
  for (Precision p : {Precision::fp64, Precision::fp32})
    for (int64_t e : {0, 1, 77, 1000, 4095}) {
      std::string why;
      auto run = make(p, {1024}, 1 << 14, &why);  // elements modulo the output size
      ASSERT_TRUE(run) << why;
      run->run(1);
      ASSERT_TRUE(run->corrupt_output_for_test(e));
      EXPECT_FALSE(run->verify().valid()) << to_string(p) << " element " << e;
    }
}

TEST_F(FftTest, WisdomIsKept) {
  if (!have_fftw()) GTEST_SKIP() << "no libfftw3 here";
  std::string why;
  ASSERT_TRUE(make(Precision::fp64, {64}, 1 << 12, &why)) << why;
  const std::string path = wisdom_path("fp64");
  ASSERT_FALSE(path.empty());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0) << path;
  EXPECT_GT(st.st_size, 0);
  // The next run plans from it, and its result says so.
  auto again = make(Precision::fp64, {64}, 1 << 12, &why);
  ASSERT_TRUE(again) << why;
  const auto d = again->details();
  EXPECT_EQ(d.at("planner"), "FFTW_MEASURE");
  EXPECT_EQ(d.at("wisdom_file"), path);
  EXPECT_EQ(d.at("wisdom_imported"), true);
  EXPECT_GE(d.at("planning_seconds").get<double>(), 0.0);
}

TEST(FftCpu, RefusesWhatItCannotRun) {
  auto ctx = context(32 << 20);
  EXPECT_THROW(fft_size_from_user(ctx, Precision::fp64, {1}, 64e9), UsageError);
  EXPECT_THROW(fft_size_from_user(ctx, Precision::fp64, {1 << 16, 1 << 16}, 64e9), UsageError);
  // 2^28 points x 16 B x 3 arrays = 12 GiB: more than half of 16 GiB.
  EXPECT_THROW(fft_size_from_user(ctx, Precision::fp64, {1 << 28}, 16.0 * (1ll << 30)), UsageError);
  auto s = fft_size_from_user(ctx, Precision::fp32, {128, 128, 128}, 64e9);
  EXPECT_EQ(s.get("nx"), 128);
  EXPECT_GT(s.get("batch"), 0);
  KernelRequest r;
  r.kernel = KernelKind::fft;
  r.size = fft_size_from_user(ctx, Precision::fp64, {64}, 64e9);
  std::string why;
  r.precision = Precision::bf16;
  EXPECT_EQ(make_cpu_fft_run(ctx, r, &why), nullptr);
  EXPECT_FALSE(why.empty());
  r.precision = Precision::fp64;
  r.implementation = "cufft";
  EXPECT_EQ(make_cpu_fft_run(ctx, r, &why), nullptr);
  EXPECT_NE(why.find("available: fftw"), std::string::npos);
  if (have_fftw()) {
    // Not a beginning of the run's whole name: refused before planning
    // (the " ..." of may_be_named), not after it by only_if_named.
    r.implementation = "fftw3";
    why.clear();
    EXPECT_EQ(make_cpu_fft_run(ctx, r, &why), nullptr);
    EXPECT_NE(why.find("available: fftw-"), std::string::npos) << why;
    EXPECT_NE(why.find(" ..."), std::string::npos) << why;
    // A full name from an earlier result, in other case and separators,
    // still runs.
    r.implementation.clear();
    auto plain = make_cpu_fft_run(ctx, r, &why);
    ASSERT_TRUE(plain) << why;
    std::string full = plain->implementation();
    for (char& ch : full) ch = ch == ' ' ? '_' : static_cast<char>(std::toupper(ch));
    r.implementation = full;
    EXPECT_TRUE(make_cpu_fft_run(ctx, r, &why)) << full << ": " << why;
    // Another thread count, also refused before planning.
    r.implementation = plain->implementation();
    const size_t at = r.implementation.find("threads=");
    ASSERT_NE(at, std::string::npos);
    r.implementation.replace(at, std::string::npos, "threads=999");
    why.clear();
    EXPECT_EQ(make_cpu_fft_run(ctx, r, &why), nullptr);
    EXPECT_NE(why.find(" ..."), std::string::npos) << why;
  }
  auto sizes = default_fft_sizes(ctx, Precision::fp64, false);
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0].get("n"), 1 << 20);
  EXPECT_EQ(sizes[1].get("nz"), 128);
}
