#include "kernels/stencil/cpu/stencil_cpu.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

#include "devices/cpu/thread_pinning.h"
#include "kernels/stencil/cpu/stencil_grid.h"
#include "kernels/stencil/cpu/stencil_sweeps.h"
#include "kernels/stream/cpu/page_buffer.h"
#include "kernels/stream/cpu/stream_cpu.h"

namespace flopscope::stencil::cpu {

int64_t choose_block_rows(int radius, int64_t ny, int64_t pitch_bytes, uint64_t l2_per_core,
                          uint64_t l3_total, int threads, std::string* why) {
  const int64_t planes = 2 * radius + 1;
  auto rows_fitting = [&](uint64_t budget) {
    return static_cast<int64_t>(budget / static_cast<uint64_t>(planes * pitch_bytes)) - 2 * radius;
  };
  // A third of the core's L2 (stencil_cpu.h says why 2R+1 planes); half of
  // the thread's share of the L3 for a caller that knows no L2 (the CPU
  // backend substitutes 1 MiB for an unknown or implausible L2, so a run
  // always has one).
  const bool l2 = l2_per_core > 0;
  const uint64_t budget =
      l2 ? l2_per_core / 3 : l3_total / static_cast<uint64_t>(std::max(1, threads)) / 2;
  // A block re-reads 2R halo rows: never thinner than 8R rows. The 25-point
  // star's 9 planes rarely fit a third of an L2 at all: its blocks are that floor,
  // and `why` says so.
  const int64_t floor_rows = std::min<int64_t>(ny, 8 * radius);
  const int64_t fitting = rows_fitting(budget);
  if (why) *why = fitting < floor_rows ? "8R-floor" : l2 ? "L2" : "L3";
  return std::clamp<int64_t>(fitting, floor_rows, ny);
}

bool choose_streaming_stores(uint64_t grid_bytes, uint64_t l3_total) {
  return grid_bytes > l3_total;
}

namespace {

// The second grid starts 1 MiB + 64 B further into its mapping than the
// first: both are 2 MiB aligned, and with equal offsets the sweep's read
// stream and its write stream walk the same DRAM bank pattern in step;
// shifted, a test sweep ran about 5% faster on Zen 3 (within the noise of a
// shared machine, but never slower).
constexpr size_t kSecondGridShiftBytes = (size_t{1} << 20) + 64;

template <typename T>
using SweepFn = void (*)(const SweepTask<T>&);

template <typename T>
SweepFn<T> sweep_for(SweepIsa isa) {
#if defined(__x86_64__)
  if (isa == SweepIsa::avx512) return static_cast<SweepFn<T>>(sweep_avx512);
  if (isa == SweepIsa::avx2) return static_cast<SweepFn<T>>(sweep_avx2);
#else
  (void)isa;
#endif
  return static_cast<SweepFn<T>>(sweep_generic);
}

template <typename T>
class CpuStencilRun final : public KernelRun {
 public:
  explicit CpuStencilRun(const StencilConfig& c)
      : config_(c),
        grid_(make_layout(c.nx, c.ny, c.nz, radius(c.star), static_cast<int>(sizeof(T)))),
        fn_(sweep_for<T>(c.isa)) {
    threads_ = c.pus.empty() ? 1 : static_cast<int>(c.pus.size());
    threads_ = static_cast<int>(std::min<int64_t>(threads_, grid_.nz));
    for (int r = 0; r <= grid_.radius; ++r) weights_[r] = static_cast<T>(weight(grid_.radius, r));
    const uint64_t grid_bytes = static_cast<uint64_t>(grid_.elements) * sizeof(T);
    block_rows_ = c.block_rows > 0
                      ? std::min(c.block_rows, grid_.ny)
                      : choose_block_rows(
                            grid_.radius, grid_.ny, grid_.pitch * static_cast<int64_t>(sizeof(T)),
                            c.l2_bytes_per_core, c.l3_bytes_total, threads_, &block_source_);
    if (c.block_rows > 0) block_source_ = "given";
    streaming_ = c.streaming_stores >= 0 ? c.streaming_stores == 1
                                         : choose_streaming_stores(grid_bytes, c.l3_bytes_total);
    if (c.isa == SweepIsa::generic) streaming_ = false;
    const size_t shift = kSecondGridShiftBytes / sizeof(T);
    grid_a_ = stream::cpu::PageBuffer<T>(static_cast<size_t>(grid_.elements));
    grid_b_ = stream::cpu::PageBuffer<T>(static_cast<size_t>(grid_.elements) + shift);
    current_ = grid_a_.data();
    previous_ = grid_b_.data() + shift;
    first_touch();
  }

  std::string implementation() const override {
    char buf[160];
    std::snprintf(buf, sizeof buf, "flopscope-jacobi-%s,%s,yblock=%lld(%s),threads=%d",
                  std::string(to_string(config_.isa)).c_str(), streaming_ ? "nt-stores" : "stores",
                  static_cast<long long>(block_rows_), block_source_.c_str(), threads_);
    return buf;
  }
  double flop_per_iteration() const override {
    return static_cast<double>(flop_per_point(grid_.radius)) * points();
  }
  double bytes_per_iteration() const override {
    return static_cast<double>(bytes_per_point(sizeof(T))) * points();
  }
  // Both grids, halo included.
  std::optional<MemoryFootprint> footprint() const override {
    return MemoryFootprint{2.0 * static_cast<double>(grid_.elements) * sizeof(T),
                           static_cast<double>(config_.l3_bytes_total), "L3"};
  }

  double run(int64_t iterations) override {
    auto t0 = std::chrono::steady_clock::now();
    // One parallel region for the batch, a barrier between sweeps: a sweep
    // reads planes its neighbours wrote in the sweep before.
#pragma omp parallel num_threads(threads_)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(config_.pus, t);
      SweepTask<T> task;
      task.grid = grid_;
      task.weights = weights_;
      std::tie(task.z0, task.z1) = slab(grid_, t, threads_);
      task.block_rows = block_rows_;
      task.streaming_stores = streaming_;
      T* in = current_;
      T* out = previous_;
      for (int64_t i = 0; i < iterations; ++i) {
        task.in = in;
        task.out = out;
        fn_(task);
        std::swap(in, out);
#pragma omp barrier
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // `current_` holds the newest grid and `previous_` the input of the last
    // sweep, which verify() sweeps again on the host.
    if (iterations % 2 == 1) std::swap(current_, previous_);
    sweeps_ += iterations;
    if (iterations > 0) copied_over_input_ = false;
    return s;
  }

  // The newest grid copied over the other one with the stream kernel's copy
  // loop (same instruction set, same streaming stores, same threads): one
  // read and one write of a grid, the traffic a sweep must move. The other
  // grid holds the last sweep's input, which the next sweep overwrites
  // before anything reads it; until then verify() checks the copy.
  //
  // Timed as STREAM times its kernels: the best of several passes after an
  // untimed first one. A single pass (about 1 ms for a 56 MiB grid on 2 Zen 5
  // cores) also timed waking and pinning the threads: it read 69-72 GB/s
  // where the run's stream copy read 85-99, and put the 7-point sweep at
  // 102-108% of its roofline. After the first pass the grids are equal, so
  // the later ones alternate direction: each reads the grid the pass before
  // wrote with streaming stores, not the one it just read through the cache.
  std::optional<double> time_interleaved_copy() override {
    constexpr int kPasses = 4;  // the first untimed
    double best = std::numeric_limits<double>::infinity();
#pragma omp parallel num_threads(threads_)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(config_.pus, t);
      std::chrono::steady_clock::time_point t0;
      for (int pass = 0; pass < kPasses; ++pass) {
#pragma omp barrier
        if (t == 0) t0 = std::chrono::steady_clock::now();
        const bool back = pass % 2 == 1;
        stream::cpu::copy_share(config_.isa, back ? current_ : previous_,
                                back ? previous_ : current_, grid_.elements, t, threads_,
                                streaming_);
#pragma omp barrier
        if (t == 0 && pass > 0)
          best = std::min(
              best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
    }
    copied_over_input_ = true;
    if (!(best > 0) || !std::isfinite(best)) return std::nullopt;
    return stream::bytes_per_element(stream::Op::copy, sizeof(T)) *
           static_cast<double>(grid_.elements) / best;
  }

  Verification verify() override {
    Verification v;
    v.tolerance = tolerance(grid_.radius, std::numeric_limits<T>::epsilon());
    if (copied_over_input_) return verify_copy();
    if (sweeps_ == 0) {
      v.detail = "no sweep has run";
      return v;
    }
    v.checked = true;
    const int r = grid_.radius;
    double w[5];
    for (int i = 0; i <= r; ++i) w[i] = static_cast<double>(weights_[i]);
    const T* in = previous_;
    const T* out = current_;
    const int64_t nx = grid_.nx, sy = grid_.pitch, sz = grid_.plane;
    // Worst absolute difference, largest reference value, and the halo:
    // every point of the grid is looked at.
    struct Worst {
      double diff = 0;
      double scale = 0;
      int64_t x = 0, y = 0, z = 0;
      int64_t halo_changed = 0;
    };
    std::vector<Worst> worst(static_cast<size_t>(threads_));
#pragma omp parallel num_threads(threads_)
    {
      Worst& mine = worst[static_cast<size_t>(omp_get_thread_num())];
      std::vector<double> want(static_cast<size_t>(nx));
#pragma omp for schedule(static)
      for (int64_t z = -r; z < grid_.nz + r; ++z)
        for (int64_t y = -r; y < grid_.ny + r; ++y) {
          const int64_t row = offset(grid_, 0, y, z);
          const bool interior_row = y >= 0 && y < grid_.ny && z >= 0 && z < grid_.nz;
          // The boundary is fixed: bit for bit what it was.
          for (int64_t x = -r; x < nx + r; ++x)
            if ((!interior_row || x < 0 || x >= nx) && !(out[row + x] == in[row + x]))
              ++mine.halo_changed;
          if (!interior_row) continue;
          // A plain sweep of the row in double, then the comparison.
          const T* p = in + row;
          for (int64_t x = 0; x < nx; ++x) {
            const T* q = p + x;
            auto u = [q, sy, sz](int dx, int dy, int dz) {
              return static_cast<double>(q[dx + dy * sy + dz * sz]);
            };
            want[static_cast<size_t>(x)] = r == 1 ? star_point<1, ScalarOps<double>>(w, u)
                                                  : star_point<4, ScalarOps<double>>(w, u);
          }
          for (int64_t x = 0; x < nx; ++x) {
            const double ref = want[static_cast<size_t>(x)];
            const double diff = std::fabs(static_cast<double>(out[row + x]) - ref);
            mine.scale = std::max(mine.scale, std::fabs(ref));
            if (!(diff <= mine.diff)) {  // NaN counts as worst
              mine.diff = std::isnan(diff) ? INFINITY : diff;
              mine.x = x;
              mine.y = y;
              mine.z = z;
            }
          }
        }
    }
    Worst all;
    for (const auto& m : worst) {
      all.scale = std::max(all.scale, m.scale);
      all.halo_changed += m.halo_changed;
      if (m.diff > all.diff) {
        all.diff = m.diff;
        all.x = m.x;
        all.y = m.y;
        all.z = m.z;
      }
    }
    v.max_error = all.scale > 0 ? all.diff / all.scale : all.diff;
    if (all.halo_changed > 0) v.max_error = INFINITY;
    v.passed = v.max_error <= v.tolerance;
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "the last sweep, every point of %lldx%lldx%lld and its %d-point halo, against "
                  "a plain host sweep in double; worst at (%lld,%lld,%lld); %lld halo points "
                  "changed",
                  static_cast<long long>(grid_.nx), static_cast<long long>(grid_.ny),
                  static_cast<long long>(grid_.nz), r, static_cast<long long>(all.x),
                  static_cast<long long>(all.y), static_cast<long long>(all.z),
                  static_cast<long long>(all.halo_changed));
    v.detail = buf;
    return v;
  }

  // `element` indexes the logical grid, halo included: any point can be hit.
  bool corrupt_output_for_test(int64_t element) override {
    const int64_t r = grid_.radius;
    const int64_t ex = grid_.nx + 2 * r, ey = grid_.ny + 2 * r;
    const int64_t e =
        ((element % logical_points(grid_)) + logical_points(grid_)) % logical_points(grid_);
    const int64_t x = e % ex - r, y = e / ex % ey - r, z = e / (ex * ey) - r;
    current_[static_cast<size_t>(offset(grid_, x, y, z))] += T(1);
    return true;
  }

 private:
  // After time_interleaved_copy and before the next sweep: the copy itself,
  // every element of the grid (halo and padding too) equal to the newest
  // grid's, bit for bit.
  Verification verify_copy() const {
    Verification v;
    v.checked = true;
    int64_t differ = 0;
#pragma omp parallel for num_threads(threads_) reduction(+ : differ) schedule(static)
    for (int64_t i = 0; i < grid_.elements; ++i) differ += !(previous_[i] == current_[i]);
    v.passed = differ == 0;
    v.max_error = differ == 0 ? 0.0 : INFINITY;
    v.detail = "the interleaved copy: every one of " + std::to_string(grid_.elements) +
               " elements equal to the newest grid's";
    if (differ) v.detail += ": " + std::to_string(differ) + " differ";
    return v;
  }

  double points() const {
    return static_cast<double>(grid_.nx) * static_cast<double>(grid_.ny) *
           static_cast<double>(grid_.nz);
  }

  // Each thread writes the planes it will sweep (and the halo planes beside
  // them), so the pages land on its NUMA node; the padding is zeroed too.
  void first_touch() {
#pragma omp parallel num_threads(threads_)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(config_.pus, t);
      auto [z0, z1] = slab(grid_, t, threads_);
      const int64_t r = grid_.radius;
      if (t == 0) z0 = -r;
      if (t == threads_ - 1) z1 = grid_.nz + r;
      // Whole planes (storage plane z + r), padding included.
      const int64_t begin = (z0 + r) * grid_.plane;
      const int64_t end = t == threads_ - 1 ? grid_.elements : (z1 + r) * grid_.plane;
      T* a = current_;
      T* b = previous_;
      for (int64_t i = begin; i < end; ++i) a[i] = b[i] = T(0);
      for (int64_t z = z0; z < z1; ++z)
        for (int64_t y = -r; y < grid_.ny + r; ++y)
          for (int64_t x = -r; x < grid_.nx + r; ++x) {
            const int64_t o = offset(grid_, x, y, z);
            a[o] = b[o] =
                static_cast<T>(initial_value(config_.seed, logical_index(grid_, x, y, z)));
          }
    }
  }

  StencilConfig config_;
  GridLayout grid_;
  SweepFn<T> fn_;
  int threads_ = 1;
  T weights_[5] = {};
  int64_t block_rows_ = 1;
  std::string block_source_;
  bool streaming_ = false;
  stream::cpu::PageBuffer<T> grid_a_, grid_b_;
  T* current_ = nullptr;   // the newest grid
  T* previous_ = nullptr;  // the input of the last sweep
  int64_t sweeps_ = 0;
  bool copied_over_input_ = false;  // time_interleaved_copy overwrote previous_, no sweep since
};

}  // namespace

std::unique_ptr<KernelRun> make_cpu_stencil_run(const StencilConfig& c) {
  if (c.precision == Precision::fp64) return std::make_unique<CpuStencilRun<double>>(c);
  if (c.precision == Precision::fp32) return std::make_unique<CpuStencilRun<float>>(c);
  return nullptr;
}

}  // namespace flopscope::stencil::cpu
