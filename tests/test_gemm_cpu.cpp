// The CPU GEMM: the check itself (passes real arithmetic, catches one
// corrupted element anywhere and narrower arithmetic), library discovery and
// configuration choice, sizes, and every library configuration that loads
// on this machine run in its own worker process at odd sizes.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>

#include "devices/cpu/cpu_isa.h"
#include "harness/errors.h"
#include "kernels/gemm/cpu/gemm_cpu.h"
#include "kernels/gemm/cpu/gemm_cpu_format.h"
#include "kernels/gemm/cpu/gemm_libraries.h"
#include "kernels/gemm/cpu/gemm_verify.h"
#include "kernels/gemm/cpu/own/own_gemm_engine.h"
#include "kernels/gemm/cpu/worker_setup.h"

using namespace flopscope;
using namespace flopscope::gemm::cpu;

namespace {

// C = A*B column-major, accumulated in Acc and stored as TC.
template <typename Acc, typename TA, typename TB, typename TC>
void naive_gemm(const std::vector<TA>& a, const std::vector<TB>& b, std::vector<TC>& c, int64_t m,
                int64_t n, int64_t k) {
  c.assign(static_cast<size_t>(m * n), TC{});
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) {
      Acc s = 0;
      for (int64_t l = 0; l < k; ++l)
        s += static_cast<Acc>(value_of(a[static_cast<size_t>(i + l * m)])) *
             static_cast<Acc>(value_of(b[static_cast<size_t>(l + j * k)]));
      c[static_cast<size_t>(i + j * m)] = static_cast<TC>(s);
    }
}

template <typename T, typename Make>
std::vector<T> matrix(int64_t count, uint64_t seed, Operand op, Make make) {
  std::vector<T> v(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) v[static_cast<size_t>(i)] = make(input_bits(seed, op, i));
  return v;
}

CheckSettings settings(Precision p) {
  CheckSettings s;
  s.error = cpu_gemm_format(p)->error;
  s.seed = 7;
  return s;
}

template <typename TA, typename TB, typename TC>
Verification check(const std::vector<TA>& a, const std::vector<TB>& b, const std::vector<TC>& c,
                   int64_t m, int64_t n, int64_t k, Precision p) {
  return check_gemm(MatrixView<TA>{a.data(), m, k, true}, MatrixView<TB>{b.data(), k, n, true},
                    MatrixView<TC>{c.data(), m, n, true}, settings(p));
}

// Corrupts every element in turn for a small C; all must fail.
template <typename TA, typename TB, typename TC>
void expect_every_corruption_caught(const std::vector<TA>& a, const std::vector<TB>& b,
                                    const std::vector<TC>& c, int64_t m, int64_t n, int64_t k,
                                    Precision p) {
  for (size_t e = 0; e < c.size(); ++e) {
    auto bad = c;
    if constexpr (std::is_integral_v<TC>)
      bad[e] += 1;
    else
      bad[e] += TC(1) + std::fabs(bad[e]);
    EXPECT_FALSE(check(a, b, bad, m, n, k, p).valid()) << "element " << e;
  }
}

flopscope::cpu::CpuContext test_context(int threads) {
  flopscope::cpu::CpuContext c;
  c.isa = flopscope::cpu::detect_cpu_isa();
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  for (int t = 0; t < threads && t < online; ++t) c.pus.push_back(t);
  return c;
}

}  // namespace

TEST(GemmSpec, FlopAndBytes) {
  EXPECT_DOUBLE_EQ(gemm::flop_count(2, 3, 4), 48.0);
  EXPECT_DOUBLE_EQ(gemm::compulsory_bytes(2, 3, 4, 4, 8), 4.0 * (8 + 12) + 8.0 * 6);
}

namespace {

// Real arithmetic passes at an odd shape; at a small one, corrupting any
// element of C, each in turn, fails.
void check_every_precision(int64_t m, int64_t n, int64_t k, bool corrupt_each) {
  {
    auto a = matrix<double>(m * k, 1, Operand::a, input_fp64);
    auto b = matrix<double>(k * n, 1, Operand::b, input_fp64);
    std::vector<double> c;
    naive_gemm<double>(a, b, c, m, n, k);
    EXPECT_TRUE(check(a, b, c, m, n, k, Precision::fp64).valid());
    if (corrupt_each) expect_every_corruption_caught(a, b, c, m, n, k, Precision::fp64);
  }
  {
    auto a = matrix<float>(m * k, 2, Operand::a, input_fp32);
    auto b = matrix<float>(k * n, 2, Operand::b, input_fp32);
    std::vector<float> c;
    naive_gemm<float>(a, b, c, m, n, k);
    auto v = check(a, b, c, m, n, k, Precision::fp32);
    EXPECT_TRUE(v.valid()) << v.detail << " " << v.max_error << " > " << v.tolerance;
    if (corrupt_each) expect_every_corruption_caught(a, b, c, m, n, k, Precision::fp32);
  }
  {
    auto a = matrix<Bf16>(m * k, 3, Operand::a, input_bf16);
    auto b = matrix<Bf16>(k * n, 3, Operand::b, input_bf16);
    std::vector<float> c;
    naive_gemm<float>(a, b, c, m, n, k);
    EXPECT_TRUE(check(a, b, c, m, n, k, Precision::bf16).valid());
    if (corrupt_each) expect_every_corruption_caught(a, b, c, m, n, k, Precision::bf16);
  }
  {
    auto a = matrix<Fp16>(m * k, 4, Operand::a, input_fp16);
    auto b = matrix<Fp16>(k * n, 4, Operand::b, input_fp16);
    std::vector<float> c;
    naive_gemm<float>(a, b, c, m, n, k);
    EXPECT_TRUE(check(a, b, c, m, n, k, Precision::fp16).valid());
    if (corrupt_each) expect_every_corruption_caught(a, b, c, m, n, k, Precision::fp16);
  }
  {
    auto a = matrix<uint8_t>(m * k, 5, Operand::a, input_u8);
    auto b = matrix<int8_t>(k * n, 5, Operand::b, input_s8);
    std::vector<int32_t> c;
    naive_gemm<int64_t>(a, b, c, m, n, k);
    EXPECT_TRUE(check(a, b, c, m, n, k, Precision::int8).valid());
    if (corrupt_each) expect_every_corruption_caught(a, b, c, m, n, k, Precision::int8);
  }
}

}  // namespace

TEST(GemmCheck, RealArithmeticPassesEveryPrecision) {
  check_every_precision(33, 7, 65, false);
  check_every_precision(1, 1, 1, false);
}

TEST(GemmCheck, EveryCorruptedElementFailsEveryPrecision) {
  check_every_precision(33, 7, 65, true);
}

TEST(GemmCheck, RowMajorViewsAndOddSizes) {
  for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {7, 7, 7}, {1, 9, 3}}) {
    auto a = matrix<double>(m * k, 5, Operand::a, input_fp64);
    auto b = matrix<double>(k * n, 5, Operand::b, input_fp64);
    // Row-major C from row-major A and B.
    std::vector<double> c(static_cast<size_t>(m * n));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t l = 0; l < k; ++l)
          s += a[static_cast<size_t>(i * k + l)] * b[static_cast<size_t>(l * n + j)];
        c[static_cast<size_t>(i * n + j)] = s;
      }
    auto v = check_gemm(MatrixView<double>{a.data(), m, k, false},
                        MatrixView<double>{b.data(), k, n, false},
                        MatrixView<double>{c.data(), m, n, false}, settings(Precision::fp64));
    EXPECT_TRUE(v.valid()) << m << "x" << n << "x" << k << ": " << v.detail;
    c.back() += 1;
    EXPECT_FALSE(check_gemm(MatrixView<double>{a.data(), m, k, false},
                            MatrixView<double>{b.data(), k, n, false},
                            MatrixView<double>{c.data(), m, n, false}, settings(Precision::fp64))
                     .valid());
  }
}

// TF32 (inputs rounded to 10 fraction bits) passed off as FP32 must fail.
TEST(GemmCheck, Tf32ArithmeticFailsTheFp32Check) {
  const int64_t m = 48, n = 48, k = 4096;
  auto a = matrix<float>(m * k, 6, Operand::a, input_fp32);
  auto b = matrix<float>(k * n, 6, Operand::b, input_fp32);
  auto tf32 = [](float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    u = (u + 0xFFFu + ((u >> 13) & 1u)) & ~0x1FFFu;
    std::memcpy(&x, &u, 4);
    return x;
  };
  std::vector<float> ra(a), rb(b), c;
  for (auto& x : ra) x = tf32(x);
  for (auto& x : rb) x = tf32(x);
  naive_gemm<float>(ra, rb, c, m, n, k);
  EXPECT_FALSE(check(a, b, c, m, n, k, Precision::fp32).valid());
  naive_gemm<float>(a, b, c, m, n, k);
  EXPECT_TRUE(check(a, b, c, m, n, k, Precision::fp32).valid());
}

TEST(GemmLibraries, ConfigurationsFollowTheIsa) {
  flopscope::cpu::CpuIsa avx2;
  avx2.avx = avx2.avx2 = avx2.fma = true;
  auto ob = library_configurations("openblas", avx2);
  EXPECT_EQ(ob.front(), "");
  EXPECT_NE(std::find(ob.begin(), ob.end(), "Haswell"), ob.end());
  EXPECT_EQ(std::find(ob.begin(), ob.end(), "SkylakeX"), ob.end());
  auto bl = library_configurations("blis", avx2);
  EXPECT_NE(std::find(bl.begin(), bl.end(), "zen3"), bl.end());
  EXPECT_EQ(std::find(bl.begin(), bl.end(), "skx"), bl.end());

  flopscope::cpu::CpuIsa avx512 = avx2;
  avx512.avx512f = avx512.avx512dq = avx512.avx512bw = avx512.avx512vl = true;
  avx512.avx512_bf16 = true;
  ob = library_configurations("openblas", avx512);
  EXPECT_NE(std::find(ob.begin(), ob.end(), "SkylakeX"), ob.end());
  EXPECT_NE(std::find(ob.begin(), ob.end(), "Cooperlake"), ob.end());
  bl = library_configurations("blis", avx512);
  EXPECT_NE(std::find(bl.begin(), bl.end(), "skx"), bl.end());
  EXPECT_EQ(library_configurations("onednn", avx512), std::vector<std::string>{""});
}

TEST(GemmLibraries, FindsVariantFoldersOnceAndSelectsByName) {
  char tmpl[] = "/tmp/flopscope-gemm-libs-XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  const std::string root = tmpl;
  mkdir((root + "/openblas-pthread").c_str(), 0755);
  mkdir((root + "/blis-openmp").c_str(), 0755);
  std::ofstream(root + "/openblas-pthread/libopenblas.so.0") << "x";
  std::ofstream(root + "/blis-openmp/libblis.so.4") << "x";
  std::ofstream(root + "/libdnnl.so.2") << "x";
  // The alternatives link of the default OpenBLAS: the same file, once.
  ASSERT_EQ(symlink((root + "/openblas-pthread/libopenblas.so.0").c_str(),
                    (root + "/libopenblas.so.0").c_str()),
            0);
  auto libs = find_gemm_libraries_in({root});
  ASSERT_EQ(libs.size(), 3u);
  EXPECT_EQ(libs[0].family, "openblas");
  EXPECT_EQ(libs[0].variant, "pthread");
  EXPECT_EQ(libs[1].family, "blis");
  EXPECT_EQ(libs[1].variant, "openmp");
  EXPECT_EQ(libs[2].engine, Engine::onednn);

  flopscope::cpu::CpuIsa avx2;
  avx2.avx = avx2.avx2 = avx2.fma = true;
  auto fp32 = gemm_candidates(libs, *cpu_gemm_format(Precision::fp32), avx2);
  auto fp64 = gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), avx2);
  auto int8 = gemm_candidates(libs, *cpu_gemm_format(Precision::int8), avx2);
  EXPECT_EQ(fp32.size(), fp64.size() + 1);  // oneDNN runs FP32, not FP64
  ASSERT_EQ(int8.size(), 1u);
  EXPECT_EQ(int8[0].id(), "onednn");

  EXPECT_EQ(select_candidates(fp64, "").size(), fp64.size());
  auto one = select_candidates(fp64, "openblas-pthread:haswell");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].config, "Haswell");
  EXPECT_EQ(select_candidates(fp64, "blis:zen3").size(), 1u);
  EXPECT_EQ(select_candidates(fp64, "BLIS").size(), 5u);  // auto, haswell, zen, zen2, zen3
  auto from_result = select_candidates(fp64, "blis-0.9.0 arch=zen2 (openmp)");
  ASSERT_EQ(from_result.size(), 1u);
  EXPECT_EQ(from_result[0].config, "zen2");
  EXPECT_EQ(select_candidates(fp32, "onednn-2.6.3 matmul gemm:jit").size(), 1u);
  EXPECT_TRUE(select_candidates(fp64, "mkl").empty());
  EXPECT_TRUE(select_candidates(fp64, "nonsense").empty());
  std::system(("rm -rf " + root).c_str());
}

TEST(GemmSizes, ShapesAndRefusals) {
  auto s = gemm_size_from_user(Precision::fp64, {4096}, 64e9);
  EXPECT_EQ(s.label(), "n=4096");
  s = gemm_size_from_user(Precision::fp32, {33, 7, 65}, 64e9);
  EXPECT_EQ(s.label(), "m=33,n=7,k=65");
  EXPECT_THROW(gemm_size_from_user(Precision::fp64, {4, 4}, 64e9), UsageError);
  EXPECT_THROW(gemm_size_from_user(Precision::fp64, {1ll << 32}, 64e18), UsageError);
  // 3 x 16384^2 x 8 B = 6 GiB: more than half of 8 GiB.
  EXPECT_THROW(gemm_size_from_user(Precision::fp64, {16384}, 8.0 * (1ll << 30)), UsageError);
  EXPECT_NO_THROW(gemm_size_from_user(Precision::fp64, {16384}, 16.0 * (1ll << 30)));
  EXPECT_EQ(default_gemm_sizes(false)[0].get("n"), 4096);
}

TEST(GemmCpu, UnsupportedPrecisionsAndUnknownImplementations) {
  auto ctx = test_context(1);
  KernelRequest r;
  r.kernel = KernelKind::gemm;
  r.size = ProblemSize{{{"n", 8}}};
  for (Precision p : {Precision::tf32, Precision::fp8}) {
    r.precision = p;
    std::string why;
    EXPECT_EQ(make_cpu_gemm_run(ctx, r, &why), nullptr);
    EXPECT_NE(why.find("natively"), std::string::npos) << why;
  }
  auto libs = find_gemm_libraries();
  r.precision = Precision::fp64;
  r.implementation = "no-such-blas:fast";
  std::string why;
  EXPECT_EQ(make_cpu_gemm_run(ctx, r, &why), nullptr);
  if (gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), ctx.isa).empty())
    EXPECT_NE(why.find("no library"), std::string::npos) << why;
  else
    EXPECT_NE(why.find("available: "), std::string::npos) << why;
}

// Every (library, configuration) that loads here, in its own worker, at odd
// sizes: each verifies, and a corrupted element of C fails the check.
TEST(GemmCpu, EveryLoadableConfigurationVerifiesAndCatchesCorruption) {
  const auto libs = find_gemm_libraries();
  const auto isa = flopscope::cpu::detect_cpu_isa();
  int ran = 0;
  for (Precision p :
       {Precision::fp64, Precision::fp32, Precision::bf16, Precision::fp16, Precision::int8}) {
    for (const auto& c : gemm_candidates(libs, *cpu_gemm_format(p), isa)) {
      // Odd shapes on each library's own choice; one shape on the others.
      std::vector<std::array<int64_t, 3>> shapes = {{33, 7, 65}};
      if (c.config.empty()) shapes.insert(shapes.end(), {{1, 1, 1}, {7, 7, 7}, {33, 33, 33}});
      for (const auto& [m, n, k] : shapes) {
        WorkerShape shape{p, m, n, k, 11, {}};
        StartedWorker w = start_worker(c, shape);
        if (!w.process) {
          // A configuration the library refuses here (a core type it
          // replaces) or a precision it lacks: said, never run.
          EXPECT_FALSE(w.reason.empty());
          std::printf("  %s refused: %s\n", std::string(to_string(p)).c_str(), w.reason.c_str());
          break;
        }
        ++ran;
        std::printf("  %s %s %lldx%lldx%lld\n", std::string(to_string(p)).c_str(),
                    w.implementation.c_str(), static_cast<long long>(m), static_cast<long long>(n),
                    static_cast<long long>(k));
        EXPECT_EQ(split_tabs(w.process->request("run\t2"))[0], "time");
        auto v = split_tabs(w.process->request("verify"));
        ASSERT_GE(v.size(), 6u);
        EXPECT_EQ(v[1] + v[2], "11") << w.implementation << " " << m << "x" << n << "x" << k << ": "
                                     << v[5] << " err " << v[3];
        const int64_t element = (m * n * 5) / 7;  // any element, not a sampled one
        EXPECT_EQ(split_tabs(w.process->request("corrupt\t" + std::to_string(element)))[1], "1");
        v = split_tabs(w.process->request("verify"));
        EXPECT_EQ(v[2], "0") << w.implementation << " missed a corrupted element";
      }
    }
  }
  if (ran == 0) GTEST_SKIP() << "no GEMM library on this machine";
}

// The kernel run as the harness drives it: forced to one configuration (no
// probe), and the probe over all of them at a small size.
TEST(GemmCpu, KernelRunAndProbe) {
  const auto libs = find_gemm_libraries();
  auto ctx = test_context(2);
  const auto all = gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), ctx.isa);
  if (all.empty()) GTEST_SKIP() << "no BLAS library on this machine";
  KernelRequest r;
  r.kernel = KernelKind::gemm;
  r.precision = Precision::fp64;
  r.size = ProblemSize{{{"m", 40}, {"n", 24}, {"k", 56}}};
  r.implementation = all[0].id();
  std::string why;
  auto run = make_cpu_gemm_run(ctx, r, &why);
  ASSERT_TRUE(run) << why;
  EXPECT_DOUBLE_EQ(run->flop_per_iteration(), 2.0 * 40 * 24 * 56);
  EXPECT_GT(run->run(3), 0.0);
  EXPECT_TRUE(run->verify().valid());
  EXPECT_TRUE(run->corrupt_output_for_test(40 * 24 - 1));
  EXPECT_FALSE(run->verify().valid());
  EXPECT_FALSE(run->rate_moments_before()) << "forced: nothing timed it before";

  ProbeReport report =
      probe_candidates(all, WorkerShape{Precision::fp64, 96, 96, 96, 3, ctx.pus}, 0.01);
  ASSERT_GE(report.best, 0);
  const auto& best = report.outcomes[static_cast<size_t>(report.best)];
  EXPECT_TRUE(best.verified);
  for (const auto& o : report.outcomes) {
    if (o.verified) {
      EXPECT_LE(o.flops, best.flops);
    }
  }
  EXPECT_FALSE(best.implementation.empty());
}

// A CPU GEMM's worker probes the gaps between its calls (the FMA chains,
// then the clock), so the burst engine can take the clock and the chains
// there although the GEMM's threads outlive each call: the own GEMM with its
// own OpenMP team, a library once its threads sleep.
TEST(GemmCpu, EveryGemmWorkerProbesItsGaps) {
  auto ctx = test_context(2);
  // Two calls, each followed by a gap with the chains, then one with the
  // clock alone; the GEMM still runs and verifies after them.
  auto runs_between_gaps = [](KernelRun& gemm) {
    EXPECT_FALSE(gemm.cores_idle_after_run());
    ASSERT_TRUE(gemm.probes_gaps());
    for (int call = 0; call < 2; ++call) {
      EXPECT_GT(gemm.run(1), 0.0);
      const auto gap = gemm.probe_gap(0.01);
      ASSERT_TRUE(gap.clock_hz) << gap.chains_why;
      EXPECT_GT(*gap.clock_hz, 1e8);
      ASSERT_TRUE(gap.chains_flops) << gap.chains_why;
      EXPECT_GT(*gap.chains_flops, 1e8);
      EXPECT_EQ(gap.chains_why, "");
    }
    const auto clock_only = gemm.probe_gap(0);
    EXPECT_TRUE(clock_only.clock_hz);
    EXPECT_FALSE(clock_only.chains_flops);
    EXPECT_GT(gemm.run(1), 0.0);
    EXPECT_TRUE(gemm.verify().valid());
  };
  KernelRequest r;
  r.kernel = KernelKind::gemm;
  r.precision = Precision::fp64;
  r.size = ProblemSize{{{"m", 64}, {"n", 64}, {"k", 64}}};
  std::string why;
  int checked = 0;
  if (!gemm::own::own_gemm_candidates(ctx, Precision::fp64).empty()) {
    r.implementation = "flopscope";
    auto own = make_cpu_gemm_run(ctx, r, &why);
    ASSERT_TRUE(own) << why;
    runs_between_gaps(*own);
    ++checked;
  }
  const auto libs = find_gemm_libraries();
  const auto all = gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), ctx.isa);
  if (!all.empty()) {
    r.implementation = all[0].id();
    auto library = make_cpu_gemm_run(ctx, r, &why);
    ASSERT_TRUE(library) << why;
    runs_between_gaps(*library);
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no own GEMM variant and no BLAS library run here";
}

// The setup line carries the PUs the parent measures, in order: the worker
// cannot read them from its affinity where GNU OpenMP bound its first
// thread to the first place (OMP_PROC_BIND, an OpenMP library's setting).
TEST(GemmCpu, WorkerSetupCarriesThePusInOrder) {
  WorkerSetup s;
  s.family = "openblas";
  s.variant = "openmp";
  s.path = "/usr/lib/lib blas.so";
  s.m = 64;
  s.n = 32;
  s.k = 16;
  s.seed = 7;
  s.threads = 3;
  s.pus = {4, 0, 2};
  auto back = WorkerSetup::from_line(s.to_line());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pus, s.pus);
  EXPECT_EQ(back->run_pus(), s.pus);
  EXPECT_EQ(back->path, s.path);
  EXPECT_EQ(back->threads, 3);
  s.pus.clear();  // none sent: the worker's own affinity
  back = WorkerSetup::from_line(s.to_line());
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->pus.empty());
  EXPECT_FALSE(back->run_pus().empty());
  s.pus = {0, 1};  // two PUs for three threads
  EXPECT_FALSE(WorkerSetup::from_line(s.to_line()));
  s.pus = {0, -1, 2};
  EXPECT_FALSE(WorkerSetup::from_line(s.to_line()));
}

// Told to spin on (OMP_WAIT_POLICY=active, which its worker inherits), an
// OpenMP library's threads never sleep: the gap that waited for them in vain
// has no reading and says why, the library still runs, and later gaps do
// not wait again. Beside a library with threads of its own (pthreads) the
// worker's OpenMP threads are flopscope's, told to sleep whatever the shell
// says (gemm_probe.cpp), so every gap is read.
TEST(GemmCpu, GapsBesideThreadsToldToSpinOn) {
  auto ctx = test_context(2);
  const auto libs = find_gemm_libraries();
  const auto all = gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), ctx.isa);
  auto spinning = [&](const std::string& variant) -> std::unique_ptr<KernelRun> {
    const auto c = std::find_if(all.begin(), all.end(), [&](const GemmCandidate& g) {
      return g.library.variant == variant;
    });
    if (c == all.end()) return nullptr;
    KernelRequest r;
    r.kernel = KernelKind::gemm;
    r.precision = Precision::fp64;
    r.size = ProblemSize{{{"m", 64}, {"n", 64}, {"k", 64}}};
    r.implementation = c->id();
    const char* had = std::getenv("OMP_WAIT_POLICY");
    const std::string saved = had ? had : "";
    setenv("OMP_WAIT_POLICY", "active", 1);
    std::string why;
    auto run = make_cpu_gemm_run(ctx, r, &why);
    if (had)
      setenv("OMP_WAIT_POLICY", saved.c_str(), 1);
    else
      unsetenv("OMP_WAIT_POLICY");
    EXPECT_TRUE(run) << why;
    return run;
  };
  int checked = 0;
  if (auto openmp = spinning("openmp")) {
    EXPECT_GT(openmp->run(1), 0.0);
    const auto unread = openmp->probe_gap(0.01);
    EXPECT_FALSE(unread.clock_hz);
    EXPECT_FALSE(unread.chains_flops);
    EXPECT_NE(unread.chains_why.find("threads still ran"), std::string::npos) << unread.chains_why;
    EXPECT_GT(openmp->run(1), 0.0);
    const auto t0 = std::chrono::steady_clock::now();
    const auto again = openmp->probe_gap(0.01);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
    EXPECT_FALSE(again.clock_hz);
    EXPECT_EQ(again.chains_why, unread.chains_why);
    EXPECT_TRUE(openmp->verify().valid());
    ++checked;
  }
  if (auto pthread = spinning("pthread")) {
    for (int gap = 0; gap < 3; ++gap) {
      EXPECT_GT(pthread->run(1), 0.0);
      const auto g = pthread->probe_gap(0.01);
      EXPECT_TRUE(g.clock_hz) << "gap " << gap << ": " << g.chains_why;
      EXPECT_TRUE(g.chains_flops) << "gap " << gap << ": " << g.chains_why;
    }
    EXPECT_TRUE(pthread->verify().valid());
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no OpenMP or pthreads BLAS library here";
}

// A gap request may bound the wait for a library's threads (the probe's
// runs wait less than a figure's gaps): threads told to spin on are given
// up on after that, and the reply says how long they were waited for.
TEST(GemmCpu, AGapRequestBoundsTheWaitForTheLibrarysThreads) {
  auto ctx = test_context(2);
  const auto all =
      gemm_candidates(find_gemm_libraries(), *cpu_gemm_format(Precision::fp64), ctx.isa);
  const auto c = std::find_if(all.begin(), all.end(),
                              [](const GemmCandidate& g) { return g.library.variant == "openmp"; });
  if (c == all.end()) GTEST_SKIP() << "no OpenMP BLAS library here";
  const char* had = std::getenv("OMP_WAIT_POLICY");
  const std::string saved = had ? had : "";
  setenv("OMP_WAIT_POLICY", "active", 1);
  StartedWorker w = start_worker(*c, WorkerShape{Precision::fp64, 64, 64, 64, 5, ctx.pus});
  if (had)
    setenv("OMP_WAIT_POLICY", saved.c_str(), 1);
  else
    unsetenv("OMP_WAIT_POLICY");
  ASSERT_TRUE(w.process) << w.reason;
  EXPECT_EQ(split_tabs(w.process->request("run\t1"))[0], "time");
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = split_tabs(w.process->request("gap\t0.01\t0.2"));
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_GE(r.size(), 4u);
  EXPECT_EQ(r[0], "gap");
  EXPECT_EQ(r[2], "0");
  EXPECT_EQ(r[3], "the library's threads still ran 0.2 s after its call");
  EXPECT_LT(waited, 0.9);  // not the figure's full second
  // A wait that would never end is refused, and the worker lives on.
  EXPECT_EQ(split_tabs(w.process->request("gap\t0.01\tnan"))[0], "error");
  EXPECT_EQ(split_tabs(w.process->request("gap\t0.01\t1e300"))[0], "error");
  EXPECT_EQ(split_tabs(w.process->request("run\t1"))[0], "time");
}

// Close contenders are probed again, in turns, each keeping its best figure.
TEST(GemmCpu, ReprobeKeepsTheBestOfEveryRun) {
  const auto libs = find_gemm_libraries();
  auto ctx = test_context(2);
  const auto all = gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), ctx.isa);
  if (all.size() < 2) GTEST_SKIP() << "fewer than two GEMM configurations here";
  const WorkerShape shape{Precision::fp64, 64, 64, 64, 5, ctx.pus};
  ProbeReport report = probe_candidates(all, shape, 0.01);
  ASSERT_GE(report.best, 0);
  const ProbeReport before = report;
  reprobe_contenders(report, shape, 0.01, /*margin=*/1.0, /*rounds=*/1);
  ASSERT_GE(report.best, 0);
  // Every outcome, for the failure message: this test failed once under
  // ctest -j2 and its reason was lost.
  std::string outcomes;
  for (const auto& o : report.outcomes)
    outcomes += "\n  " + o.candidate.id() + ": " + std::to_string(o.flops * 1e-9) +
                " GFLOP/s, runs " + std::to_string(o.runs) + (o.verified ? ", verified" : "") +
                (o.note.empty() ? "" : ", " + o.note);
  int reprobed = 0;
  for (size_t i = 0; i < report.outcomes.size(); ++i) {
    const auto& o = report.outcomes[i];
    EXPECT_GE(o.flops, before.outcomes[i].flops) << outcomes;  // best of the runs
    if (o.verified) {
      reprobed += o.runs == 2;
      EXPECT_LE(o.flops, report.outcomes[static_cast<size_t>(report.best)].flops) << outcomes;
    } else {
      EXPECT_EQ(o.runs, 1) << outcomes;
    }
  }
  EXPECT_GE(reprobed, 2) << outcomes;
  // A margin of zero leaves only the best and its exact equals: two
  // configurations that run the same DGEMM code (OpenBLAS's own choice and
  // another core type with the same kernel, as SkylakeX and Cooperlake have)
  // can tie to the nanosecond in their fastest call.
  ProbeReport alone = before;
  reprobe_contenders(alone, shape, 0.01, 0.0, 1);
  const double top = before.outcomes[static_cast<size_t>(before.best)].flops;
  std::string alone_outcomes;
  for (const auto& o : alone.outcomes)
    alone_outcomes += "\n  " + o.candidate.id() + ": " + std::to_string(o.flops) +
                      " FLOP/s, runs " + std::to_string(o.runs);
  for (size_t i = 0; i < alone.outcomes.size(); ++i) {
    if (before.outcomes[i].flops < top)
      EXPECT_EQ(alone.outcomes[i].runs, 1) << alone_outcomes;
    else
      EXPECT_LE(alone.outcomes[i].runs, 2) << alone_outcomes;
  }
}

// A run whose FMA chains read the units shared (another tenant's spell) is
// run again, in turns 2 s apart, until a run reads them free; the others are
// left alone. The units are made to read shared by a free reading no chains
// can reach.
TEST(GemmCpu, RunsBesideSharedUnitsAreRunAgain) {
  auto ctx = test_context(2);
  // flopscope's own GEMM first: its worker reads the chains on its own team
  // and never waits for a library's threads, so its readings never fail.
  auto all = gemm::own::own_gemm_candidates(ctx, Precision::fp64);
  const bool has_own = !all.empty();
  for (auto& c : gemm_candidates(find_gemm_libraries(), *cpu_gemm_format(Precision::fp64), ctx.isa))
    all.push_back(std::move(c));
  if (!has_own || all.size() < 2) GTEST_SKIP() << "no own GEMM, or one configuration only";
  auto is_own = [](const ProbeOutcome& o) {
    return o.candidate.library.family == gemm::own::kOwnGemmFamily;
  };
  const WorkerShape shape{Precision::fp64, 64, 64, 64, 5, ctx.pus};
  const ProbeReport before = probe_candidates(all, shape, 0.01);
  ASSERT_GE(before.best, 0);
  // The own outcome that read (the first), and another that did.
  std::vector<size_t> read;
  for (size_t i = 0; i < before.outcomes.size(); ++i) {
    const auto& o = before.outcomes[i];
    EXPECT_EQ(o.runs_beside_shared_units, 0);
    if (o.verified && o.chains_flop_per_cycle > 0 && (is_own(o) || !read.empty()))
      read.push_back(i);
  }
  if (read.empty()) GTEST_SKIP() << "the own GEMM's chains read nothing here";
  if (read.size() < 2) GTEST_SKIP() << "the FMA chains read in one worker only here";

  // The free reading is capped at the chains' peak per cycle, where known.
  const ProbeReport capped = probe_candidates(all, shape, 0.01, /*units_peak=*/1.0);
  EXPECT_EQ(capped.free_units, 1.0);
  EXPECT_EQ(capped.units_peak, 1.0);

  // Everything read free: nothing runs again.
  ProbeReport quiet = before;
  for (auto& o : quiet.outcomes) o.chains_flop_per_cycle = before.free_units;
  rerun_beside_shared_units(quiet, shape, 0.01);
  for (size_t i = 0; i < quiet.outcomes.size(); ++i)
    EXPECT_EQ(quiet.outcomes[i].runs, before.outcomes[i].runs);

  // One read half the free rate, one nine tenths of it: only the first runs
  // again, and every run of it reads far below the free rate set here, so
  // it is tried to the end, each run 2 s or more after the one before.
  ProbeReport report = before;
  const double free = 1e9;  // FLOP per cycle
  report.free_units = free;
  for (auto& o : report.outcomes) o.chains_flop_per_cycle = free;
  report.outcomes[read[0]].chains_flop_per_cycle = 0.5 * free;
  report.outcomes[read[1]].chains_flop_per_cycle = kSharedUnitsBelow * free;
  const auto started = std::chrono::steady_clock::now();
  rerun_beside_shared_units(report, shape, 0.01);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_GE(report.best, 0);
  const auto& shared = report.outcomes[read[0]];
  EXPECT_EQ(shared.runs, before.outcomes[read[0]].runs + kSharedUnitsTries);  // verified runs
  EXPECT_EQ(shared.runs_beside_shared_units, 1 + kSharedUnitsTries);
  // The runs again are 2 s apart at least: the first counts from the probe's
  // run, so only the later ones are sure to wait here.
  EXPECT_GE(took, 2.0 * (kSharedUnitsTries - 1));
  for (size_t i = 0; i < report.outcomes.size(); ++i) {
    if (i == read[0]) continue;
    EXPECT_EQ(report.outcomes[i].runs, before.outcomes[i].runs)
        << report.outcomes[i].candidate.id();
    EXPECT_EQ(report.outcomes[i].runs_beside_shared_units, 0);
  }
  // best is recomputed: still the verified outcome probe_order puts first.
  for (const auto& o : report.outcomes)
    EXPECT_FALSE(probe_order(o, report.outcomes[static_cast<size_t>(report.best)]))
        << o.candidate.id();

  // A confirmation at the measured size that reads the units shared is run
  // again too, and its best counts: the own outcome made the only contender.
  ProbeReport confirm = before;
  confirm.free_units = free;
  confirm.outcomes[read[0]].flops = 1e30;
  confirm.best = static_cast<int>(read[0]);
  confirm_contenders(confirm, shape, 0.01, /*margin=*/0.0);
  const auto& top = confirm.outcomes[read[0]];
  EXPECT_GT(top.confirmed_flops, 0);
  EXPECT_EQ(top.runs_beside_shared_units, 1 + kSharedUnitsTries);
  for (size_t i = 0; i < confirm.outcomes.size(); ++i) {
    if (i != read[0]) {
      EXPECT_EQ(confirm.outcomes[i].confirmed_flops, 0);
    }
  }
}

// The close contenders are timed again at the measured size, and the best
// there is chosen, whatever the order at the probe's size.
TEST(GemmCpu, ContendersAreConfirmedAtTheMeasuredSize) {
  const auto libs = find_gemm_libraries();
  auto ctx = test_context(2);
  const auto all = gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), ctx.isa);
  std::set<std::string> files;
  for (const auto& c : all) files.insert(c.library.family + ":" + c.library.path);
  if (files.size() < 2) GTEST_SKIP() << "fewer than two GEMM libraries here";
  const WorkerShape small{Precision::fp64, 64, 64, 64, 5, ctx.pus};
  const WorkerShape full{Precision::fp64, 96, 80, 72, 5, ctx.pus};
  const ProbeReport before = probe_candidates(all, small, 0.01);
  ASSERT_GE(before.best, 0);
  ProbeReport report = before;
  confirm_contenders(report, full, 0.01, /*margin=*/1.0);
  ASSERT_GE(report.best, 0);
  const auto& best = report.outcomes[static_cast<size_t>(report.best)];
  EXPECT_GT(best.confirmed_flops, 0);
  std::set<std::string> libraries;  // one configuration per library file
  for (const auto& o : report.outcomes) {
    if (o.confirmed_flops > 0) {
      EXPECT_TRUE(
          libraries.insert(o.candidate.library.family + ":" + o.candidate.library.path).second)
          << o.candidate.id();
      EXPECT_TRUE(o.verified);
      EXPECT_LE(o.confirmed_flops, best.confirmed_flops);
    }
  }
  // Every library here with a verified configuration, four at most.
  std::set<std::string> verified_libraries;
  for (const auto& o : before.outcomes)
    if (o.verified)
      verified_libraries.insert(o.candidate.library.family + ":" + o.candidate.library.path);
  EXPECT_EQ(libraries.size(), std::min<size_t>(verified_libraries.size(), 4));
  // A margin of zero leaves only the best: it alone is timed at the measured
  // size (its figure is then checked against that rate), and stays the best.
  ProbeReport alone = before;
  confirm_contenders(alone, full, 0.01, 0.0);
  for (size_t i = 0; i < alone.outcomes.size(); ++i) {
    if (static_cast<int>(i) == before.best) {
      EXPECT_GT(alone.outcomes[i].confirmed_flops, 0);
    } else {
      EXPECT_EQ(alone.outcomes[i].confirmed_flops, 0);
    }
  }
  EXPECT_EQ(alone.best, before.best);
  // Not for a soak, which never reads that rate: the best alone is not timed.
  ProbeReport soak = before;
  confirm_contenders(soak, full, 0.01, 0.0, /*alone=*/false);
  for (const auto& o : soak.outcomes) EXPECT_EQ(o.confirmed_flops, 0);
}

TEST(GemmCpu, ProbeOrderPutsConfirmedFiguresFirst) {
  auto outcome = [](bool verified, double flops, double confirmed) {
    ProbeOutcome o;
    o.verified = verified;
    o.flops = flops;
    o.confirmed_flops = confirmed;
    return o;
  };
  std::vector<ProbeOutcome> v = {outcome(false, 900, 0), outcome(true, 150, 0),
                                 outcome(true, 149, 130), outcome(true, 148, 141),
                                 outcome(true, 100, 0)};
  std::sort(v.begin(), v.end(), probe_order);
  EXPECT_DOUBLE_EQ(v[0].confirmed_flops, 141);  // fastest at the measured size
  EXPECT_DOUBLE_EQ(v[1].confirmed_flops, 130);
  EXPECT_DOUBLE_EQ(v[2].flops, 150);  // then by the probe's rate
  EXPECT_DOUBLE_EQ(v[3].flops, 100);
  EXPECT_FALSE(v[4].verified);  // never before a verified one
}

// The probe that chose the configuration is recorded with the figure: every
// candidate tried, its rate and whether it verified.
TEST(GemmCpu, ProbeIsRecordedInTheDetails) {
  const auto libs = find_gemm_libraries();
  auto ctx = test_context(2);
  // The libraries' configurations and flopscope's own kernels, as the run
  // gathers them (an AVX-512 machine has three own kernels: two AVX-512
  // tiles and AVX2's).
  auto all = gemm_candidates(libs, *cpu_gemm_format(Precision::fp64), ctx.isa);
  for (auto& c : gemm::own::own_gemm_candidates(ctx, Precision::fp64)) all.push_back(std::move(c));
  if (all.size() < 2) GTEST_SKIP() << "fewer than two GEMM configurations here: no probe";
  KernelRequest r;
  r.kernel = KernelKind::gemm;
  r.precision = Precision::fp64;
  r.size = ProblemSize{{{"n", 96}}};
  std::string why;
  auto run = make_cpu_gemm_run(ctx, r, &why);
  ASSERT_TRUE(run) << why;
  const nlohmann::json d = run->details();
  ASSERT_TRUE(d.contains("probe")) << d.dump();
  const auto& candidates = d["probe"]["candidates"];
  // A library's own choice is probed; its explicit twin is then skipped.
  EXPECT_GE(candidates.size(), 2u);
  EXPECT_LE(candidates.size(), all.size());
  bool chosen_listed = false;
  for (const auto& c : candidates) {
    EXPECT_TRUE(c.contains("flops") && c.contains("verified"));
    if (c["implementation"] != run->implementation()) continue;
    chosen_listed = true;
    // The probe ran at the measured size: the chosen one's rate there is
    // what the burst engine holds its figure to.
    ASSERT_TRUE(c["verified"].get<bool>());
    ASSERT_TRUE(run->rate_moments_before());
    EXPECT_DOUBLE_EQ(*run->rate_moments_before(), c["flops"].get<double>());
  }
  EXPECT_TRUE(chosen_listed) << run->implementation();
  EXPECT_EQ(d["probe"]["size"]["n"], 96);
  // Each candidate's first reading, and the highest of the probe (runs
  // again and confirmations may have read higher still).
  double highest = 0;
  for (const auto& c : candidates)
    highest = std::max(highest, c.value("chains_flop_per_cycle", 0.0));
  if (highest > 0) {
    EXPECT_GE(d["probe"]["free_units_flop_per_cycle"].get<double>(), highest) << d.dump();
    EXPECT_EQ(d["probe"]["units_shared_below"], kSharedUnitsBelow);
  }
}

// A configuration the CPU cannot execute (OpenBLAS's AVX-512 kernels on a CPU
// without AVX-512 die of SIGILL) costs its worker, never flopscope: the
// probe notes why and picks among the others.
TEST(GemmCpu, ConfigurationThatCrashesIsReportedNotFatal) {
  const auto isa = flopscope::cpu::detect_cpu_isa();
  if (isa.avx512f) GTEST_SKIP() << "this CPU runs AVX-512 kernels";
  std::vector<GemmCandidate> two;
  for (const auto& lib : find_gemm_libraries())
    if (lib.family == "openblas" && two.empty()) two = {{lib, ""}, {lib, "SkylakeX"}};
  if (two.empty()) GTEST_SKIP() << "no OpenBLAS here";
  ProbeReport r = probe_candidates(two, WorkerShape{Precision::fp64, 64, 64, 64, 1, {}}, 0.01);
  ASSERT_EQ(r.outcomes.size(), 2u);
  EXPECT_EQ(r.best, 0);
  EXPECT_EQ(r.outcomes[1].flops, 0.0);
  EXPECT_NE(r.outcomes[1].note.find("signal"), std::string::npos) << r.outcomes[1].note;
}
