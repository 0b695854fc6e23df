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
//    512 in FP64, 1024 in FP32. A step of KC steps on an n x n C is n^2 KC
//    FMAs, and FP32 vectors hold twice the lanes, so at the same KC an FP32
//    step is over in half the time and its fixed costs weigh double: twice
//    the KC gives both precisions steps of the same length. The A and B
//    micro-panels then outgrow the L1 and both stream from the L2 (AMD's
//    own Zen 4 BLIS takes KC = 512 in FP64 too); the L2 keeps up, and C's
//    traffic from memory is halved. The floor is lowered (never below the
//    model) where half the L2 would not hold two A micro-panels of it.
//    Measured on 2 Zen 5 cores (AVX-512 tiles, 48 KiB L1d, 1 MiB L2, model
//    160-224), alternating runs of 3-4 repetitions, against the former
//    blocking (KC 256 and 512, MC from three quarters of the L2), NC 2048:
//    FP64 24x8 at KC 512 (MC 120) won 4 of 4 pairs at n = 4096 (by 2.7-6.2%)
//    and 3 of 3 at 1024 and 2048 (by 2.9-8.7%); FP32 48x8 at KC 1024 (MC
//    96) won 3 of 3 at 4096 (0.6-2.6%) and 2 of 3 at 1024 and 2048.
//    An earlier floor of 2 KiB (256 and 512) had won against the model's
//    KC by 1-11% at n = 1024. On 2 Zen 4 cores (32 KiB L1d, model 104, 1
//    MiB L2; AVX-512 at half Zen 5's rate per cycle) the same floor ran
//    DGEMM n = 4096 at 91.0% and SGEMM at 92.0% of the peak (median of two
//    rounds of 10 repetitions, scripts/bench-own-gemm.py); FP64 KC 256
//    against 512 won 1 of 3 alternating pairs. Not measured on a small L2
//    (Skylake client's 256 KiB).
//  - MC: the MC x KC block of A stays in the core's L2 while the B
//    micro-panels (the current one and the next, prefetched: 64 KiB at KC
//    512 in FP64) and C tiles pass through: it gets half of the L2. On 2
//    Zen 5 cores at KC 512 (FP64) and 1024 (FP32), n = 4096, half the L2
//    (MC 120 and 96) beat three quarters (192 and 192) in 2 of 3 and 3 of
//    3 alternating pairs (FP32 by 2.6-6%), and in FP64 an A block of 15/16
//    of the L2 (MC 240) ran 4% behind one of 9/16 (MC 144). (On Zen 3 at
//    KC 256, three quarters had run 1-3% ahead of half: about the noise,
//    and not repeated at the present KC.)
//  - NC: the KC x NC block of B, shared by every thread, stays in the L3: it
//    gets the L3's size, but at most kBBlockMaxBytes and kNcMax columns. A
//    larger NC means fewer copies of A (one per NC columns: 1 / (2 NC)
//    elements per FLOP, read from memory): at KC 512 in FP64 on 2 Zen 5
//    cores (an L3 of 4 MiB per core as the guest is told), NC 2048 (the
//    whole L3) and 4096 ran 1.5% ahead of 1024 (half of it). The caps bound
//    the block where the total L3 the context gives is split into instances
//    that each hold their own copy (one per CCX on EPYC: 16 MiB on Zen 2, 32
//    MiB on Zen 3-5): 16 MiB is half of the larger ones, the share the
//    former rule gave, and NC 4096 at KC 512 in FP64.
#include <algorithm>
#include <string>

#include "kernels/gemm/cpu/own/own_gemm.h"

namespace flopscope::gemm::own {

namespace {

constexpr uint64_t kL1WayBytes = 4096;  // sets x line of a VIPT L1 with 4 KiB pages
constexpr int64_t kArmL1Ways = 4;
constexpr int64_t kKcMultiple = 4;  // the micro-kernel's k loop is unrolled by 4
constexpr int64_t kKcMin = 64, kKcMax = 1024;
constexpr int64_t kKcFloorBytes = 4096;    // see the KC note above
constexpr int64_t kMinPanelsInL2Half = 2;  // A micro-panels at the KC floor
constexpr int64_t kNcMax = 8192;
constexpr uint64_t kBBlockMaxBytes = 16 << 20;

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
  const int64_t l2_half = static_cast<int64_t>(c.l2_bytes_per_core / 2);
  const int64_t kc_floor =
      std::min(kKcFloorBytes / s,
               round_down(l2_half / (kMinPanelsInL2Half * mr * s), kKcMultiple, kKcMultiple));
  b.kc = std::max(model_kc, kc_floor);

  b.mc = round_down(l2_half / (b.kc * s), mr, mr);
  const auto b_block = static_cast<int64_t>(std::min(c.l3_bytes_total, kBBlockMaxBytes));
  b.nc = round_down(std::min(kNcMax, b_block / (b.kc * s)), nr, nr);

  b.derivation = "KC: A micro-panel in " + std::to_string(a_ways) + " of " + std::to_string(ways) +
                 " ways of a " + kib(c.l1d_bytes_per_core) + " L1d" +
                 (model_kc < kc_floor ? " (" + std::to_string(model_kc) + "), raised to " +
                                            std::to_string(kc_floor) + " for the per-step costs"
                                      : "") +
                 (model_kc < kc_floor && kc_floor < kKcFloorBytes / s
                      ? " (the floor of " + std::to_string(kKcFloorBytes / s) + " lowered to fit " +
                            std::to_string(kMinPanelsInL2Half) + " A micro-panels in half the L2)"
                      : "") +
                 "; MC: A block in half of a " + kib(c.l2_bytes_per_core) + " L2" +
                 (b.mc * b.kc * s > l2_half ? " (one micro-panel, more than half of it)" : "") +
                 "; NC: B block in a " + kib(c.l3_bytes_total) + " L3, at most " +
                 kib(kBBlockMaxBytes) + " and " + std::to_string(kNcMax) + " columns";
  if (!fallbacks.empty()) b.derivation += " (" + fallbacks.substr(0, fallbacks.size() - 2) + ")";
  return b;
}

}  // namespace flopscope::gemm::own
