// Stream kernels and their run, written once for CUDA and HIP through the
// runtime shim: compiled by nvcc into the CUDA plugin and by hipcc into the
// HIP plugin (the build asserts both compile this very file). Defines
// make_gpu_stream_run. The copy pass is stream_copy.h's, which the GPU
// stencil also times for its roofline.

#include <cfloat>
#include <string>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/gpu_runtime.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/stream/gpu/stream_copy.h"
#include "kernels/stream/gpu/stream_gpu.h"
#include "kernels/stream/stream_spec.h"

namespace flopscope::stream::gpu {

namespace {

template <typename T>
__device__ inline T triad(T b, T c) {
  return b + static_cast<T>(kTriadScalar) * c;
}
__device__ inline double2 triad_vec(double2 b, double2 c) {
  return make_double2(triad(b.x, c.x), triad(b.y, c.y));
}
__device__ inline float4 triad_vec(float4 b, float4 c) {
  return make_float4(triad(b.x, c.x), triad(b.y, c.y), triad(b.z, c.z), triad(b.w, c.w));
}

template <typename V>
__global__ void stream_triad_kernel(V* __restrict__ a, const V* __restrict__ b,
                                    const V* __restrict__ c, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    a[i] = triad_vec(b[i], c[i]);
}

// stream_spec.h's inputs; a starts at zero so an output never written fails.
template <typename T>
__global__ void stream_init_kernel(T* a, T* b, T* c, int64_t n, uint64_t seed) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    a[i] = T(0);
    b[i] = static_cast<T>(input_b(seed, i));
    c[i] = static_cast<T>(input_c(seed, i));
  }
}

// Counts output elements off by more than `tolerance` (relative) from the
// exact result of the stored inputs; keeps the first one.
template <typename T>
__global__ void stream_check_kernel(const T* a, const T* b, const T* c, int64_t n, Op op,
                                    double tolerance, unsigned long long* bad,
                                    unsigned long long* first) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const double want = op == Op::copy ? double(b[i]) : double(b[i]) + kTriadScalar * double(c[i]);
    const double err = fabs(double(a[i]) - want) / fabs(want);
    if (!(err <= tolerance)) {
      atomicAdd(bad, 1ull);
      atomicMin(first, static_cast<unsigned long long>(i));
    }
  }
}

template <typename T>
class GpuStreamRun final : public KernelRun {
 public:
  GpuStreamRun(const flopscope::gpu::GpuKernelContext& ctx, Op op, int64_t n, uint64_t seed)
      : device_(ctx.ordinal), pinning_(ctx.host_pus), op_(op), n_(n), l2_bytes_(ctx.l2_bytes) {
    a_ = flopscope::gpu::DeviceBuffer<T>(n);
    b_ = flopscope::gpu::DeviceBuffer<T>(n);
    c_ = flopscope::gpu::DeviceBuffer<T>(n);
    flags_ = flopscope::gpu::DeviceBuffer<unsigned long long>(2);
    stream_init_kernel<T><<<ctx.units * 8, kStreamThreads>>>(a_.get(), b_.get(), c_.get(), n, seed);
    flopscope::gpu::check_launch("stream init");
    grid_ = stream_blocks(n / Vec<T>::lanes);  // as the copy (stream_copy.h)
    check_grid_ = static_cast<unsigned>(ctx.units * 8);
    flopscope::gpu::check(gpuDeviceSynchronize(), "initialising stream arrays");
  }

  std::string implementation() const override {
    return std::string("flopscope stream ") + variant_name(op_) + ", " + kGpuRuntimeName +
           std::string(", ").append(std::to_string(16 / sizeof(T))) +
           std::string("-wide 16-byte accesses, ").append(std::to_string(kPassesPerIteration)) +
           " passes per iteration";
  }
  double flop_per_iteration() const override {
    return flop_per_element(op_) * static_cast<double>(n_) * kPassesPerIteration;
  }
  double bytes_per_iteration() const override {
    return bytes_per_element(op_, sizeof(T)) * static_cast<double>(n_) * kPassesPerIteration;
  }
  PeakUnit peak_unit() const override { return PeakUnit::vector; }
  std::optional<MemoryFootprint> footprint() const override {
    return MemoryFootprint{bytes_per_element(op_, sizeof(T)) * static_cast<double>(n_),
                           static_cast<double>(l2_bytes_), "L2"};
  }

  double run(int64_t iterations) override {
    using V = typename Vec<T>::type;
    const int64_t nv = n_ / Vec<T>::lanes;
    device_.select();
    timer_.start();
    for (int64_t it = 0; it < iterations * kPassesPerIteration; ++it) {
      if (op_ == Op::copy)
        launch_stream_copy(a_.get(), b_.get(), n_);
      else
        stream_triad_kernel<V><<<grid_, kStreamThreads>>>(reinterpret_cast<V*>(a_.get()),
                                                          reinterpret_cast<const V*>(b_.get()),
                                                          reinterpret_cast<const V*>(c_.get()), nv);
    }
    flopscope::gpu::check_launch("stream");
    return timer_.stop_seconds();
  }

  Verification verify() override {
    device_.select();
    const unsigned long long init[2] = {0, ~0ull};
    flopscope::gpu::check(gpuMemcpy(flags_.get(), init, sizeof init, gpuMemcpyHostToDevice),
                          "clearing the check flags");
    const double tol = tolerance(op_, sizeof(T) == 8 ? DBL_EPSILON : FLT_EPSILON);
    stream_check_kernel<T><<<check_grid_, kStreamThreads>>>(a_.get(), b_.get(), c_.get(), n_, op_,
                                                            tol, flags_.get(), flags_.get() + 1);
    flopscope::gpu::check_launch("stream check");
    unsigned long long got[2];
    flopscope::gpu::check(gpuMemcpy(got, flags_.get(), sizeof got, gpuMemcpyDeviceToHost),
                          "reading the check flags");
    Verification v;
    v.checked = true;
    v.passed = got[0] == 0;
    v.tolerance = tol;
    v.max_error = got[0] == 0 ? 0.0 : 1.0;
    v.detail = std::string("every one of ").append(std::to_string(n_)) +
               " output elements within the tolerance of the exact result of its inputs";
    if (got[0])
      v.detail += std::string(": ").append(std::to_string(got[0])) +
                  std::string(" differ, first at ").append(std::to_string(got[1]));
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    const T bad = static_cast<T>(-1);
    flopscope::gpu::check(
        gpuMemcpy(a_.get() + element % n_, &bad, sizeof bad, gpuMemcpyHostToDevice), "corrupting");
    return true;
  }

 private:
  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  Op op_;
  int64_t n_;
  uint64_t l2_bytes_;  // where a small array would stay
  flopscope::gpu::DeviceBuffer<T> a_, b_, c_;
  flopscope::gpu::DeviceBuffer<unsigned long long> flags_;
  flopscope::gpu::EventTimer timer_;
  unsigned grid_ = 0, check_grid_ = 0;
};

}  // namespace

std::unique_ptr<KernelRun> make_gpu_stream_run(const flopscope::gpu::GpuKernelContext& c,
                                               const KernelRequest& request,
                                               std::string* unsupported) {
  const std::string& variant = request.size.variant;
  if (variant != "copy" && variant != "triad") {
    if (unsupported) *unsupported = "stream variant '" + variant + "' (copy or triad)";
    return nullptr;
  }
  const Op op = variant == "copy" ? Op::copy : Op::triad;
  const int64_t n = request.size.get("elements");
  if (n <= 0 || n % 1024) {
    if (unsupported) *unsupported = "stream elements must be a positive multiple of 1024";
    return nullptr;
  }
  const uint64_t eb = request.precision == Precision::fp32 ? 4 : 8;
  if (3 * eb * static_cast<uint64_t>(n) > c.memory_bytes * 9 / 10) {
    if (unsupported)
      *unsupported = std::string("stream arrays of ").append(std::to_string(n)) + " do not fit";
    return nullptr;
  }
  if (request.precision == Precision::fp64)
    return std::make_unique<GpuStreamRun<double>>(c, op, n, request.seed);
  if (request.precision == Precision::fp32)
    return std::make_unique<GpuStreamRun<float>>(c, op, n, request.seed);
  if (unsupported) *unsupported = "stream runs in fp64 and fp32";
  return nullptr;
}

}  // namespace flopscope::stream::gpu
