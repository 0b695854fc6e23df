#include "kernels/fft/cpu/fft_cpu.h"

#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "devices/cpu/thread_pinning.h"
#include "harness/errors.h"
#include "kernels/fft/cpu/fft_check.h"
#include "kernels/fft/cpu/fftw_library.h"
#include "kernels/fft/cpu/fftw_wisdom.h"
#include "kernels/fft/fft_spec.h"

namespace flopscope::fft::cpu {

namespace {

// Seeded pseudo-random input in [-1, 1), a pure function of (seed, index).
double input_value(uint64_t seed, uint64_t index) {
  uint64_t z = seed ^ 0xF0F7A5EDull ^ (index * 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1p-52 - 1.0;
}

FftShape shape_of(const ProblemSize& s) {
  FftShape f;
  if (s.get("n") > 0) {
    f.dims = {s.get("n")};
  } else {
    for (const char* d : {"nx", "ny", "nz"})
      if (s.get(d) > 0) f.dims.push_back(s.get(d));
  }
  f.batch = s.get("batch", 1);
  return f;
}

ProblemSize size_of(const std::vector<int64_t>& dims, int64_t batch) {
  ProblemSize s;
  if (dims.size() == 1) {
    s.dims = {{"n", dims[0]}};
  } else {
    static const char* names[] = {"nx", "ny", "nz"};
    for (size_t i = 0; i < dims.size(); ++i) s.dims.push_back({names[i], dims[i]});
  }
  s.dims.push_back({"batch", batch});
  return s;
}

int complex_bytes(Precision p) {
  return p == Precision::fp64 ? 16 : 8;
}

// The threads an FFTW run uses on these PUs.
int fftw_threads(const std::vector<int>& pus) {
  return pus.empty() ? 1 : static_cast<int>(pus.size());
}

// An FFTW run's implementation(), known before it plans: a forced
// --implementation is held to it first (make_cpu_fft_run).
template <typename T>
std::string fftw_name(const FftwLibrary<T>& lib, int threads) {
  return lib.version + " " + lib.threading +
         " threads=" + std::to_string(lib.plan_with_nthreads ? threads : 1) + " FFTW_MEASURE";
}

template <typename T>
class FftwRun final : public KernelRun {
 public:
  FftwRun(const FftwLibrary<T>* lib, FftShape shape, std::vector<int> pus, uint64_t seed,
          const std::string& precision)
      : lib_(lib), shape_(std::move(shape)), pus_(std::move(pus)) {
    threads_ = fftw_threads(pus_);
    const size_t reals = static_cast<size_t>(shape_.points() * shape_.batch) * 2;
    in_ = static_cast<T*>(lib_->malloc_(reals * sizeof(T)));
    out_ = static_cast<T*>(lib_->malloc_(reals * sizeof(T)));
    back_ = static_cast<T*>(lib_->malloc_(reals * sizeof(T)));
    if (!in_ || !out_ || !back_) {
      release();
      throw DeviceError("fft: out of memory for the FFTW arrays");
    }
    pin_threads();

    // Planning overwrites the arrays, so it comes first; the wisdom file
    // makes later runs' FFTW_MEASURE planning instant.
    if (lib_->plan_with_nthreads) lib_->plan_with_nthreads(threads_);
    wisdom_file_ = wisdom_path(precision);
    wisdom_imported_ =
        !wisdom_file_.empty() && lib_->import_wisdom_from_filename(wisdom_file_.c_str()) != 0;
    const auto planning = std::chrono::steady_clock::now();
    std::vector<int> n(shape_.dims.begin(), shape_.dims.end());
    const int rank = static_cast<int>(n.size()), dist = static_cast<int>(shape_.points());
    const int howmany = static_cast<int>(shape_.batch);
    forward_ = lib_->plan_many_dft(rank, n.data(), howmany, in_, nullptr, 1, dist, out_, nullptr, 1,
                                   dist, kForward, kMeasure);
    backward_ = lib_->plan_many_dft(rank, n.data(), howmany, out_, nullptr, 1, dist, back_, nullptr,
                                    1, dist, kBackward, kMeasure);
    if (!forward_ || !backward_) {
      release();
      throw DeviceError("fft: FFTW could not plan the transform");
    }
    planning_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - planning).count();
    if (char* w = lib_->export_wisdom_to_string()) {
      save_wisdom(wisdom_file_, w);
      std::free(w);
    }

    const int64_t total = static_cast<int64_t>(reals);
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t i = 0; i < total; ++i) {
      in_[i] = static_cast<T>(input_value(seed, static_cast<uint64_t>(i)));
      out_[i] = std::numeric_limits<T>::quiet_NaN();
    }
  }

  ~FftwRun() override {
    release();
  }

  std::string implementation() const override {
    return fftw_name(*lib_, threads_);
  }
  double flop_per_iteration() const override {
    return flop_count(static_cast<double>(shape_.points()), shape_.batch);
  }
  // How the plan came about: FFTW_MEASURE picks among algorithms by timing
  // them, so two plannings can differ by tens of percent on a busy machine;
  // the wisdom file holds the plan that was timed, and reproduces it.
  nlohmann::json details() const override {
    return {{"planner", "FFTW_MEASURE"},
            {"wisdom_file",
             wisdom_file_.empty() ? nlohmann::json(nullptr) : nlohmann::json(wisdom_file_)},
            {"wisdom_imported", wisdom_imported_},
            {"planning_seconds", planning_seconds_}};
  }
  double bytes_per_iteration() const override {
    return compulsory_bytes(static_cast<double>(shape_.points()), shape_.batch,
                            static_cast<int>(2 * sizeof(T)));
  }
  PeakUnit peak_unit() const override {
    return PeakUnit::vector;
  }

  double run(int64_t iterations) override {
    pin_threads();
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; ++i) lib_->execute(forward_);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  Verification verify() override {
    Verification v;
    v.checked = true;
    const double points = static_cast<double>(shape_.points());
    v.tolerance = tolerance(std::numeric_limits<T>::epsilon(), points);
    lib_->execute(backward_);
    const double round_trip = round_trip_error(in_, back_, shape_);
    v.max_error = round_trip;
    int bad_bins = 0;
    if (!twiddles_) twiddles_ = std::make_unique<Twiddles>(shape_.dims);
    // Bin 0, the last bin and two pseudo-random ones, in the first and the
    // last transform of the batch.
    int bins = 0;
    for (int64_t t : {int64_t{0}, shape_.batch - 1}) {
      const T* x = in_ + 2 * t * shape_.points();
      const T* X = out_ + 2 * t * shape_.points();
      for (int j = 0; j < 4; ++j) {
        std::vector<int64_t> bin;
        for (size_t d = 0; d < shape_.dims.size(); ++d) {
          const int64_t nd = shape_.dims[d];
          bin.push_back(j == 0 ? 0 : j == 1 ? nd - 1 : (nd * (2 * j + 1) / 7 + t) % nd);
        }
        const double e = bin_error(x, X, shape_, *twiddles_, bin);
        ++bins;
        if (!(e <= v.tolerance)) ++bad_bins;
        if (std::isnan(e) || e > v.max_error) v.max_error = std::isnan(e) ? INFINITY : e;
      }
      if (shape_.batch == 1) break;
    }
    v.passed = round_trip <= v.tolerance && bad_bins == 0;
    v.detail = "round trip (forward, backward / N) of all " + std::to_string(shape_.batch) +
               " transforms against the input; " + std::to_string(bins) +
               " bins against a long-double direct DFT";
    if (!(round_trip <= v.tolerance)) v.detail += ": round trip off";
    if (bad_bins) v.detail += ": " + std::to_string(bad_bins) + " bins off";
    return v;
  }

  // A change of sqrt(N), the typical size of a bin, in one element of the
  // forward transform's output.
  bool corrupt_output_for_test(int64_t element) override {
    const int64_t total = shape_.points() * shape_.batch;
    out_[2 * (element % total)] += static_cast<T>(std::sqrt(static_cast<double>(shape_.points())));
    return true;
  }

 private:
  void release() {
    if (forward_) lib_->destroy_plan(forward_);
    if (backward_) lib_->destroy_plan(backward_);
    for (T* p : {in_, out_, back_})
      if (p) lib_->free_(p);
    forward_ = backward_ = nullptr;
    in_ = out_ = back_ = nullptr;
  }

  // GCC's OpenMP keeps its threads, and FFTW's OpenMP layer runs on them.
  void pin_threads() {
#pragma omp parallel num_threads(threads_)
    flopscope::cpu::pin_omp_thread(pus_, omp_get_thread_num());
  }

  const FftwLibrary<T>* lib_;
  FftShape shape_;
  std::string wisdom_file_;       // empty: no cache folder ($XDG_CACHE_HOME, $HOME unset)
  bool wisdom_imported_ = false;  // a wisdom file was there and FFTW read it
  double planning_seconds_ = 0;   // both plans, forward and backward
  std::vector<int> pus_;
  int threads_ = 1;
  T* in_ = nullptr;
  T* out_ = nullptr;
  T* back_ = nullptr;
  void* forward_ = nullptr;
  void* backward_ = nullptr;
  std::unique_ptr<Twiddles> twiddles_;
};

}  // namespace

int64_t fft_batch(double points, int complex_bytes, uint64_t l3_bytes) {
  const double per_transform = points * complex_bytes;
  return std::max<int64_t>(
      1, static_cast<int64_t>(2.0 * static_cast<double>(l3_bytes) / per_transform) + 1);
}

std::vector<ProblemSize> default_fft_sizes(const flopscope::cpu::CpuContext& ctx, Precision p,
                                           bool quick) {
  const int64_t n1 = quick ? (1 << 16) : (1 << 20), n3 = quick ? 64 : 128;
  // One entry for precisions FFTW lacks: it is reported unsupported once.
  if (p != Precision::fp64 && p != Precision::fp32) return {size_of({n1}, 1)};
  const int cb = complex_bytes(p);
  const double p3 = static_cast<double>(n3 * n3 * n3);
  return {size_of({n1}, fft_batch(static_cast<double>(n1), cb, ctx.l3_bytes_total)),
          size_of({n3, n3, n3}, fft_batch(p3, cb, ctx.l3_bytes_total))};
}

ProblemSize fft_size_from_user(const flopscope::cpu::CpuContext& ctx, Precision p,
                               const std::vector<int64_t>& dims, double memory_bytes) {
  if (dims.empty() || dims.size() > 3)
    throw UsageError("--sizes for fft: N (1-D), NXxNY (2-D) or NXxNYxNZ (3-D)");
  double points = 1;
  for (int64_t d : dims) {
    if (d < 2) throw UsageError("--sizes for fft: every dimension needs at least 2 points");
    points *= static_cast<double>(d);
  }
  if (points > 0x7FFFFFFF) throw UsageError("--sizes for fft: more than 2^31 points per transform");
  const int cb = complex_bytes(p);
  const int64_t batch = fft_batch(points, cb, ctx.l3_bytes_total);
  ProblemSize s = size_of(dims, batch);
  // Input, output and the check's round-trip array.
  const double need = 3.0 * points * static_cast<double>(batch) * cb;
  if (memory_bytes > 0 && need > 0.5 * memory_bytes)
    throw UsageError("--sizes for fft: " + s.label() + " needs " +
                     std::to_string(static_cast<int64_t>(need / (1 << 20))) +
                     " MiB of arrays, more than half of this machine's memory");
  return s;
}

std::unique_ptr<KernelRun> make_cpu_fft_run(const flopscope::cpu::CpuContext& ctx,
                                            const KernelRequest& request,
                                            std::string* unsupported) {
  if (request.precision != Precision::fp64 && request.precision != Precision::fp32) {
    *unsupported =
        "FFTW transforms fp64 and fp32 here, not " + std::string(to_string(request.precision));
    return nullptr;
  }
  // Refused before any planning (FFTW_MEASURE takes seconds): a name that
  // is not FFTW's before the library is loaded, and once it is, one that
  // does not begin the run's whole name ("fftw3" against
  // "fftw-3.3.10-sse2-avx openmp threads=2 FFTW_MEASURE"). The backend then
  // holds the name to the plan's implementation() again (only_if_named).
  if (!may_be_named(request, "fftw", unsupported)) return nullptr;
  FftShape shape = shape_of(request.size);
  const std::string prec(to_string(request.precision));
  auto named = [&](const auto* lib) {
    return lib && may_be_named(request, fftw_name(*lib, fftw_threads(ctx.pus)), unsupported);
  };
  if (request.precision == Precision::fp64) {
    const auto* lib = load_fftw<double>(unsupported);
    if (!named(lib)) return nullptr;
    return std::make_unique<FftwRun<double>>(lib, shape, ctx.pus, request.seed, prec);
  }
  const auto* lib = load_fftw<float>(unsupported);
  if (!named(lib)) return nullptr;
  return std::make_unique<FftwRun<float>>(lib, shape, ctx.pus, request.seed, prec);
}

}  // namespace flopscope::fft::cpu
