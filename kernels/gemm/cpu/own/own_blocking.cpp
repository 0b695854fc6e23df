// Cache blocking from the cache sizes, after the BLIS analytical model (Low,
// Igual, Smith, Quintana-Orti, "Analytical modeling is enough for
// high-performance BLIS", ACM TOMS 43(2), 2016). Loop order, outside in:
// jc (NC columns of B, packed into one shared block), pc (KC deep), ic (MC
// rows of A, packed per thread), jr (NR), ir (MR), micro-kernel.
//
//  - KC: a KC x NR micro-panel of B stays in L1 while MR x KC micro-panels
//    of A stream through it. With W ways, the A micro-panel may take
//    C_A = floor((W - 1) / (1 + NR / MR)) ways (B takes NR/MR as many, one
//    way is left for the streaming), so KC = C_A x sets x line / (MR x S).
//    x86 L1 data caches are virtually indexed with 4 KiB pages, so sets x
//    line = 4 KiB and W = L1 size / 4 KiB (8 ways of 32 KiB on Zen 3, 12 of
//    48 KiB on Zen 5 and Golden Cove). The Arm server cores' 64 KiB L1d
//    (Neoverse N1/N2/V1/V2, A64FX) is 4-way: a way is a quarter of it. Other
//    Arm L1s (Apple's 128 KiB 8-way) are taken as 4-way too: a KC that
//    leaves part of the L1 unused, never one that overflows it (but see
//    the floor below).
//    KC is then raised to a floor where the model gives less: each
//    micro-kernel call reads and writes its C tile once per KC steps (8 / KC
//    bytes per FLOP in FP64), from memory once C outgrows the caches, and
//    each pc step packs B between two barriers and starts on cold B panels.
//    The floor is kKcFloorBytes of each A row per step (KC x element size):
//    256 in FP64, 512 in FP32. A step of KC steps on an n x n C is n^2 KC
//    FMAs, and FP32 vectors hold twice the lanes, so at the same KC an FP32
//    step is over in half the time and its fixed costs weigh double: twice
//    the KC gives both precisions steps of the same length.
//    Measured on 2 Zen 5 cores (AVX-512 tiles, 48 KiB L1d, model 160-224):
//    in FP64, 256 won all 10 alternating pairs against the model at n =
//    1024 (by 1-11%, median 6%), though it overflows the model's L1 share,
//    and 512 tied 256 at n = 1024-4096. In FP32, 512 won all 11 alternating
//    pairs against 256 at n = 1024 (48x8 and 32x14, by 4-11%; splitting the
//    rows finer at 256 gained 1-3% of it), and tied it at 2048 and 4096; the
//    AVX2 16x6 FP32 tile, whose model gives 512 there, ran 3-4% slower at
//    256 at n = 1024 and 2048. Not measured on a 32 KiB L1 (Zen 3), where
//    the floor raises the AVX2 FP32 tile from the model's 320 to 512.
//  - MC: the MC x KC block of A stays in the core's L2 while B micro-panels
//    and C tiles pass through: it gets three quarters of the L2 (the model's
//    W - 2 of W ways for the usual 8-way L2: one way for the B micro-panels,
//    the current one and the next, prefetched, one for C). On Zen 3 (512
//    KiB), interleaved runs put 3/4 and 4/4 1-3% ahead of 1/2 (medians, on a
//    busy machine: about the size of the noise).
//  - NC: the KC x NC block of B, shared by every thread, stays in the L3: it
//    gets half of the L3 (the rest is for the A blocks' traffic, C and other
//    processes), and at most kNcMax columns. Beyond that the A repacking a
//    larger NC saves (one copy of A per NC columns: 1 / (2 NC) elements per
//    FLOP) is far below 1% of the work, and the cap bounds the block (16 MiB
//    in FP64 at KC = 256) where the total L3 the context gives is split into
//    instances (one per CCX on EPYC) that each hold their own copy.
#include <algorithm>
#include <string>

#include "kernels/gemm/cpu/own/own_gemm.h"

namespace flopscope::gemm::own {

namespace {

constexpr uint64_t kL1WayBytes = 4096;  // sets x line of a VIPT L1 with 4 KiB pages
constexpr int64_t kArmL1Ways = 4;
constexpr int64_t kKcMultiple = 4;  // the micro-kernel's k loop is unrolled by 4
constexpr int64_t kKcMin = 64, kKcMax = 1024;
constexpr int64_t kKcFloorBytes = 2048;  // see the KC note above
constexpr int64_t kNcMax = 8192;

int64_t round_down(int64_t v, int64_t multiple, int64_t at_least) {
  return std::max(at_least, v / multiple * multiple);
}

std::string kib(uint64_t bytes) {
  return std::to_string(bytes >> 10) + " KiB";
}

}  // namespace

OwnGemmBlocking own_gemm_blocking(const OwnGemmVariant& v, const CacheSizes& given) {
  OwnGemmBlocking b;
  CacheSizes c = given;
  std::string fallbacks;
  auto fallback = [&](uint64_t& size, uint64_t value, const char* name) {
    if (size != 0) return;
    size = value;
    fallbacks += std::string(name) + " unknown, assumed " + kib(value) + "; ";
  };
  fallback(c.l1d_bytes_per_core, 32 << 10, "L1d");
  fallback(c.l2_bytes_per_core, 256 << 10, "L2");
  fallback(c.l3_bytes_total, 2 << 20, "L3");

  const int64_t s = v.precision == Precision::fp64 ? 8 : 4;
  const int64_t mr = v.mr, nr = v.nr;

  const bool arm = v.isa == IsaFamily::neon;
  const int64_t ways =
      arm ? kArmL1Ways
          : static_cast<int64_t>(std::max<uint64_t>(2, c.l1d_bytes_per_core / kL1WayBytes));
  const int64_t way_bytes = arm ? static_cast<int64_t>(c.l1d_bytes_per_core) / kArmL1Ways
                                : static_cast<int64_t>(kL1WayBytes);
  const int64_t a_ways = std::max<int64_t>(1, (ways - 1) * mr / (mr + nr));
  const int64_t model_kc = std::clamp(
      round_down(a_ways * way_bytes / (mr * s), kKcMultiple, kKcMultiple), kKcMin, kKcMax);
  const int64_t kc_floor = kKcFloorBytes / s;
  b.kc = std::max(model_kc, kc_floor);

  b.mc = round_down(static_cast<int64_t>(c.l2_bytes_per_core * 3 / 4) / (b.kc * s), mr, mr);
  b.nc =
      round_down(std::min(kNcMax, static_cast<int64_t>(c.l3_bytes_total / 2) / (b.kc * s)), nr, nr);

  b.derivation = "KC: A micro-panel in " + std::to_string(a_ways) + " of " + std::to_string(ways) +
                 " ways of a " + kib(c.l1d_bytes_per_core) + " L1d" +
                 (model_kc < kc_floor ? " (" + std::to_string(model_kc) + "), raised to " +
                                            std::to_string(kc_floor) + " for the per-step costs"
                                      : "") +
                 "; MC: A block in 3/4 of a " + kib(c.l2_bytes_per_core) +
                 " L2; NC: B block in half of a " + kib(c.l3_bytes_total) + " L3, at most " +
                 std::to_string(kNcMax) + " columns";
  if (!fallbacks.empty()) b.derivation += " (" + fallbacks.substr(0, fallbacks.size() - 2) + ")";
  return b;
}

}  // namespace flopscope::gemm::own
