#include "kernels/fft/gpu/fft_gpu_run.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "devices/gpu_shim/gpu_check.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/fft/fft_spec.h"
#include "kernels/fft/gpu/fft_gpu_kernels.h"

namespace flopscope::fft::gpu {

namespace {

using flopscope::gpu::check;
using flopscope::gpu::DeviceBuffer;

class GpuFftRun final : public KernelRun {
 public:
  GpuFftRun(const flopscope::gpu::GpuKernelContext& ctx, bool fp64, const FftShape& s,
            uint64_t seed, const FftPlanFactory& make_plan)
      : device_(ctx.ordinal), pinning_(ctx.host_pus), fp64_(fp64), s_(s), seed_(seed) {
    check(gpuStreamCreateWithFlags(&stream_, gpuStreamNonBlocking), "creating a stream");
    const size_t bytes = static_cast<size_t>(s.elements()) * complex_bytes();
    in_ = DeviceBuffer<char>(bytes);
    out_ = DeviceBuffer<char>(bytes);
    back_ = DeviceBuffer<char>(bytes);
    err_ = DeviceBuffer<double>(1);
    fill_complex(in_.get(), fp64, s.elements(), seed, stream_);
    plan_ = make_plan(s, fp64, stream_);
    // The first transform's input, for the direct DFT of a few bins.
    const int64_t pts = s.points();
    first_input_.resize(pts);
    if (fp64) {
      check(
          gpuMemcpyAsync(first_input_.data(), in_.get(), pts * 16, gpuMemcpyDeviceToHost, stream_),
          "copying the input");
      check(gpuStreamSynchronize(stream_), "copying the input");
    } else {
      std::vector<std::complex<float>> f(pts);
      check(gpuMemcpyAsync(f.data(), in_.get(), pts * 8, gpuMemcpyDeviceToHost, stream_),
            "copying the input");
      check(gpuStreamSynchronize(stream_), "copying the input");
      for (int64_t i = 0; i < pts; ++i) first_input_[i] = f[i];
    }
  }
  ~GpuFftRun() override {
    plan_.reset();  // before its stream
    if (stream_) (void)gpuStreamDestroy(stream_);
  }

  std::string implementation() const override {
    return plan_->implementation() + " forward, out of place, " +
           (s_.three_d ? "3-D" : "batched 1-D");
  }
  double flop_per_iteration() const override {
    return flop_count(static_cast<double>(s_.points()), s_.transforms());
  }
  double bytes_per_iteration() const override {
    return compulsory_bytes(static_cast<double>(s_.points()), s_.transforms(), complex_bytes());
  }
  PeakUnit peak_unit() const override { return PeakUnit::vector; }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start(stream_);
    for (int64_t i = 0; i < iterations; ++i) plan_->forward(in_.get(), out_.get());
    return timer_.stop_seconds(stream_);
  }

  Verification verify() override {
    device_.select();
    Verification v;
    v.checked = true;
    v.tolerance = tolerance(fp64_ ? DBL_EPSILON : FLT_EPSILON, static_cast<double>(s_.points()));
    if (!plan_->preserves_input()) {
      // The timed transforms may have overwritten the input: transform a
      // fresh copy once more, so the output checked is that of known data.
      fill_complex(in_.get(), fp64_, s_.elements(), seed_, stream_);
      plan_->forward(in_.get(), out_.get());
      if (corrupt_pending_) write_bad_bin();
    }
    // A few bins of the first transform first (the inverse may overwrite
    // its input too), against a direct DFT, relative to the root sum of
    // squares of its input.
    const double bins_error = checked_bins_error();
    // Round trip over every element, relative to max |input| (at most 1).
    plan_->inverse(out_.get(), back_.get());
    if (!plan_->preserves_input()) fill_complex(in_.get(), fp64_, s_.elements(), seed_, stream_);
    max_scaled_difference(back_.get(), in_.get(), fp64_, s_.elements(),
                          1.0 / static_cast<double>(s_.points()), err_.get(), stream_);
    double round_trip = 0;
    check(
        gpuMemcpyAsync(&round_trip, err_.get(), sizeof round_trip, gpuMemcpyDeviceToHost, stream_),
        "reading the round-trip error");
    check(gpuStreamSynchronize(stream_), "checking the round trip");
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
    write_bad_bin();
    corrupt_pending_ = true;  // again after a re-transform in verify()
    return true;
  }

 private:
  int complex_bytes() const { return fp64_ ? 16 : 8; }

  // Bin 1 (checked for 1-D) and every bin feed the round trip.
  void write_bad_bin() {
    const double bad[2] = {1e6, -1e6};
    const float badf[2] = {1e6f, -1e6f};
    const int64_t cb = complex_bytes();
    check(gpuStreamSynchronize(stream_), "corrupting");
    check(gpuMemcpy(out_.get() + cb, fp64_ ? static_cast<const void*>(bad) : badf, cb,
                    gpuMemcpyHostToDevice),
          "corrupting");
  }

  double checked_bins_error() {
    check(gpuStreamSynchronize(stream_), "waiting for the transform");
    long double energy = 0;
    for (const auto& x : first_input_) energy += std::norm(std::complex<long double>(x));
    const long double scale = std::sqrt(energy);
    double bins_error = 0;
    for (int b = 0; b < kCheckedBins; ++b) {
      int64_t kx, ky, kz, index;
      checked_bin(s_, b, &kx, &ky, &kz, &index);
      std::complex<double> got;
      if (fp64_) {
        check(gpuMemcpy(&got, out_.get() + index * 16, 16, gpuMemcpyDeviceToHost), "reading a bin");
      } else {
        std::complex<float> g;
        check(gpuMemcpy(&g, out_.get() + index * 8, 8, gpuMemcpyDeviceToHost), "reading a bin");
        got = g;
      }
      const auto want = direct_bin(first_input_, s_, kx, ky, kz);
      const long double e =
          std::abs(std::complex<long double>(got.real(), got.imag()) - want) / scale;
      bins_error = std::max(bins_error, std::isnan(got.real()) ? INFINITY : double(e));
    }
    return bins_error;
  }

  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  bool fp64_;
  FftShape s_;
  uint64_t seed_;
  bool corrupt_pending_ = false;
  gpuStream_t stream_ = nullptr;
  DeviceBuffer<char> in_, out_, back_;
  DeviceBuffer<double> err_;
  std::unique_ptr<FftPlan> plan_;
  std::vector<std::complex<double>> first_input_;
  flopscope::gpu::EventTimer timer_;
};

}  // namespace

std::unique_ptr<KernelRun> make_gpu_fft_run(const flopscope::gpu::GpuKernelContext& c, bool fp64,
                                            const FftShape& shape, uint64_t seed,
                                            const FftPlanFactory& plan) {
  return std::make_unique<GpuFftRun>(c, fp64, shape, seed, plan);
}

}  // namespace flopscope::fft::gpu
