// The CPU stream kernel (every element checked, any corrupted element
// caught, never an ISA the CPU lacks), the harness's bandwidth side (bytes
// per second for kernels without FLOP, variants in sizes, the stencil's
// roofline from the same run's copy bandwidth), and a result file with both
// kernels that passes the schema.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/cpu_kernel_registry.h"
#include "harness/errors.h"
#include "harness/roofline.h"
#include "kernels/stream/cpu/stream_cpu.h"
#include "kernels/stream/stream_spec.h"

using namespace flopscope;
using namespace flopscope::stream;
namespace sc = flopscope::stream::cpu;
using sc::LoopIsa;

namespace {

std::vector<LoopIsa> runnable_isas() {
  auto isa = flopscope::cpu::detect_cpu_isa();
  std::vector<LoopIsa> out = {LoopIsa::generic};
  if (isa.avx2 && isa.fma) out.push_back(LoopIsa::avx2);
  if (isa.avx512f) out.push_back(LoopIsa::avx512);
  return out;
}

sc::StreamConfig config(LoopIsa isa, Op op, Precision p, int64_t n) {
  sc::StreamConfig c;
  c.op = op;
  c.precision = p;
  c.elements = n;
  c.isa = isa;
  c.pus = {0, 0, 0};  // three threads: uneven shares and a ragged end
  return c;
}

}  // namespace

TEST(StreamSpec, Counts) {
  EXPECT_EQ(flop_per_element(Op::copy), 0);
  EXPECT_EQ(flop_per_element(Op::triad), 2);
  EXPECT_EQ(bytes_per_element(Op::copy, 8), 16);
  EXPECT_EQ(bytes_per_element(Op::triad, 8), 24);
  EXPECT_EQ(bytes_per_element(Op::triad, 4), 12);
  EXPECT_EQ(tolerance(Op::copy, 1e-16), 0.0);
}

TEST(StreamCpu, EveryElementChecked) {
  for (LoopIsa isa : runnable_isas())
    for (Op op : {Op::copy, Op::triad})
      for (Precision p : {Precision::fp64, Precision::fp32})
        for (int nt : {0, 1})
          for (int64_t n : {int64_t{1}, int64_t{1000}, int64_t{4099}}) {
            auto c = config(isa, op, p, n);
            c.streaming_stores = nt;
            auto run = sc::make_cpu_stream_run(c);
            ASSERT_TRUE(run);
            EXPECT_FALSE(run->verify().checked);  // a was never written
            run->run(2);
            auto v = run->verify();
            EXPECT_TRUE(v.valid()) << run->implementation() << " " << variant_name(op) << " "
                                   << to_string(p) << " n=" << n << ": " << v.detail;
            const int bytes = p == Precision::fp64 ? 8 : 4;
            EXPECT_DOUBLE_EQ(run->bytes_per_iteration(),
                             double(bytes_per_element(op, bytes)) * double(n));
            EXPECT_DOUBLE_EQ(run->flop_per_iteration(), double(flop_per_element(op)) * n);
          }
}

TEST(StreamCpu, ACorruptedElementAnywhereFails) {
  for (LoopIsa isa : runnable_isas())
    for (Op op : {Op::copy, Op::triad})
      for (Precision p : {Precision::fp64, Precision::fp32})
        for (int64_t e : {int64_t{0}, int64_t{7}, int64_t{2050}, int64_t{4098}}) {
          auto run = sc::make_cpu_stream_run(config(isa, op, p, 4099));
          run->run(1);
          ASSERT_TRUE(run->verify().valid());
          ASSERT_TRUE(run->corrupt_output_for_test(e));
          EXPECT_FALSE(run->verify().valid())
              << run->implementation() << " " << variant_name(op) << " element " << e;
        }
}

TEST(StreamCpu, ArraysFarBeyondTheCache) {
  // 4 x L3 or 256 MiB, whichever is larger; never beyond a quarter of memory.
  EXPECT_EQ(sc::default_elements(32 << 20, 64ull << 30, 8, false), (256 << 20) / 8);
  EXPECT_EQ(sc::default_elements(256 << 20, 64ull << 30, 8, false), (1024ll << 20) / 8);
  EXPECT_EQ(sc::default_elements(32 << 20, 1ull << 30, 8, false), (1ll << 30) / 12 / 64 * 64 / 8);
  EXPECT_EQ(sc::default_elements(8 << 20, 64ull << 30, 4, true), (64 << 20) / 4);
}

TEST(StreamRegistry, CopyAndTriadVariants) {
  const auto* k = flopscope::cpu::find_cpu_kernel(KernelKind::stream);
  ASSERT_NE(k, nullptr);
  flopscope::cpu::CpuContext ctx;
  ctx.l3_bytes_total = 32 << 20;
  auto sizes = k->sizes_from_user(ctx, Precision::fp64, {1000});
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0].label(), "copy,elements=1000");
  EXPECT_EQ(sizes[1].to_json(), (nlohmann::json{{"variant", "triad"}, {"elements", 1000}}));
  EXPECT_THROW(k->sizes_from_user(ctx, Precision::fp64, {10, 10}), UsageError);
  EXPECT_THROW(k->sizes_from_user(ctx, Precision::fp64, {int64_t{1} << 39}), UsageError);
  std::string why;
  KernelRequest r;
  r.kernel = KernelKind::stream;
  r.precision = Precision::fp64;
  r.size = sizes[1];
  auto run = k->make(ctx, r, &why);
  ASSERT_TRUE(run) << why;
  EXPECT_DOUBLE_EQ(run->flop_per_iteration(), 2000);
  r.size.variant = "scale";
  EXPECT_FALSE(k->make(ctx, r, &why));
  EXPECT_NE(why.find("scale"), std::string::npos);
}

TEST(Roofline, StencilBoundFromTheSameRunsCopyBandwidth) {
  auto make = [](KernelKind k, std::string variant, double flops, double bps, double flop,
                 double bytes) {
    Measurement m;
    m.device = "cpu0";
    m.kernel = k;
    m.size.variant = std::move(variant);
    m.status = MeasurementStatus::ok;
    m.verification.checked = m.verification.passed = true;
    m.median_flops = flops;
    m.median_bytes_per_second = bps;
    m.flop_per_iteration = flop;
    m.bytes_per_iteration = bytes;
    return m;
  };
  std::vector<Measurement> ms = {
      make(KernelKind::stencil, "7-point", 25e9, 50e9, 8, 16),
      make(KernelKind::stream, "copy", 0, 60e9, 0, 16),
      make(KernelKind::stream, "copy", 0, 64e9, 0, 16),
      make(KernelKind::stream, "triad", 40e9, 70e9, 2, 24),  // triad never sets the bound
  };
  auto failed_copy = make(KernelKind::stream, "copy", 0, 99e9, 0, 16);
  failed_copy.status = MeasurementStatus::not_verified;  // an unverified copy never counts
  ms.push_back(failed_copy);
  apply_roofline(ms);
  ASSERT_TRUE(ms[0].roofline);
  EXPECT_DOUBLE_EQ(ms[0].roofline->bandwidth_bytes_per_second, 64e9);
  EXPECT_DOUBLE_EQ(ms[0].roofline->bound_flops, 32e9);  // 64 GB/s x 8 FLOP / 16 B
  EXPECT_DOUBLE_EQ(ms[0].roofline->fraction, 25.0 / 32.0);
  EXPECT_FALSE(ms[1].roofline);
  auto j = ms[0].to_json();
  EXPECT_DOUBLE_EQ(j["roofline"]["fraction"].get<double>(), 25.0 / 32.0);
  EXPECT_DOUBLE_EQ(j["median_bytes_per_second"].get<double>(), 50e9);
  // Without a copy in the run, no bound.
  std::vector<Measurement> alone = {ms[0]};
  apply_roofline(alone);
  EXPECT_FALSE(alone[0].roofline);
  EXPECT_TRUE(alone[0].to_json()["roofline"].is_null());
}

// A stencil that timed copies of its own grids between its repetitions is
// bounded by them, with the run's stream copy beside; without a stream copy
// in the run it still has its bound.
TEST(Roofline, AStencilsOwnInterleavedCopySetsItsBound) {
  Measurement st;
  st.device = "cpu0";
  st.kernel = KernelKind::stencil;
  st.size.variant = "7-point";
  st.status = MeasurementStatus::ok;
  st.verification.checked = st.verification.passed = true;
  st.median_flops = 15e9;
  st.flop_per_iteration = 8;
  st.bytes_per_iteration = 16;
  st.interleaved_copy = InterleavedCopy{40e9, 7};
  Measurement copy = st;
  copy.kernel = KernelKind::stream;
  copy.size.variant = "copy";
  copy.interleaved_copy.reset();
  copy.median_flops = 0;
  copy.median_bytes_per_second = 50e9;
  std::vector<Measurement> ms = {st, copy};
  apply_roofline(ms);
  ASSERT_TRUE(ms[0].roofline);
  EXPECT_DOUBLE_EQ(ms[0].roofline->bandwidth_bytes_per_second, 40e9);
  EXPECT_DOUBLE_EQ(ms[0].roofline->fraction, 15.0 / 20.0);
  EXPECT_EQ(ms[0].roofline->bandwidth_source, "its own copy before each repetition, median of 7");
  ASSERT_TRUE(ms[0].roofline->stream_copy_fraction);
  EXPECT_DOUBLE_EQ(*ms[0].roofline->stream_copy_bytes_per_second, 50e9);
  EXPECT_DOUBLE_EQ(*ms[0].roofline->stream_copy_fraction, 15.0 / 25.0);
  const auto j = ms[0].to_json();
  EXPECT_DOUBLE_EQ(j["interleaved_copy"]["median_bytes_per_second"].get<double>(), 40e9);
  EXPECT_EQ(j["interleaved_copy"]["samples"], 7);
  EXPECT_DOUBLE_EQ(j["roofline"]["stream_copy_fraction"].get<double>(), 0.6);

  std::vector<Measurement> alone = {st};
  apply_roofline(alone);
  ASSERT_TRUE(alone[0].roofline);
  EXPECT_DOUBLE_EQ(alone[0].roofline->fraction, 0.75);
  EXPECT_FALSE(alone[0].roofline->stream_copy_fraction);
  EXPECT_FALSE(alone[0].to_json()["roofline"].contains("stream_copy_fraction"));
  // An unverified stencil gets no bound, own copy or not.
  alone[0].status = MeasurementStatus::not_verified;
  apply_roofline(alone);
  EXPECT_FALSE(alone[0].roofline);
}

// The bound is a memory bound: data that fits in the cache neither sets it
// nor is judged by it, and says why.
TEST(Roofline, CacheResidentDataNeitherSetsNorMeetsTheBound) {
  auto make = [](KernelKind k, std::string variant, double bps, double working_set) {
    Measurement m;
    m.device = "cpu0";
    m.kernel = k;
    m.size.variant = std::move(variant);
    m.size.dims = {{"elements", 256}};
    m.status = MeasurementStatus::ok;
    m.verification.checked = m.verification.passed = true;
    m.median_flops = k == KernelKind::stencil ? 10e9 : 0;
    m.median_bytes_per_second = bps;
    m.flop_per_iteration = k == KernelKind::stencil ? 8 : 0;
    m.bytes_per_iteration = 16;
    m.footprint = MemoryFootprint{working_set, 32.0 * (1 << 20), "L3"};
    return m;
  };
  const double mib = 1 << 20;
  // A copy from cache (400 GB/s) beside one from memory (40 GB/s): the
  // bound comes from memory.
  std::vector<Measurement> ms = {make(KernelKind::stencil, "7-point", 20e9, 256 * mib),
                                 make(KernelKind::stream, "copy", 400e9, 4 * mib),
                                 make(KernelKind::stream, "copy", 40e9, 256 * mib),
                                 make(KernelKind::stencil, "7-point", 300e9, 16 * mib)};
  EXPECT_TRUE(from_memory(ms[0]));
  EXPECT_FALSE(from_memory(ms[1]));
  EXPECT_FALSE(from_memory(ms[3]));
  apply_roofline(ms);
  ASSERT_TRUE(ms[0].roofline);
  EXPECT_DOUBLE_EQ(ms[0].roofline->bandwidth_bytes_per_second, 40e9);
  EXPECT_DOUBLE_EQ(ms[0].roofline->fraction, 10e9 / 20e9);
  EXPECT_TRUE(ms[0].roofline_note.empty());
  // The stencil in cache: no bound, and why.
  EXPECT_FALSE(ms[3].roofline);
  EXPECT_EQ(ms[3].roofline_note,
            "no memory roofline: its grids of 16 MiB are within 2x the 32 MiB L3");
  EXPECT_EQ(ms[3].to_json()["roofline_note"], ms[3].roofline_note);
  EXPECT_EQ(ms[3].to_json()["footprint"]["cache"], "L3");

  // Only a copy from cache in the run: no bound for the stencil either.
  std::vector<Measurement> cached = {ms[0], ms[1]};
  apply_roofline(cached);
  EXPECT_FALSE(cached[0].roofline);
  EXPECT_NE(cached[0].roofline_note.find("stream copy (copy,elements=256) ran from cache"),
            std::string::npos)
      << cached[0].roofline_note;
  // No copy at all.
  std::vector<Measurement> alone = {ms[0]};
  apply_roofline(alone);
  EXPECT_EQ(alone[0].roofline_note, "no memory roofline: the run measured no stream copy on cpu0");

  // An unknown cache size cannot rule anything out.
  ms[1].footprint->cache_bytes = 0;
  EXPECT_TRUE(from_memory(ms[1]));
}

// The footprint a CPU stream reports: the arrays one pass touches, and the
// L3 they are set against.
TEST(Roofline, CpuStreamReportsItsFootprint) {
  stream::cpu::StreamConfig sc;
  sc.op = stream::Op::triad;
  sc.elements = 1000;
  sc.l3_bytes_total = 32 << 20;
  auto s = stream::cpu::make_cpu_stream_run(sc);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->footprint());
  EXPECT_DOUBLE_EQ(s->footprint()->working_set_bytes, 3 * 8 * 1000);
  EXPECT_DOUBLE_EQ(s->footprint()->cache_bytes, 32 << 20);
  EXPECT_EQ(s->footprint()->cache, "L3");
}

// End to end: stencil and stream in one run, tiny sizes, a valid result file.
TEST(StreamCli, StencilAndStreamResultPassesTheSchema) {
  auto dir =
      std::filesystem::temp_directory_path() / ("flopscope-stream-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto out = dir / "run.json";
  const std::string cmd = std::string(FLOPSCOPE_BINARY) +
                          " run --devices cpu0 --kernels stencil,stream --precisions fp64 "
                          "--sizes 24 --quiet --output " +
                          out.string() +
                          " -- --benchmark_min_time=0.01 --benchmark_repetitions=2 "
                          "--benchmark_min_warmup_time=0 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = pclose(p);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << text;
  EXPECT_NE(text.find("B/s"), std::string::npos) << text;
  std::ifstream in(out);
  auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["measurements"].size(), 4u);  // 7- and 25-point, copy and triad
  for (const auto& m : j["measurements"]) {
    EXPECT_EQ(m["status"], "ok") << m.dump();
    EXPECT_TRUE(m["size"].contains("variant"));
    EXPECT_GT(m["median_bytes_per_second"].get<double>(), 0);
    ASSERT_TRUE(m["footprint"].is_object()) << m.dump();
    if (m["kernel"] == "stencil") {
      // A copy of its grids before each of its 2 repetitions, for its
      // roofline; the warm-up's and the trial runs' copies are left out.
      ASSERT_TRUE(m.contains("interleaved_copy")) << m.dump();
      EXPECT_EQ(m["interleaved_copy"]["samples"].get<int>(), 2);
      EXPECT_GT(m["interleaved_copy"]["median_bytes_per_second"].get<double>(), 0);
      // 24^3 grids sit in any L3: no memory roofline, and the reason.
      const auto& f = m["footprint"];
      if (f["cache_bytes"].get<double>() > 2 * f["working_set_bytes"].get<double>()) {
        EXPECT_TRUE(m["roofline"].is_null()) << m.dump();
        EXPECT_NE(m["roofline_note"].get<std::string>().find("within 2x the"), std::string::npos);
        EXPECT_NE(text.find("no memory roofline"), std::string::npos) << text;
      } else {
        ASSERT_TRUE(m["roofline"].is_object()) << m.dump();  // a CPU without a known L3
      }
    }
  }
  const std::string validate = std::string("python3 ") + FLOPSCOPE_VALIDATOR + " " +
                               FLOPSCOPE_SCHEMA + " " + out.string() + " 2>&1";
  const int v = std::system(validate.c_str());
  EXPECT_EQ(WEXITSTATUS(v), 0) << "schema validation failed";
  std::filesystem::remove_all(dir);
}
