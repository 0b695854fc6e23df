// The HIP backend on a real AMD GPU: stream, stencil, the FMA chains, the
// MFMA chains, GEMM (rocBLAS and the own MFMA GEMM) and FFT build, run and
// verify, and a corrupted output is caught; where a library or an
// instruction is missing, the run says which in its reason. On a machine
// without a GPU or driver the backend must say why in one line, and the GPU
// tests skip with that reason.
#include <gtest/gtest.h>

#include "devices/hip/hip_backend.h"
#include "devices/hip/hip_device_info.h"
#include "tests/interleaved_copy_checks.h"

using namespace flopscope;

namespace {

struct Gpu {
  hip::HipBackend backend;
  std::vector<Device> devices;
  Gpu() : devices(backend.devices()) {}
};

Gpu& the_gpu() {
  static Gpu g;
  return g;
}

// Runs a kernel twice, checks it, then corrupts one element and checks that
// the check fails.
void run_and_check(KernelKind k, Precision p, ProblemSize size,
                   const std::string& implementation = "") {
  auto& g = the_gpu();
  KernelRequest r{k, p, size, implementation, 7};
  std::string unsupported;
  auto run = g.backend.make_run(g.devices[0], r, &unsupported);
  ASSERT_TRUE(run) << to_string(k) << " " << to_string(p) << ": " << unsupported;
  EXPECT_GT(run->run(2), 0.0);
  Verification v = run->verify();
  EXPECT_TRUE(v.valid()) << to_string(k) << " " << to_string(p) << ": " << v.detail << " max error "
                         << v.max_error << " tolerance " << v.tolerance;
  EXPECT_GT(run->flop_per_iteration() + run->bytes_per_iteration(), 0.0);
  if (run->corrupt_output_for_test(5)) {
    EXPECT_FALSE(run->verify().valid())
        << to_string(k) << " " << to_string(p) << ": a corrupted output passed";
  }
}

// The same where the kernel may be unsupported on this GPU or install: then
// the reason must name what is missing (`expected` is one of the words).
void run_check_or_explain(KernelKind k, Precision p, ProblemSize size,
                          std::initializer_list<const char*> expected,
                          std::string implementation = "") {
  auto& g = the_gpu();
  KernelRequest r{k, p, size, implementation, 7};
  std::string unsupported;
  auto run = g.backend.make_run(g.devices[0], r, &unsupported);
  if (!run) {
    bool named = false;
    for (const char* word : expected) named |= unsupported.find(word) != std::string::npos;
    EXPECT_TRUE(named) << to_string(k) << " " << to_string(p) << ": " << unsupported;
    return;
  }
  run_and_check(k, p, size, implementation);
}

}  // namespace

TEST(HipBackend, NoGpuSaysWhyInOneLine) {
  auto& g = the_gpu();
  if (!g.devices.empty()) GTEST_SKIP() << "an AMD GPU is present";
  const std::string why = g.backend.unavailable_reason();
  EXPECT_TRUE(why.rfind("no HIP device", 0) == 0 || why.rfind("unavailable", 0) == 0) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
}

TEST(HipGpu, DevicesHaveIdentity) {
  auto& g = the_gpu();
  if (g.devices.empty()) GTEST_SKIP() << g.backend.unavailable_reason();
  for (const auto& d : g.devices) {
    EXPECT_FALSE(d.identity.pci_bus_id.empty()) << d.id;
    EXPECT_EQ(d.details["arch"].get<std::string>().rfind("gfx", 0), 0u) << d.id;
    EXPECT_GT(d.details["cus"].get<int>(), 0) << d.id;
  }
}

TEST(HipGpu, StreamCopyFp64) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  ProblemSize s{{{"elements", 1 << 22}}};
  s.variant = "copy";
  run_and_check(KernelKind::stream, Precision::fp64, s);
}

TEST(HipGpu, Stencil7PointFp64) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  ProblemSize s{{{"nx", 64}, {"ny", 64}, {"nz", 64}}};
  s.variant = "7-point";
  run_and_check(KernelKind::stencil, Precision::fp64, s);
}

// The copy that sets the stencil's roofline, on a grid whose point count is
// odd (the copy's scalar tail runs too).
TEST(HipGpu, StencilInterleavedCopy) {
  auto& g = the_gpu();
  if (g.devices.empty()) GTEST_SKIP() << g.backend.unavailable_reason();
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    ProblemSize s{{{"nx", 67}, {"ny", 33}, {"nz", 65}}};
    s.variant = "25-point";
    std::string unsupported;
    auto run = g.backend.make_run(g.devices[0], KernelRequest{KernelKind::stencil, p, s, "", 7},
                                  &unsupported);
    ASSERT_TRUE(run) << unsupported;
    test::expect_copy_between_sweeps(*run);
  }
}

TEST(HipGpu, FmaChains) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p : {Precision::fp64, Precision::fp32, Precision::fp16})
    run_and_check(KernelKind::peak, p, ProblemSize{{{"rounds", 2}}});
}

TEST(HipGpu, GemmEveryPrecision) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p :
       {Precision::fp64, Precision::fp32, Precision::fp16, Precision::bf16, Precision::int8})
    run_check_or_explain(KernelKind::gemm, p, ProblemSize{{{"n", 256}}}, {"rocBLAS", "MFMA"});
}

TEST(HipGpu, OwnMfmaGemm) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p : {Precision::fp64, Precision::fp16, Precision::bf16})
    run_check_or_explain(KernelKind::gemm, p, ProblemSize{{{"n", 256}}}, {"MFMA"},
                         "flopscope-mfma");
}

TEST(HipGpu, FftBothPrecisions) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p : {Precision::fp64, Precision::fp32}) {
    run_check_or_explain(KernelKind::fft, p, ProblemSize{{{"n", 4096}, {"batch", 8}}, "1d"},
                         {"rocFFT"});
    run_check_or_explain(KernelKind::fft, p,
                         ProblemSize{{{"nx", 32}, {"ny", 32}, {"nz", 32}}, "3d"}, {"rocFFT"});
  }
}

TEST(HipGpu, MfmaChains) {
  if (the_gpu().devices.empty()) GTEST_SKIP() << the_gpu().backend.unavailable_reason();
  for (Precision p : {Precision::bf16, Precision::int8, Precision::fp8})
    run_check_or_explain(KernelKind::peak, p, ProblemSize{{{"rounds", 2}}}, {"MFMA", "gfx"});
  for (Precision p : {Precision::fp64, Precision::fp16})
    run_check_or_explain(KernelKind::peak, p, ProblemSize{{{"rounds", 2}}, "matrix"},
                         {"MFMA", "gfx"});
}
