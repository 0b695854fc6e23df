// The CUDA backend on a real GPU: every kernel and precision builds, runs,
// verifies, and a corrupted output is caught. On a machine without a GPU or
// driver the backend must say why in one line, and the GPU tests skip.
#include <gtest/gtest.h>

#include "devices/cuda/cuda_backend.h"
#include "devices/cuda/cuda_device_info.h"
#include "devices/cuda/nvml_library.h"
#include "devices/cuda/nvml_sensors.h"
#include "kernels/stencil/gpu/stencil_gpu.h"
#include "tests/interleaved_copy_checks.h"

using namespace flopscope;

namespace {

struct Gpu {
  cuda::CudaBackend backend;
  std::vector<Device> devices;
  Gpu() : devices(backend.devices()) {}
};

Gpu& the_gpu() {
  static Gpu g;
  return g;
}

// Runs a kernel twice, checks it, then corrupts one element and checks that
// the check fails. Returns false when the GPU does not support it.
void run_and_check(KernelKind k, Precision p, ProblemSize size) {
  auto& g = the_gpu();
  KernelRequest r{k, p, size, "", 7};
  std::string unsupported;
  auto run = g.backend.make_run(g.devices[0], r, &unsupported);
  if (!run) {
    // Only architecture limits may refuse.
    EXPECT_NE(unsupported.find("sm_"), std::string::npos) << unsupported;
    return;
  }
  EXPECT_GT(run->run(2), 0.0);
  Verification v = run->verify();
  EXPECT_TRUE(v.valid()) << to_string(k) << " " << to_string(p) << ": " << v.detail << " max error "
                         << v.max_error << " tolerance " << v.tolerance;
  EXPECT_GT(run->flop_per_iteration() + run->bytes_per_iteration(), 0.0);
  ASSERT_TRUE(run->corrupt_output_for_test(5));
  EXPECT_FALSE(run->verify().valid())
      << to_string(k) << " " << to_string(p) << ": a corrupted output passed";
}

}  // namespace

// --implementation picks the stencil march; anything else is refused with
// the names, before any device is touched (runs without a GPU).
TEST(CudaStencil, UnknownMarchIsRefusedWithTheNames) {
  gpu::GpuKernelContext c;
  c.memory_bytes = uint64_t{1} << 40;
  c.l2_bytes = 50 << 20;
  KernelRequest r;
  r.kernel = KernelKind::stencil;
  r.precision = Precision::fp64;
  r.size = stencil::gpu::stencil_sizes(64, 64, 64)[0];
  r.implementation = "z-zag";
  std::string why;
  EXPECT_FALSE(stencil::gpu::make_gpu_stencil_run(c, r, &why));
  EXPECT_EQ(why,
            "no implementation 'z-zag' for the GPU stencil; available: z-march-ahead, z-march");
}

TEST(CudaBackend, NoGpuSaysWhyInOneLine) {
  auto& g = the_gpu();
  if (!g.devices.empty()) GTEST_SKIP() << "a GPU is present";
  const std::string why = g.backend.unavailable_reason();
  EXPECT_FALSE(why.empty());
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
}

TEST(CudaBackend, DescribesARecordedH200) {
  cuda::CudaDeviceInfo i;
  i.ordinal = 3;
  i.name = "NVIDIA H200";
  i.sms = 132;
  i.cc_major = 9;
  i.pci_bus_id = "0000:3b:00.0";
  i.pci_device_id = 0x2335;
  Device d = cuda::describe_cuda_device(i);
  EXPECT_EQ(d.id, "cuda:3");
  EXPECT_EQ(d.identity.pci_bus_id, "0000:3b:00.0");
  ASSERT_TRUE(d.peaks.at(Precision::fp64).best());
  EXPECT_NEAR(*d.peaks.at(Precision::fp64).best() / 1e12, 67, 1.5);
  EXPECT_EQ(d.details["table_entry"]["matched_by"], "PCI device id");
  i.pci_device_id.reset();
  i.name = "NVIDIA Mystery GPU";
  d = cuda::describe_cuda_device(i);
  EXPECT_FALSE(d.peaks.at(Precision::fp64).best());
}

TEST(CudaGpu, DevicesHaveIdentity) {
  auto& g = the_gpu();
  if (g.devices.empty()) GTEST_SKIP() << g.backend.unavailable_reason();
  for (const auto& d : g.devices) {
    EXPECT_FALSE(d.identity.pci_bus_id.empty()) << d.id;
    EXPECT_EQ(d.identity.uuid.rfind("GPU-", 0), 0u) << d.id;
    EXPECT_GT(d.details["sms"].get<int>(), 0);
  }
}

TEST(CudaGpu, GemmEveryPrecision) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p : kAllPrecisions) run_and_check(KernelKind::gemm, p, ProblemSize{{{"n", 1024}}});
  run_and_check(KernelKind::gemm, Precision::fp32,
                ProblemSize{{{"m", 512}, {"n", 768}, {"k", 1024}}});
}

TEST(CudaGpu, StreamCopyAndTriad) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p : {Precision::fp64, Precision::fp32})
    for (const char* v : {"copy", "triad"}) {
      ProblemSize s{{{"elements", 1 << 22}}};
      s.variant = v;
      run_and_check(KernelKind::stream, p, s);
    }
}

// Both stars in both precisions, on a grid whose point count is odd (the
// copy's scalar tail runs too), and the copy that sets their roofline.
TEST(CudaGpu, StencilsAndTheirInterleavedCopy) {
  auto& g = the_gpu();
  if (g.devices.empty()) GTEST_SKIP() << g.backend.unavailable_reason();
  for (const char* star : {"7-point", "25-point"})
    for (Precision p : {Precision::fp64, Precision::fp32}) {
      ProblemSize s{{{"nx", 67}, {"ny", 33}, {"nz", 65}}};
      s.variant = star;
      run_and_check(KernelKind::stencil, p, s);
      std::string unsupported;
      auto run = g.backend.make_run(g.devices[0], KernelRequest{KernelKind::stencil, p, s, "", 7},
                                    &unsupported);
      ASSERT_TRUE(run) << unsupported;
      test::expect_copy_between_sweeps(*run);
    }
}

TEST(CudaGpu, PeakChainsAndTensorCores) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p : {Precision::fp64, Precision::fp32, Precision::fp16, Precision::bf16,
                      Precision::int8, Precision::fp8})
    run_and_check(KernelKind::peak, p, ProblemSize{{{"rounds", 2}}});
}

// NVML's clocks-event bits as the soak's throttle classes: slowdowns only.
TEST(NvmlSensors, ThrottleClasses) {
  using flopscope::cuda::nvml_throttle_classes;
  EXPECT_TRUE(nvml_throttle_classes(0x1 | 0x2 | 0x10 | 0x100).empty());  // idle, app clocks, ...
  EXPECT_EQ(nvml_throttle_classes(0x40), std::vector<std::string>{flopscope::kThrottleThermal});
  EXPECT_EQ(nvml_throttle_classes(0x4), std::vector<std::string>{flopscope::kThrottlePowerCap});
  EXPECT_EQ(nvml_throttle_classes(0x20 | 0x80 | 0x8),
            (std::vector<std::string>{flopscope::kThrottleThermal, flopscope::kThrottlePowerCap,
                                      flopscope::kThrottleOther}));
}

// Without NVML (or for a bus id it does not know) every channel is missing
// with the reason, and a sample reads nothing: never an exception.
TEST(NvmlSensors, UnreadableGpuSaysWhy) {
  auto s = flopscope::cuda::make_nvml_sensors("0000:ff:1f.7");
  const auto missing = s->missing();
  for (const char* channel : flopscope::kAllChannels) {
    ASSERT_TRUE(missing.count(channel)) << channel;
    EXPECT_FALSE(missing.at(channel).empty());
  }
  const auto sample = s->sample();
  EXPECT_FALSE(sample.clock_hz.has_value());
  EXPECT_FALSE(sample.throttle.has_value());
}

// The pre-flight's list of other processes on a GPU: NVML's answer, or
// "cannot tell" (nullopt) without NVML or for a bus id it does not know.
TEST(NvmlProcesses, UnknownGpuCannotTell) {
  EXPECT_FALSE(flopscope::cuda::NvmlLibrary::instance().compute_processes("0000:ff:1f.7"));
}
