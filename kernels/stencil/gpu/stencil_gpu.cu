// Star-stencil sweeps and their run, written once for CUDA and HIP: compiled
// by nvcc into the CUDA plugin and by hipcc into the HIP plugin (the build
// asserts both compile this very file).
// The per-point arithmetic is stencil_spec.h's star_point; defines
// make_gpu_stencil_run.
//
// Grid: the interior nx x ny x nz plus a halo of R points on every face,
// stored unpadded, x fastest (memory index = stencil_spec's logical index).
// Each thread owns one (x, y) column of a chunk of planes and marches up z
// (stencil_column.h), keeping the 2R+1 z-neighbours and the planes loaded
// ahead in registers: every input value is loaded from memory about once,
// the x and y neighbours come from the L1.

#include <cfloat>
#include <cstring>
#include <optional>
#include <string>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/gpu_runtime.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/stencil/gpu/stencil_column.h"
#include "kernels/stencil/gpu/stencil_gpu.h"
#include "kernels/stencil/stencil_spec.h"
#include "kernels/stream/gpu/stream_copy.h"
#include "kernels/stream/gpu/stream_gpu.h"

namespace flopscope::stencil::gpu {

namespace {

// A block's x extent is one warp or wavefront, so each row of the block
// reads one contiguous, fully coalesced segment of the plane: 32 x 8 on
// NVIDIA, 64 x 4 on AMD (CDNA's 64-wide wavefronts; RDNA runs them as two
// 32-wide halves, still coalesced). 256 threads either way.
constexpr int kBlockX = kGpuWavefront, kBlockY = 256 / kGpuWavefront;
constexpr int kPlanesPerChunk = 64;

// The two marches --implementation can ask for: planes loaded ahead (the
// default, stencil_column.h) or each plane loaded in the step that needs it
// (the H200-measured form), so one run can time both.
constexpr const char* kMarchAhead = "z-march-ahead";
constexpr const char* kMarchPlain = "z-march";

struct Grid {
  int64_t nx, ny, nz;
  int r;
  FLOPSCOPE_HOST_DEVICE int64_t ex() const { return nx + 2 * r; }
  FLOPSCOPE_HOST_DEVICE int64_t ey() const { return ny + 2 * r; }
  FLOPSCOPE_HOST_DEVICE int64_t ez() const { return nz + 2 * r; }
  FLOPSCOPE_HOST_DEVICE int64_t points() const { return ex() * ey() * ez(); }
  FLOPSCOPE_HOST_DEVICE int64_t interior() const { return nx * ny * nz; }
};

template <typename T>
__global__ void stencil_init_kernel(T* a, T* b, int64_t n, uint64_t seed) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const T v = static_cast<T>(initial_value(seed, static_cast<uint64_t>(i)));
    a[i] = v;
    b[i] = v;
  }
}

template <int R, int D, typename T>
__global__ void __launch_bounds__(kBlockX* kBlockY)
    star_sweep_kernel(const T* __restrict__ in, T* __restrict__ out, Grid g, T c0, T c1, T c2, T c3,
                      T c4) {
  const int64_t x = blockIdx.x * int64_t(kBlockX) + threadIdx.x;
  const int64_t y = blockIdx.y * int64_t(kBlockY) + threadIdx.y;
  if (x >= g.nx || y >= g.ny) return;
  const int64_t z0 = blockIdx.z * int64_t(kPlanesPerChunk);
  const int64_t z1 = z0 + kPlanesPerChunk < g.nz ? z0 + kPlanesPerChunk : g.nz;
  const int64_t sy = g.ex(), sz = g.ex() * g.ey();
  const T c[5] = {c0, c1, c2, c3, c4};
  // Point (x, y, z) of the interior sits at (x+R, y+R, z+R) of the stored grid.
  const T* col = in + (x + R) + (y + R) * sy;
  T* out_col = out + (x + R) + (y + R) * sy + R * sz;
  march_column<R, D>([&](int64_t plane) { return col[plane * sz]; },
                     [&](int64_t plane, int dx, int dy) { return col[plane * sz + dx + dy * sy]; },
                     [&](int64_t z, T v) { out_col[z * sz] = v; }, z0, z1, c);
}

// The last sweep read `in` and wrote `out`: every interior point of `out`
// against the spec's update of `in` in FP64, every halo point against its
// starting value. Keeps the largest error (as ordered bits of a
// non-negative double) and counts changed halo points.
template <int R, typename T>
__global__ void stencil_check_kernel(const T* in, const T* out, Grid g, uint64_t seed, double c0,
                                     double c1, double c2, double c3, double c4,
                                     unsigned long long* max_err_bits,
                                     unsigned long long* halo_changed) {
  const int64_t sy = g.ex(), sz = g.ex() * g.ey();
  const double c[5] = {c0, c1, c2, c3, c4};
  double local = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < g.points();
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t x = i % g.ex(), y = (i / g.ex()) % g.ey(), z = i / sz;
    const bool interior =
        x >= R && x < g.nx + R && y >= R && y < g.ny + R && z >= R && z < g.nz + R;
    if (!interior) {
      if (out[i] != static_cast<T>(initial_value(seed, static_cast<uint64_t>(i))))
        atomicAdd(halo_changed, 1ull);
      continue;
    }
    auto u = [&](int dx, int dy, int dz) -> double {
      return static_cast<double>(in[i + dx + dy * sy + dz * sz]);
    };
    const double want = star_point<R, ScalarOps<double>>(c, u);
    const double e = fabs(static_cast<double>(out[i]) - want);
    local = (e > local || e != e) ? (e != e ? INFINITY : e) : local;
  }
  atomicMax(max_err_bits, static_cast<unsigned long long>(__double_as_longlong(local)));
}

// Counts the points where the copy `a` differs from the grid `b`.
template <typename T>
__global__ void grid_copy_check_kernel(const T* a, const T* b, int64_t n,
                                       unsigned long long* differ) {
  unsigned long long local = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    local += !(a[i] == b[i]);
  if (local) atomicAdd(differ, local);
}

template <typename T>
class GpuStencilRun final : public KernelRun {
 public:
  GpuStencilRun(const flopscope::gpu::GpuKernelContext& ctx, Star star, int64_t nx, int64_t ny,
                int64_t nz, uint64_t seed, bool ahead)
      : ahead_(ahead),
        device_(ctx.ordinal),
        pinning_(ctx.host_pus),
        star_(star),
        g_{nx, ny, nz, radius(star)},
        seed_(seed),
        l2_bytes_(ctx.l2_bytes) {
    a_ = flopscope::gpu::DeviceBuffer<T>(g_.points());
    b_ = flopscope::gpu::DeviceBuffer<T>(g_.points());
    flags_ = flopscope::gpu::DeviceBuffer<unsigned long long>(2);
    stencil_init_kernel<T><<<ctx.units * 8, 256>>>(a_.get(), b_.get(), g_.points(), seed);
    flopscope::gpu::check_launch("stencil init");
    flopscope::gpu::check(gpuDeviceSynchronize(), "initialising the stencil grids");
    check_grid_ = ctx.units * 8;
  }

  std::string implementation() const override {
    return std::string("flopscope stencil ") + variant_name(star_) + ", " + kGpuRuntimeName +
           std::string(", ").append(ahead_ ? kMarchAhead : kMarchPlain) +
           std::string(" ").append(std::to_string(kBlockX)) +
           std::string("x").append(std::to_string(kBlockY)) + " columns, " +
           std::to_string(ahead_ ? kLookahead<T> : 0) + " planes ahead, " +
           std::to_string(kSweepsPerIteration) + " sweeps per iteration";
  }
  double flop_per_iteration() const override {
    return double(flop_per_point(g_.r)) * double(g_.interior()) * kSweepsPerIteration;
  }
  double bytes_per_iteration() const override {
    return double(bytes_per_point(sizeof(T))) * double(g_.interior()) * kSweepsPerIteration;
  }
  PeakUnit peak_unit() const override { return PeakUnit::vector; }
  // Both grids, halo included.
  std::optional<MemoryFootprint> footprint() const override {
    return MemoryFootprint{2.0 * static_cast<double>(g_.points()) * sizeof(T),
                           static_cast<double>(l2_bytes_), "L2"};
  }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start();
    for (int64_t i = 0; i < iterations * kSweepsPerIteration; ++i) {
      sweep(src(), dst());
      flip_ = !flip_;
    }
    flopscope::gpu::check_launch("stencil sweep");
    if (iterations > 0) {
      copied_over_input_ = false;
      swept_ = true;
    }
    return timer_.stop_seconds();
  }

  // The newest grid copied over the other one by the stream kernel's copy
  // (stream_copy.h), timed with events: one read and one write of a grid,
  // the traffic a sweep must move, so the roofline comes from the same
  // seconds and the same buffers as the sweeps. As many copies per event
  // pair as the stream kernel times per iteration, so launch latency weighs
  // as little as there. The other grid holds the last sweep's input, which
  // the next sweep overwrites before anything reads it; until then verify()
  // checks the copy.
  std::optional<double> time_interleaved_copy() override {
    device_.select();
    constexpr int kCopies = stream::gpu::kPassesPerIteration;
    timer_.start();
    for (int i = 0; i < kCopies; ++i) stream::gpu::launch_stream_copy(dst(), src(), g_.points());
    flopscope::gpu::check_launch("stencil interleaved copy");
    const double s = timer_.stop_seconds();
    copied_over_input_ = true;
    if (!(s > 0)) return std::nullopt;
    return kCopies * double(stream::bytes_per_element(stream::Op::copy, sizeof(T))) *
           static_cast<double>(g_.points()) / s;
  }

  Verification verify() override {
    device_.select();
    if (copied_over_input_) return verify_copy();
    if (!swept_) {
      Verification v;
      v.tolerance = sweep_tolerance();
      v.detail = "no sweep has run";
      return v;
    }
    // After the last sweep the grids swapped: src() holds its output.
    const T* out = src();
    const T* in = dst();
    const unsigned long long zero[2] = {0, 0};
    flopscope::gpu::check(gpuMemcpy(flags_.get(), zero, sizeof zero, gpuMemcpyHostToDevice),
                          "clearing the check flags");
    // The weights as the sweep used them: rounded to T once.
    auto w = [&](int r) { return r <= g_.r ? double(static_cast<T>(weight(g_.r, r))) : 0.0; };
    if (g_.r == 1)
      stencil_check_kernel<1, T><<<check_grid_, 256>>>(in, out, g_, seed_, w(0), w(1), w(2), w(3),
                                                       w(4), flags_.get(), flags_.get() + 1);
    else
      stencil_check_kernel<4, T><<<check_grid_, 256>>>(in, out, g_, seed_, w(0), w(1), w(2), w(3),
                                                       w(4), flags_.get(), flags_.get() + 1);
    flopscope::gpu::check_launch("stencil check");
    unsigned long long got[2];
    flopscope::gpu::check(gpuMemcpy(got, flags_.get(), sizeof got, gpuMemcpyDeviceToHost),
                          "reading the check flags");
    double max_err;
    static_assert(sizeof max_err == sizeof got[0]);
    std::memcpy(&max_err, &got[0], sizeof max_err);
    Verification v;
    v.checked = true;
    v.tolerance = sweep_tolerance();
    // The field stays in [0, 1) (7-point: convex averages) or within 1.15
    // of it (25-point): errors are taken relative to 1.
    v.max_error = got[1] > 0 ? INFINITY : max_err;
    v.passed = v.max_error <= v.tolerance;
    v.detail =
        "last sweep: every interior point against the spec's update in FP64, every "
        "halo point unchanged";
    if (got[1])
      v.detail += std::string(": ").append(std::to_string(got[1])) + " halo points changed";
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    T* out = const_cast<T*>(src());
    // An interior point: the first interior plane, row and column, shifted.
    const int64_t r = g_.r, i = (r + element % g_.nx) + g_.ex() * (r + g_.ey() * r);
    const T bad = static_cast<T>(7.5);
    flopscope::gpu::check(gpuMemcpy(out + i, &bad, sizeof bad, gpuMemcpyHostToDevice),
                          "corrupting");
    return true;
  }

 private:
  // After time_interleaved_copy and before the next sweep: the copy itself,
  // every point of the grid (halo too) equal to the newest grid's.
  Verification verify_copy() {
    const unsigned long long zero = 0;
    flopscope::gpu::check(gpuMemcpy(flags_.get(), &zero, sizeof zero, gpuMemcpyHostToDevice),
                          "clearing the check flags");
    grid_copy_check_kernel<T><<<check_grid_, 256>>>(dst(), src(), g_.points(), flags_.get());
    flopscope::gpu::check_launch("stencil copy check");
    unsigned long long differ = 0;
    flopscope::gpu::check(gpuMemcpy(&differ, flags_.get(), sizeof differ, gpuMemcpyDeviceToHost),
                          "reading the check flags");
    Verification v;
    v.checked = true;
    v.passed = differ == 0;
    v.max_error = differ == 0 ? 0.0 : INFINITY;
    v.detail = "the interleaved copy: every one of " + std::to_string(g_.points()) +
               " points equal to the newest grid's";
    if (differ) v.detail += ": " + std::to_string(differ) + " differ";
    return v;
  }

  double sweep_tolerance() const {
    return tolerance(g_.r, sizeof(T) == 8 ? DBL_EPSILON : FLT_EPSILON);
  }

  const T* src() const { return flip_ ? b_.get() : a_.get(); }
  T* dst() const { return flip_ ? a_.get() : b_.get(); }

  void sweep(const T* in, T* out) {
    const dim3 block(kBlockX, kBlockY);
    const dim3 grid(static_cast<unsigned>((g_.nx + kBlockX - 1) / kBlockX),
                    static_cast<unsigned>((g_.ny + kBlockY - 1) / kBlockY),
                    static_cast<unsigned>((g_.nz + kPlanesPerChunk - 1) / kPlanesPerChunk));
    auto w = [&](int r) { return r <= g_.r ? static_cast<T>(weight(g_.r, r)) : T(0); };
    sweep_kernel(g_.r, ahead_)<<<grid, block>>>(in, out, g_, w(0), w(1), w(2), w(3), w(4));
  }

  // The instance for the star and the march: look-ahead of kLookahead<T>
  // planes, or none.
  using SweepKernel = void (*)(const T*, T*, Grid, T, T, T, T, T);
  static SweepKernel sweep_kernel(int r, bool ahead) {
    constexpr int D = kLookahead<T>;
    if (r == 1) return ahead ? star_sweep_kernel<1, D, T> : star_sweep_kernel<1, 0, T>;
    return ahead ? star_sweep_kernel<4, D, T> : star_sweep_kernel<4, 0, T>;
  }

  bool ahead_;
  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  Star star_;
  Grid g_;
  uint64_t seed_;
  uint64_t l2_bytes_;
  bool flip_ = false;
  flopscope::gpu::DeviceBuffer<T> a_, b_;
  flopscope::gpu::DeviceBuffer<unsigned long long> flags_;
  flopscope::gpu::EventTimer timer_;  // the sweeps, and the interleaved copies
  unsigned check_grid_ = 0;
  bool copied_over_input_ = false;  // time_interleaved_copy overwrote dst(), no sweep since
  bool swept_ = false;              // a sweep has run: verify() has an update to check
};

}  // namespace

std::unique_ptr<KernelRun> make_gpu_stencil_run(const flopscope::gpu::GpuKernelContext& c,
                                                const KernelRequest& request,
                                                std::string* unsupported) {
  auto refuse = [&](std::string why) -> std::unique_ptr<KernelRun> {
    if (unsupported) *unsupported = std::move(why);
    return nullptr;
  };
  const std::string& v = request.size.variant;
  if (v != variant_name(Star::point7) && v != variant_name(Star::point25))
    return refuse("stencil variant '" + v + "' (7-point or 25-point)");
  const Star star = v == variant_name(Star::point7) ? Star::point7 : Star::point25;
  const int64_t nx = request.size.get("nx"), ny = request.size.get("ny"),
                nz = request.size.get("nz");
  if (nx < 1 || ny < 1 || nz < 1) return refuse("stencil size needs nx, ny, nz > 0");
  const int r = radius(star);
  const uint64_t eb = request.precision == Precision::fp32 ? 4 : 8;
  const uint64_t bytes =
      2 * eb * uint64_t(nx + 2 * r) * uint64_t(ny + 2 * r) * uint64_t(nz + 2 * r);
  if (bytes > c.memory_bytes * 9 / 10) return refuse("stencil grids do not fit in memory");
  const std::string& want = request.implementation;
  if (!want.empty() && want != kMarchAhead && want != kMarchPlain)
    return refuse("no implementation '" + want +
                  "' for the GPU stencil; available: " + kMarchAhead + ", " + kMarchPlain);
  const bool ahead = want != kMarchPlain;
  if (request.precision == Precision::fp64)
    return std::make_unique<GpuStencilRun<double>>(c, star, nx, ny, nz, request.seed, ahead);
  if (request.precision == Precision::fp32)
    return std::make_unique<GpuStencilRun<float>>(c, star, nx, ny, nz, request.seed, ahead);
  return refuse("the GPU stencil runs in fp64 and fp32");
}

}  // namespace flopscope::stencil::gpu
