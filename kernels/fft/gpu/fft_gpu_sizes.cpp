#include <algorithm>
#include <numbers>

#include "kernels/fft/gpu/fft_gpu.h"

namespace flopscope::fft::gpu {

namespace {

ProblemSize one_d(int64_t n, int64_t batch) {
  return ProblemSize{{{"n", n}, {"batch", batch}}, "1d"};
}
ProblemSize three_d(int64_t nx, int64_t ny, int64_t nz) {
  return ProblemSize{{{"nx", nx}, {"ny", ny}, {"nz", nz}}, "3d"};
}

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

}  // namespace

std::vector<ProblemSize> default_fft_sizes(const flopscope::gpu::GpuKernelContext& c, Precision p,
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

std::optional<FftShape> fft_shape(const KernelRequest& request, uint64_t memory_bytes,
                                  std::string* why) {
  auto refuse = [&](std::string reason) -> std::optional<FftShape> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  const Precision p = request.precision;
  if (p != Precision::fp64 && p != Precision::fp32)
    return refuse("GPU FFTs run complex-to-complex in fp64 and fp32");
  FftShape s;
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
  if (s.points() > (int64_t{1} << 31)) return refuse("FFT transforms above 2^31 points");
  const uint64_t bytes = 3ull * s.elements() * (p == Precision::fp64 ? 16 : 8);
  if (bytes > memory_bytes / 10 * 8) return refuse("FFT buffers do not fit in memory");
  return s;
}

std::complex<long double> direct_bin(const std::vector<std::complex<double>>& x, const FftShape& s,
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

void checked_bin(const FftShape& s, int b, int64_t* kx, int64_t* ky, int64_t* kz, int64_t* index) {
  *kx = s.three_d ? (b * 37 + 1) % s.nx : 0;
  *ky = s.three_d ? (b * 11 + 3) % s.ny : 0;
  *kz = s.three_d ? (b * 5 + 2) % s.nz : (b * 7919 + 1) % s.n;
  *index = s.three_d ? (*kx * s.ny + *ky) * s.nz + *kz : *kz;
}

}  // namespace flopscope::fft::gpu
