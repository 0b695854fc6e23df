// Times flopscope's own packed GEMM (or, for comparison, a BLAS library
// loaded with dlopen) on square sizes with one pinned thread per core, and
// prints GFLOP/s beside the peak at the core clock, probed between the
// repetitions. Every series ends with a column-checksum check of C.
//
// Beside the clock's peak it prints what flopscope's FMA chains (the peak
// kernel, verified) delivered on the same cores between the repetitions. The clock probe is a
// latency chain: on a shared machine it reads the full clock while another tenant on the same
// physical core (an SMT sibling the VM cannot see) or a host that slices the vCPUs takes FMA
// throughput away. The chains measure that throughput, so a GEMM far below
// the clock's peak but close to the chains lost its cycles to the machine,
// not to its code.
//
//   bench_own_gemm [--engine own|PATH.so | --library NAME] [--precisions fp64,fp32]
//                  [--sizes 1024,2048,4096] [--reps 10] [--min-seconds 1]
//                  [--threads N] [--variant NAME[,NAME]] [--mc N] [--kc N] [--nc N]
//   bench_own_gemm --list-variants
//   bench_own_gemm --list-libraries [--library NAME]
//
// --variant names the own GEMM's variant per precision (each precision takes
// the listed name that is one of its own); --list-variants prints the
// variants this CPU runs, "PRECISION NAME" a line, widest ISA first.
//
// --library names an installed BLAS library configuration the way
// flopscope's --implementation does ("blis:skx", "openblas-pthread:cooperlake",
// "openblas"), found and filtered by what this CPU runs exactly as the GEMM
// probe does (gemm_libraries.h); the first it selects is timed, with its
// configuration variable set (serial variants last: they run one thread).
// --list-libraries prints the configurations, "ID VARIABLE=CONFIG PATH" a
// line (only those --library selects, when given; exit 3 when none).
//
// One engine per process: a BLAS library's threads would otherwise compete
// with flopscope's. For a library given by path, the core type comes from
// its usual variables (OPENBLAS_CORETYPE, BLIS_ARCH_TYPE: a number or a name
// such as zen3). A library gets the thread environment the GEMM probe gives
// it (worker_process.h: its thread count, and for an OpenMP library one
// place per measured PU, bound close). Unpinned, BLIS's OpenMP threads ran
// DGEMM n=4096 anywhere between 72% and 83% of the peak on 2 Zen 5 cores,
// while the own GEMM pins its own. With --library no other library variable
// from the shell reaches it; a library given by path keeps those the user
// set (apply_library_environment says how).
#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "devices/cpu/clock_probe.h"
#include "devices/cpu/cpu_backend.h"
#include "devices/cpu/cpu_microarch.h"
#include "devices/cpu/huge_pages.h"
#include "devices/cpu/idle_threads.h"
#include "devices/cpu/thread_pinning.h"
#include "devices/topology/pinning.h"
#include "harness/statistics.h"
#include "harness/unit_throughput.h"
#include "kernels/gemm/cpu/blis_arch.h"
#include "kernels/gemm/cpu/gemm_cpu_format.h"
#include "kernels/gemm/cpu/gemm_libraries.h"
#include "kernels/gemm/cpu/gemm_probe.h"
#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/worker_process.h"
#include "kernels/gemm/gemm_spec.h"
#include "kernels/peak/cpu/peak_cpu.h"

namespace {

using flopscope::Precision;
namespace own = flopscope::gemm::own;
namespace gcpu = flopscope::gemm::cpu;
namespace cpu = flopscope::cpu;

struct Options {
  std::string engine = "own";
  std::vector<Precision> precisions = {Precision::fp64, Precision::fp32};
  std::vector<int64_t> sizes = {1024, 2048, 4096};
  int reps = 10;
  double min_seconds = 1.0;
  int threads = 0;                    // 0: one per core
  std::vector<std::string> variants;  // empty: each precision's default
  int64_t mc = 0, kc = 0, nc = 0;
  bool list_variants = false;
  std::string library;  // --library NAME; empty: --engine decides
  bool list_libraries = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "bench_own_gemm: %s\n", why.c_str());
  std::exit(2);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

int64_t parse_int(const std::string& s, const char* what) {
  try {
    size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used == s.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  usage(std::string(what) + ": not a positive integer: '" + s + "'");
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--list-variants" || a == "--list-libraries") {
      (a == "--list-variants" ? o.list_variants : o.list_libraries) = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value after " + a);
    const std::string v = argv[++i];
    if (a == "--engine") {
      o.engine = v;
    } else if (a == "--library") {
      o.library = v;
    } else if (a == "--precisions") {
      o.precisions.clear();
      for (const auto& p : split(v, ',')) {
        auto parsed = flopscope::parse_precision(p);
        if (!parsed || (*parsed != Precision::fp64 && *parsed != Precision::fp32))
          usage("--precisions: fp64 or fp32, not '" + p + "'");
        o.precisions.push_back(*parsed);
      }
    } else if (a == "--sizes") {
      o.sizes.clear();
      for (const auto& s : split(v, ',')) o.sizes.push_back(parse_int(s, "--sizes"));
    } else if (a == "--reps") {
      o.reps = static_cast<int>(parse_int(v, "--reps"));
    } else if (a == "--min-seconds") {
      o.min_seconds = std::atof(v.c_str());
      if (!(o.min_seconds > 0)) usage("--min-seconds: a positive number");
    } else if (a == "--threads") {
      o.threads = static_cast<int>(parse_int(v, "--threads"));
    } else if (a == "--variant") {
      o.variants = split(v, ',');
    } else if (a == "--mc") {
      o.mc = parse_int(v, "--mc");
    } else if (a == "--kc") {
      o.kc = parse_int(v, "--kc");
    } else if (a == "--nc") {
      o.nc = parse_int(v, "--nc");
    } else {
      usage("unknown option " + a);
    }
  }
  if (!o.library.empty() && o.engine != "own") usage("--engine and --library: give one");
  return o;
}

// The machine as flopscope's CPU backend sees it: pinning PUs (one per
// core), sanity-checked cache sizes, ISA.
cpu::CpuContext machine_context() {
  cpu::CpuBackend backend;
  const auto d = backend.devices().at(0);
  cpu::CpuContext ctx;
  ctx.isa = cpu::detect_cpu_isa();
  ctx.pus = d.details.at("pinned_pus").get<std::vector<int>>();
  const auto& caches = d.details.at("caches_used");
  ctx.l1d_bytes_per_core = caches.at("l1d_bytes_per_core").get<uint64_t>();
  ctx.l2_bytes_per_core = caches.at("l2_bytes_per_core").get<uint64_t>();
  ctx.l3_bytes_total = caches.at("l3_bytes_total").get<uint64_t>();
  ctx.cache_source = caches.at("source").get<std::string>();
  return ctx;
}

// C = A B, column-major, square n, beta = 0.
template <typename T>
using GemmCall = std::function<void(int64_t n, const T* a, const T* b, T* c)>;

// cblas_?gemm, declared here so the bench needs no BLAS headers.
using CblasDgemm = void (*)(int, int, int, int, int, int, double, const double*, int, const double*,
                            int, double, double*, int);
using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*,
                            int, float, float*, int);
constexpr int kCblasColMajor = 102, kCblasNoTrans = 111;

struct Engine {
  std::string name;
  GemmCall<double> dgemm;
  GemmCall<float> sgemm;
};

// A configuration name in BLIS_ARCH_TYPE ("zen3") replaced by its number
// before BLIS initialises (on the first call), as the probe's worker does
// (blis_arch.h says why).
void blis_arch_by_name(void* lib) {
  const char* want = std::getenv("BLIS_ARCH_TYPE");
  auto arch_string = reinterpret_cast<const char* (*)(int)>(dlsym(lib, "bli_arch_string"));
  if (!want || !*want || !arch_string || std::isdigit(static_cast<unsigned char>(*want))) return;
  const int id = flopscope::gemm::cpu::blis_arch_id(arch_string, want);
  if (id < 0) {
    std::fprintf(stderr, "bench_own_gemm: BLIS has no configuration named %s\n", want);
    std::exit(2);
  }
  setenv("BLIS_ARCH_TYPE", std::to_string(id).c_str(), 1);
}

// The installed BLAS configurations this CPU runs (as the GEMM probe finds
// them) that `name` selects, serial variants last; all of them for "".
std::vector<gcpu::GemmCandidate> library_candidates(const cpu::CpuIsa& isa,
                                                    const std::string& name) {
  const auto* format = gcpu::cpu_gemm_format(Precision::fp64);
  auto all = gcpu::gemm_candidates(gcpu::find_gemm_libraries(), *format, isa);
  std::erase_if(
      all, [](const gcpu::GemmCandidate& c) { return c.library.engine != gcpu::Engine::blas; });
  auto picked = gcpu::select_candidates(all, name);
  std::stable_partition(picked.begin(), picked.end(),
                        [](const gcpu::GemmCandidate& c) { return c.library.variant != "serial"; });
  return picked;
}

// Whether the installed library at `path` runs its threads through OpenMP
// (false for a path the library search does not find). The search records
// resolved paths; a path given by hand may be a link to one.
bool openmp_library_at(const std::string& path) {
  char buf[PATH_MAX];
  const std::string real = realpath(path.c_str(), buf) ? std::string(buf) : path;
  for (const auto& lib : gcpu::find_gemm_libraries())
    if (lib.path == real) return gcpu::uses_openmp_threads(lib);
  return false;
}

// Set in the environment of the process restarted below.
constexpr const char* kRestarted = "FLOPSCOPE_BENCH_OWN_GEMM_RESTARTED";

// Gives the library at `path` the GEMM probe's thread environment. With
// `exact` (--library: gcpu::worker_environment) the managed variables
// (worker_process.h) end up exactly as the probe's worker gets them, none
// from the shell, which on the development VM exports
// OPENBLAS_CORETYPE=Haswell. Otherwise (--engine PATH: the thread
// environment) each variable is set unless already set, so a user can steer
// the library by hand.
//
// The OpenMP runtime reads its variables once, when it is loaded, and this
// program links it for the own GEMM, so it is loaded before main: where a
// variable had to change, the program starts itself again, once, for the
// runtime to read them (setenv alone left OMP_PLACES unread, and BLIS's
// threads unbound).
void apply_library_environment(const gcpu::EnvList& want, bool exact, const std::vector<int>& pus,
                               char** argv) {
  bool changed = false;
  if (exact)
    for (const auto& var : gcpu::managed_library_variables()) {
      const bool wanted =
          std::any_of(want.begin(), want.end(), [&](const auto& kv) { return kv.first == var; });
      if (!wanted && std::getenv(var.c_str())) {
        unsetenv(var.c_str());
        changed = true;
      }
    }
  for (const auto& [var, value] : want) {
    const char* now = std::getenv(var.c_str());
    if (!now || (exact && value != now)) {
      setenv(var.c_str(), value.c_str(), 1);
      changed = true;
    }
  }
  if (!changed) return;
  if (std::getenv(kRestarted)) {
    // Restarted, yet something still differs: the runtime read other values.
    std::fprintf(stderr, "bench_own_gemm: warning: the library environment changed after %s\n",
                 kRestarted);
    return;
  }
  setenv(kRestarted, "1", 1);
  // The runtime intersects its places with the affinity it starts with, and
  // a restarted process keeps this one's: finding the machine pinned this
  // thread to one PU, which would leave OMP_PLACES one place.
  flopscope::topo::pin_current_thread_to_pus(pus);
  execv("/proc/self/exe", argv);
  std::fprintf(stderr, "bench_own_gemm: cannot restart with the library's thread environment: %s\n",
               std::strerror(errno));
  std::exit(3);
}

Engine library_engine(const std::string& path, const std::vector<int>& pus) {
  // The clock probe pinned this thread to the first PU, and threads inherit
  // their creator's affinity: OpenBLAS would start its pool (and count the
  // CPUs it may use) inside one PU. The library gets all the cores measured.
  flopscope::topo::pin_current_thread_to_pus(pus);
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "bench_own_gemm: cannot load %s: %s\n", path.c_str(), dlerror());
    std::exit(3);
  }
  blis_arch_by_name(lib);
  auto d = reinterpret_cast<CblasDgemm>(dlsym(lib, "cblas_dgemm"));
  auto s = reinterpret_cast<CblasSgemm>(dlsym(lib, "cblas_sgemm"));
  if (!d || !s) {
    std::fprintf(stderr, "bench_own_gemm: %s has no cblas_dgemm/cblas_sgemm\n", path.c_str());
    std::exit(3);
  }
  Engine e;
  e.name = path;
  for (const auto& var : gcpu::managed_library_variables())
    if (const char* v = std::getenv(var.c_str())) e.name += " " + var + "=" + v;
  e.dgemm = [d](int64_t n, const double* a, const double* b, double* c) {
    const int ni = static_cast<int>(n);
    d(kCblasColMajor, kCblasNoTrans, kCblasNoTrans, ni, ni, ni, 1.0, a, ni, b, ni, 0.0, c, ni);
  };
  e.sgemm = [s](int64_t n, const float* a, const float* b, float* c) {
    const int ni = static_cast<int>(n);
    s(kCblasColMajor, kCblasNoTrans, kCblasNoTrans, ni, ni, ni, 1.0f, a, ni, b, ni, 0.0f, c, ni);
  };
  return e;
}

template <typename T>
own::OwnGemmConfig own_config(const Options& o, const cpu::CpuContext& ctx) {
  const Precision p = sizeof(T) == 8 ? Precision::fp64 : Precision::fp32;
  const auto variants = own::own_gemm_variants(ctx.isa, p);
  if (variants.empty()) {
    std::fprintf(stderr, "bench_own_gemm: no %s variant runs on this CPU\n",
                 std::string(flopscope::to_string(p)).c_str());
    std::exit(3);
  }
  auto v = variants.front();
  if (!o.variants.empty()) {
    auto it = std::find_if(variants.begin(), variants.end(), [&](const own::OwnGemmVariant& x) {
      return std::find(o.variants.begin(), o.variants.end(), x.name) != o.variants.end();
    });
    if (it == variants.end())
      usage("--variant: no " + std::string(flopscope::to_string(p)) +
            " variant of this CPU is named");
    v = *it;
  }
  auto cfg = own::own_gemm_config(v, ctx);
  if (o.mc) cfg.blocking.mc = o.mc;
  if (o.kc) cfg.blocking.kc = o.kc;
  if (o.nc) cfg.blocking.nc = o.nc;
  if (o.mc || o.kc || o.nc) cfg.blocking.derivation = "set on the command line";
  return cfg;
}

template <typename T>
GemmCall<T> own_call(const own::OwnGemmConfig& cfg) {
  return [cfg](int64_t n, const T* a, const T* b, T* c) {
    own::own_gemm(own::Layout::col_major, own::Trans::no, own::Trans::no, n, n, n, T(1), a, n, b, n,
                  T(0), c, n, cfg);
  };
}

// Column checksums of C = A B against (e^T A) B, each normalised by the
// root sum of squares of the products behind it; the largest such error and
// the tolerance of gemm_spec.h for the format.
template <typename T>
std::pair<double, double> check(int64_t n, const T* a, const T* b, const T* c) {
  std::vector<long double> a_sum(static_cast<size_t>(n), 0), a_sq(static_cast<size_t>(n), 0);
  for (int64_t p = 0; p < n; ++p)
    for (int64_t i = 0; i < n; ++i) {
      const long double v = a[i + p * n];
      a_sum[static_cast<size_t>(p)] += v;
      a_sq[static_cast<size_t>(p)] += v * v;
    }
  double worst = 0;
  for (int64_t j = 0; j < n; ++j) {
    long double want = 0, scale = 0, got = 0;
    for (int64_t p = 0; p < n; ++p) {
      const long double bv = b[p + j * n];
      want += a_sum[static_cast<size_t>(p)] * bv;
      scale += a_sq[static_cast<size_t>(p)] * bv * bv;
    }
    for (int64_t i = 0; i < n; ++i) got += c[i + j * n];
    worst = std::max(worst, static_cast<double>(std::fabs(got - want) / std::sqrt(scale)));
  }
  const double u = sizeof(T) == 8 ? std::ldexp(1.0, -53) : std::ldexp(1.0, -24);
  flopscope::gemm::ErrorModel e;
  e.accumulate = u;
  e.output = u;
  e.reference = std::ldexp(1.0, -64);  // long double sums
  return {worst, flopscope::gemm::tolerance(e, n, n)};
}

// FLOP/s of the FMA chains in T's precision on every PU at once, over about
// `seconds`; nullopt when there is no chain or its check failed (a figure
// from an unchecked run is never shown).
template <typename T>
std::optional<double> chain_rate(const cpu::CpuContext& ctx, double seconds) {
  namespace peak = flopscope::peak::cpu;
  const Precision p = sizeof(T) == 8 ? Precision::fp64 : Precision::fp32;
  std::string why;
  const auto chains = flopscope::UnitChains::from_run(
      peak::make_cpu_peak_run(p, peak::best_chain_isa(ctx.isa), ctx.pus, peak::kDefaultRounds),
      seconds, &why);
  const auto r = chains ? chains->read(&why) : std::nullopt;
  if (!r) return std::nullopt;
  return r->flops;
}

// The matrices on advised huge pages, as flopscope's GEMM engines hold them
// (devices/cpu/huge_pages.h), zero-filled.
template <typename T>
class HugeArray {
 public:
  explicit HugeArray(size_t n)
      : p_(static_cast<T*>(cpu::allocate_huge_page_advised(n * sizeof(T)))), n_(n) {
    std::fill(begin(), end(), T(0));
  }
  T* data() { return p_.get(); }
  T* begin() { return p_.get(); }
  T* end() { return p_.get() + n_; }

 private:
  std::unique_ptr<T, cpu::FreeDeleter> p_;
  size_t n_;
};

template <typename T>
bool run_series(const Options& o, const cpu::CpuContext& ctx, const GemmCall<T>& gemm, int64_t n,
                double flop_per_cycle) {
  const size_t count = static_cast<size_t>(n * n);
  HugeArray<T> a(count), b(count), c(count);
  std::mt19937_64 rng(0x5eedf10b5c09eULL + static_cast<uint64_t>(n));
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (auto& x : a) x = static_cast<T>(dist(rng));
  for (auto& x : b) x = static_cast<T>(dist(rng));

  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  gemm(n, a.data(), b.data(), c.data());  // warm-up: pages, packed buffers, threads
  const double first = std::chrono::duration<double>(clock::now() - t0).count();
  const int calls = std::max(1, static_cast<int>(std::ceil(o.min_seconds / first)));

  // The clock is probed in every gap between the repetitions, on every core
  // at once, right after the repetition before it: each repetition is set
  // against the mean of the probes on either side of it. A probe before and
  // after the whole series only would read the clock of an idler machine on
  // one side (the host's clock moves by 5-10% within a series here).
  std::vector<double> clocks;
  bool clocks_ok = true;
  // The chains run in the same gaps, after the probe.
  std::vector<double> chains;
  bool chains_ok = true;
  auto sample_gap = [&] {
    // The probe, then the chains. The own GEMM's threads are their own
    // OpenMP team. A library's threads spin on the cores for a while after a
    // call: they are waited out first (idle_threads.h), or they would slow
    // the readings, which then run on a thread of their own, as in
    // flopscope's worker (thread_pinning.h says why).
    double hz = 0;
    std::optional<double> c;
    auto read = [&] {
      hz = cpu::measure_clock(ctx.pus, 0.05).mean_hz;
      c = chain_rate<T>(ctx, 0.05);
    };
    if (o.engine == "own") {
      read();
    } else {
      if (!cpu::wait_for_other_threads_to_sleep(cpu::kLibraryThreadsWaitS))
        std::fprintf(
            stderr,
            "bench_own_gemm: warning: the library's threads still ran %.1f s after its call\n",
            cpu::kLibraryThreadsWaitS);
      cpu::run_on_a_thread_of_its_own(ctx.pus, read);
    }
    clocks_ok = clocks_ok && hz > 0;
    clocks.push_back(hz);
    chains_ok = chains_ok && c.has_value();
    if (c) chains.push_back(*c);
  };
  std::vector<double> rates;
  for (int r = 0; r < o.reps; ++r) {
    sample_gap();
    t0 = clock::now();
    for (int i = 0; i < calls; ++i) gemm(n, a.data(), b.data(), c.data());
    const double dt = std::chrono::duration<double>(clock::now() - t0).count();
    rates.push_back(flopscope::gemm::flop_count(n, n, n) * calls / dt);
  }
  sample_gap();
  const auto [err, tol] = check(n, a.data(), b.data(), c.data());

  // The harness's statistics: the same median and (sample) cv as a run.
  const flopscope::Summary stats = flopscope::summarize(rates);
  const double med = stats.median;
  const double best = stats.best;
  const double worst = *std::min_element(rates.begin(), rates.end());
  // Peak per repetition at the clock around it; the series' clock is the
  // median of the probes.
  const double peak_per_hz = flop_per_cycle * static_cast<double>(ctx.threads());
  std::vector<double> efficiency;
  if (clocks_ok && peak_per_hz > 0)
    for (size_t r = 0; r < rates.size(); ++r)
      efficiency.push_back(rates[r] / (peak_per_hz * 0.5 * (clocks[r] + clocks[r + 1])));
  const double hz = clocks_ok ? flopscope::summarize(clocks).median : 0.0;
  const double peak = peak_per_hz * hz;
  const double nan = std::nan("");
  const auto es = efficiency.empty() ? flopscope::Summary{} : flopscope::summarize(efficiency);
  const double es_worst =
      efficiency.empty() ? nan : *std::min_element(efficiency.begin(), efficiency.end());
  std::printf(
      "%s n=%lld: median %.1f GFLOP/s (best %.1f, worst %.1f, cv %.1f%%, %d reps x %d calls)",
      sizeof(T) == 8 ? "fp64" : "fp32", static_cast<long long>(n), med * 1e-9, best * 1e-9,
      worst * 1e-9, 100.0 * stats.cv, o.reps, calls);
  if (!efficiency.empty()) {
    std::printf(
        "; clock median %.3f GHz (%.3f-%.3f over %zu probes, first %.3f, last %.3f); "
        "peak at that clock %.1f GFLOP/s; per repetition at its own clock: median %.1f%%, "
        "best %.1f%%, worst %.1f%%",
        hz * 1e-9, *std::min_element(clocks.begin(), clocks.end()) * 1e-9,
        *std::max_element(clocks.begin(), clocks.end()) * 1e-9, clocks.size(),
        clocks.front() * 1e-9, clocks.back() * 1e-9, peak * 1e-9, 100.0 * es.median,
        100.0 * es.best, 100.0 * es_worst);
  } else {
    std::printf("; peak unknown");
  }
  if (chains_ok && !chains.empty()) {
    const double chain = flopscope::summarize(chains).median;
    std::printf("; FMA chains between the repetitions %.1f GFLOP/s (median of %zu, %.1f-%.1f",
                chain * 1e-9, chains.size(), *std::min_element(chains.begin(), chains.end()) * 1e-9,
                *std::max_element(chains.begin(), chains.end()) * 1e-9);
    if (peak > 0) std::printf("; %.1f%% of the clock's peak", 100.0 * chain / peak);
    std::printf("): GEMM median %.1f%% of that", 100.0 * med / chain);
  } else {
    std::printf("; FMA chains: no verified figure");
  }
  const bool ok = err <= tol;
  std::printf("; %s (checksum error %.2e, tolerance %.2e)\n", ok ? "verified" : "CHECK FAILED", err,
              tol);
  // The same series as key=value pairs, for scripts/bench-own-gemm.py;
  // chains_worst is the slowest gap's chains against the peak at the
  // series' clock (about 0.5 where the host gave the cores' FMA units to
  // another vCPU as well: not a quiet machine).
  const double chains_worst = chains_ok && !chains.empty() && peak > 0
                                  ? *std::min_element(chains.begin(), chains.end()) / peak
                                  : nan;
  std::printf(
      "series precision=%s n=%lld median_gflops=%.2f cv=%.4f clock_ghz=%.3f "
      "efficiency_median=%.4f efficiency_worst=%.4f chains_worst=%.4f verified=%s\n",
      sizeof(T) == 8 ? "fp64" : "fp32", static_cast<long long>(n), med * 1e-9, stats.cv, hz * 1e-9,
      efficiency.empty() ? nan : es.median, es_worst, chains_worst, ok ? "yes" : "no");
  std::fflush(stdout);
  return ok;
}

template <typename T>
bool run_precision(const Options& o, const cpu::CpuContext& ctx, const GemmCall<T>& library,
                   double flop_per_cycle) {
  GemmCall<T> call = library;
  if (o.engine == "own") {
    const auto cfg = own_config<T>(o, ctx);
    std::printf("engine: %s (%s)\n", cfg.implementation().c_str(), cfg.blocking.derivation.c_str());
    call = own_call<T>(cfg);
  }
  bool ok = true;
  for (int64_t n : o.sizes) ok = run_series<T>(o, ctx, call, n, flop_per_cycle) && ok;
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  cpu::CpuContext ctx = machine_context();
  if (o.threads > 0) {
    if (o.threads > ctx.threads())
      usage("--threads: this machine has " + std::to_string(ctx.threads()) + " cores");
    ctx.pus.resize(static_cast<size_t>(o.threads));
  }
  if (o.list_variants) {
    for (Precision p : {Precision::fp64, Precision::fp32})
      for (const auto& v : own::own_gemm_variants(ctx.isa, p))
        std::printf("%s %s\n", std::string(flopscope::to_string(p)).c_str(), v.name.c_str());
    return 0;
  }
  if (o.list_libraries) {
    const auto found = library_candidates(ctx.isa, o.library);
    for (const auto& c : found) {
      const std::string variable = gcpu::configuration_variable(c.library.family);
      std::printf("%s %s=%s %s\n", c.id().c_str(), variable.empty() ? "-" : variable.c_str(),
                  c.config.empty() ? "" : c.config.c_str(), c.library.path.c_str());
    }
    return found.empty() ? 3 : 0;
  }
  if (!o.library.empty()) {
    const auto found = library_candidates(ctx.isa, o.library);
    if (found.empty()) {
      std::fprintf(stderr,
                   "bench_own_gemm: --library %s: no installed BLAS configuration of that name "
                   "runs on this CPU (--list-libraries lists them)\n",
                   o.library.c_str());
      return 3;
    }
    const gcpu::GemmCandidate& c = found.front();
    gcpu::EnvList env = gcpu::worker_environment(c, ctx.pus);
    // The worker sets BLIS's inside; this program does it by name after
    // loading the library (blis_arch_by_name), so it travels in the variable.
    if (c.library.family == "blis" && !c.config.empty())
      env.emplace_back(gcpu::configuration_variable(c.library.family), c.config);
    o.engine = c.library.path;
    apply_library_environment(env, true, ctx.pus, argv);
  } else if (o.engine != "own") {
    apply_library_environment(gcpu::thread_environment(ctx.pus, openmp_library_at(o.engine)), false,
                              ctx.pus, argv);
  }
  const auto ident = cpu::detect_cpu_ident();
  const auto march = cpu::identify_microarch(ident, nullptr);

  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) < 0) load[0] = -1;
  std::printf("cpu: %s (%s), %d threads pinned to PUs", ident.model_name.c_str(),
              march ? march->name.c_str() : "microarchitecture unknown", ctx.threads());
  for (int pu : ctx.pus) std::printf(" %d", pu);
  std::printf("; caches L1d %llu KiB, L2 %llu KiB, L3 %llu KiB (%s); load average %.2f\n",
              static_cast<unsigned long long>(ctx.l1d_bytes_per_core >> 10),
              static_cast<unsigned long long>(ctx.l2_bytes_per_core >> 10),
              static_cast<unsigned long long>(ctx.l3_bytes_total >> 10), ctx.cache_source.c_str(),
              load[0]);

  Engine lib;
  if (o.engine != "own") {
    lib = library_engine(o.engine, ctx.pus);
    std::printf("engine: %s\n", lib.name.c_str());
  }
  bool ok = true;
  for (Precision p : o.precisions) {
    const double per_cycle = march ? cpu::vector_per_cycle(*march, ctx.isa, p).ops : 0;
    ok = (p == Precision::fp64 ? run_precision<double>(o, ctx, lib.dgemm, per_cycle)
                               : run_precision<float>(o, ctx, lib.sgemm, per_cycle)) &&
         ok;
  }
  return ok ? 0 : 1;
}
