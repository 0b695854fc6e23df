#include <cuda_runtime.h>
#include <cufft.h>

#include <algorithm>
#include <cfloat>
#include <complex>
#include <numbers>

#include "devices/cuda/cuda_check.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/fft/cuda/fft_cuda.h"
#include "kernels/fft/cuda/fft_device_kernels.h"

namespace flopscope::fft::cuda {

namespace {

using flopscope::cuda::check_cufft;
using gpu::check;
using gpu::DeviceBuffer;

constexpr int kCheckedBins = 4;

struct Shape {
  bool three_d = false;
  int64_t n = 0, batch = 1;        // 1-D
  int64_t nx = 0, ny = 0, nz = 0;  // 3-D
  int64_t points() const { return three_d ? nx * ny * nz : n; }
  int64_t transforms() const { return three_d ? 1 : batch; }
  int64_t elements() const { return points() * transforms(); }
};

// e^{-2 pi i (j k mod n) / n} for j = 0..n-1, in long double.
std::vector<std::complex<long double>> twiddles(int64_t n, int64_t k) {
  const long double two_pi = 2.0L * std::numbers::pi_v<long double>;
  std::vector<std::complex<long double>> w(n);
  for (int64_t j = 0; j < n; ++j) {
    const long double a = -two_pi * static_cast<long double>((j * k) % n) / n;
    w[j] = {std::cos(a), std::sin(a)};
  }
  return w;
}

// One output bin of the first transform by a direct DFT in long double.
// cuFFT's 3-D layout is row-major, z fastest: index = (i * ny + j) * nz + k.
std::complex<long double> direct_bin(const std::vector<std::complex<double>>& x, const Shape& s,
                                     int64_t kx, int64_t ky, int64_t kz) {
  std::complex<long double> sum = 0;
  if (!s.three_d) {
    const auto w = twiddles(s.n, kz);
    for (int64_t j = 0; j < s.n; ++j)
      sum += std::complex<long double>(x[j].real(), x[j].imag()) * w[j];
    return sum;
  }
  const auto wx = twiddles(s.nx, kx), wy = twiddles(s.ny, ky), wz = twiddles(s.nz, kz);
  for (int64_t i = 0; i < s.nx; ++i)
    for (int64_t j = 0; j < s.ny; ++j) {
      std::complex<long double> inner = 0;
      const auto* row = &x[(i * s.ny + j) * s.nz];
      for (int64_t k = 0; k < s.nz; ++k)
        inner += std::complex<long double>(row[k].real(), row[k].imag()) * wz[k];
      sum += inner * wx[i] * wy[j];
    }
  return sum;
}

class CufftRun final : public KernelRun {
 public:
  CufftRun(const gpu::GpuKernelContext& ctx, bool fp64, Shape s, uint64_t seed)
      : device_(ctx.ordinal), pinning_(ctx.host_pus), fp64_(fp64), s_(s) {
    check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "creating a stream");
    const size_t bytes = static_cast<size_t>(s.elements()) * (fp64 ? 16 : 8);
    in_ = DeviceBuffer<char>(bytes);
    out_ = DeviceBuffer<char>(bytes);
    back_ = DeviceBuffer<char>(bytes);
    err_ = DeviceBuffer<double>(1);
    fill_complex(in_.get(), fp64, s.elements(), seed, stream_);
    const cufftType type = fp64 ? CUFFT_Z2Z : CUFFT_C2C;
    if (s.three_d) {
      check_cufft(cufftPlan3d(&plan_, int(s.nx), int(s.ny), int(s.nz), type), "cufftPlan3d");
    } else {
      int n = static_cast<int>(s.n);
      check_cufft(cufftPlanMany(&plan_, 1, &n, nullptr, 1, n, nullptr, 1, n, type, int(s.batch)),
                  "cufftPlanMany");
    }
    check_cufft(cufftSetStream(plan_, stream_), "cufftSetStream");
    // The first transform's input, for the direct DFT of a few bins.
    const int64_t pts = s.points();
    first_input_.resize(pts);
    if (fp64) {
      check(cudaMemcpyAsync(first_input_.data(), in_.get(), pts * 16, cudaMemcpyDeviceToHost,
                            stream_),
            "copying the input");
    } else {
      std::vector<std::complex<float>> f(pts);
      check(cudaMemcpyAsync(f.data(), in_.get(), pts * 8, cudaMemcpyDeviceToHost, stream_),
            "copying the input");
      check(cudaStreamSynchronize(stream_), "copying the input");
      for (int64_t i = 0; i < pts; ++i) first_input_[i] = f[i];
    }
    check(cudaStreamSynchronize(stream_), "preparing the FFT");
    int v = 0;
    cufftGetVersion(&v);
    version_ = std::to_string(v / 1000) + std::string(".").append(std::to_string((v / 100) % 10)) +
               std::string(".").append(std::to_string(v % 100));
  }
  ~CufftRun() override {
    if (plan_) cufftDestroy(plan_);
    if (stream_) cudaStreamDestroy(stream_);
  }

  std::string implementation() const override {
    return "cuFFT " + version_ + ", " + (fp64_ ? "Z2Z" : "C2C") + " forward, out of place, " +
           (s_.three_d ? "3-D" : "batched 1-D");
  }
  double flop_per_iteration() const override {
    return fft_flop(static_cast<double>(s_.points()), static_cast<double>(s_.transforms()));
  }
  double bytes_per_iteration() const override {
    return 2.0 * static_cast<double>(s_.elements()) * (fp64_ ? 16 : 8);
  }
  PeakUnit peak_unit() const override { return PeakUnit::vector; }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start(stream_);
    for (int64_t i = 0; i < iterations; ++i) exec(in_.get(), out_.get(), CUFFT_FORWARD);
    return timer_.stop_seconds(stream_);
  }

  Verification verify() override {
    device_.select();
    Verification v;
    v.checked = true;
    const double eps = fp64_ ? DBL_EPSILON : FLT_EPSILON;
    v.tolerance = fft_tolerance(eps, static_cast<double>(s_.points()));
    // Round trip over every element, relative to max |input| (at most 1).
    exec(out_.get(), back_.get(), CUFFT_INVERSE);
    max_scaled_difference(back_.get(), in_.get(), fp64_, s_.elements(),
                          1.0 / static_cast<double>(s_.points()), err_.get(), stream_);
    double round_trip = 0;
    check(cudaMemcpyAsync(&round_trip, err_.get(), sizeof round_trip, cudaMemcpyDeviceToHost,
                          stream_),
          "reading the round-trip error");
    check(cudaStreamSynchronize(stream_), "checking the round trip");
    // A few bins of the first transform against a direct DFT, relative to
    // the root sum of squares of its input.
    long double energy = 0;
    for (const auto& x : first_input_) energy += std::norm(std::complex<long double>(x));
    const long double scale = std::sqrt(energy);
    double bins_error = 0;
    for (int b = 0; b < kCheckedBins; ++b) {
      const int64_t kx = s_.three_d ? (b * 37 + 1) % s_.nx : 0;
      const int64_t ky = s_.three_d ? (b * 11 + 3) % s_.ny : 0;
      const int64_t kz = s_.three_d ? (b * 5 + 2) % s_.nz : (b * 7919 + 1) % s_.n;
      const int64_t index = s_.three_d ? (kx * s_.ny + ky) * s_.nz + kz : kz;
      std::complex<double> got;
      if (fp64_) {
        check(cudaMemcpy(&got, out_.get() + index * 16, 16, cudaMemcpyDeviceToHost),
              "reading a bin");
      } else {
        std::complex<float> g;
        check(cudaMemcpy(&g, out_.get() + index * 8, 8, cudaMemcpyDeviceToHost), "reading a bin");
        got = g;
      }
      const auto want = direct_bin(first_input_, s_, kx, ky, kz);
      const long double e =
          std::abs(std::complex<long double>(got.real(), got.imag()) - want) / scale;
      bins_error = std::max(bins_error, std::isnan(got.real()) ? INFINITY : double(e));
    }
    v.max_error = std::max(round_trip, bins_error);
    if (std::isnan(round_trip)) v.max_error = INFINITY;
    v.passed = round_trip <= v.tolerance && bins_error <= v.tolerance;
    v.detail =
        std::string("round trip of every element (max error ").append(std::to_string(round_trip)) +
        std::string(") and ").append(std::to_string(kCheckedBins)) +
        std::string(" bins against a direct DFT (max ").append(std::to_string(bins_error)) + ")";
    return v;
  }

  bool corrupt_output_for_test(int64_t) override {
    // Bin 1 (checked for 1-D) and every bin feed the round trip.
    const double bad[2] = {1e6, -1e6};
    if (fp64_) {
      check(cudaMemcpy(out_.get() + 16, bad, 16, cudaMemcpyHostToDevice), "corrupting");
    } else {
      const float badf[2] = {1e6f, -1e6f};
      check(cudaMemcpy(out_.get() + 8, badf, 8, cudaMemcpyHostToDevice), "corrupting");
    }
    return true;
  }

 private:
  void exec(void* in, void* out, int direction) {
    if (fp64_)
      check_cufft(cufftExecZ2Z(plan_, static_cast<cufftDoubleComplex*>(in),
                               static_cast<cufftDoubleComplex*>(out), direction),
                  "cufftExecZ2Z");
    else
      check_cufft(cufftExecC2C(plan_, static_cast<cufftComplex*>(in),
                               static_cast<cufftComplex*>(out), direction),
                  "cufftExecC2C");
  }

  gpu::CurrentDevice device_;
  gpu::ScopedHostPinning pinning_;
  bool fp64_;
  Shape s_;
  cudaStream_t stream_ = nullptr;
  cufftHandle plan_ = 0;
  DeviceBuffer<char> in_, out_, back_;
  DeviceBuffer<double> err_;
  std::vector<std::complex<double>> first_input_;
  gpu::EventTimer timer_;
  std::string version_;
};

ProblemSize one_d(int64_t n, int64_t batch) {
  return ProblemSize{{{"n", n}, {"batch", batch}}, "1d"};
}
ProblemSize three_d(int64_t nx, int64_t ny, int64_t nz) {
  return ProblemSize{{{"nx", nx}, {"ny", ny}, {"nz", nz}}, "3d"};
}

}  // namespace

std::vector<ProblemSize> default_fft_sizes(const gpu::GpuKernelContext& c, Precision p,
                                           bool quick) {
  const int64_t eb = p == Precision::fp64 ? 16 : 8;
  const int64_t n = int64_t{1} << 20;
  int64_t batch = (quick ? (int64_t{256} << 20) : (int64_t{1} << 30)) / (n * eb);
  while (batch > 1 && uint64_t(3 * n * batch * eb) > c.memory_bytes / 4) batch /= 2;
  int64_t edge = 256;
  while (edge > 32 && uint64_t(3 * edge * edge * edge * eb) > c.memory_bytes / 4) edge /= 2;
  return {one_d(n, batch), three_d(edge, edge, edge)};
}

std::vector<ProblemSize> fft_sizes_from_user(const std::vector<int64_t>& dims) {
  if (dims.size() == 3) return {three_d(dims[0], dims[1], dims[2])};
  const int64_t batch =
      dims.size() == 2 ? dims[1] : std::max<int64_t>(1, (int64_t{1} << 26) / dims[0]);
  return {one_d(dims[0], batch)};
}

std::unique_ptr<KernelRun> make_cufft_run(const gpu::GpuKernelContext& c,
                                          const KernelRequest& request, std::string* unsupported) {
  auto refuse = [&](std::string why) -> std::unique_ptr<KernelRun> {
    if (unsupported) *unsupported = std::move(why);
    return nullptr;
  };
  const Precision p = request.precision;
  if (p != Precision::fp64 && p != Precision::fp32)
    return refuse("cuFFT C2C runs in fp64 and fp32 here");
  Shape s;
  s.three_d = request.size.variant == "3d";
  if (s.three_d) {
    s.nx = request.size.get("nx");
    s.ny = request.size.get("ny");
    s.nz = request.size.get("nz");
    if (s.nx < 2 || s.ny < 2 || s.nz < 2) return refuse("3-D FFT edges must be at least 2");
  } else {
    s.n = request.size.get("n");
    s.batch = request.size.get("batch", 1);
    if (s.n < 2 || s.batch < 1) return refuse("1-D FFT needs n >= 2 and batch >= 1");
  }
  const uint64_t bytes = 3ull * s.elements() * (p == Precision::fp64 ? 16 : 8);
  if (bytes > c.memory_bytes * 8 / 10) return refuse("FFT buffers do not fit in memory");
  if (s.points() > (int64_t{1} << 31)) return refuse("FFT transforms above 2^31 points");
  return std::make_unique<CufftRun>(c, p == Precision::fp64, s, request.seed);
}

}  // namespace flopscope::fft::cuda
