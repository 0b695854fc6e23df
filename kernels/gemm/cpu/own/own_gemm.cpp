// The packed GEMM's driver: BLIS's five loops around the micro-kernel, with
// OpenMP threads pinned one per PU. Every call is first rewritten as a
// column-major product with strided operands (a row-major C is the
// column-major C^T = op(B)^T op(A)^T), so one loop nest serves every layout
// and transpose.
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "devices/cpu/huge_pages.h"
#include "devices/cpu/thread_pinning.h"
#include "kernels/gemm/cpu/own/own_gemm.h"
#include "kernels/gemm/cpu/own/own_gemm_driver.h"
#include "kernels/gemm/cpu/own/own_microkernel.h"
#include "kernels/gemm/cpu/own/own_pack.h"
#include "kernels/gemm/cpu/own/own_step_work.h"

namespace flopscope::gemm::own {

namespace {

// C (m x n, column-major, ldc) = alpha A (m x k) B (k x n) + beta C.
template <typename T>
struct Problem {
  int64_t m = 0, n = 0, k = 0;
  T alpha = 1, beta = 0;
  StridedView<T> a, b;
  T* c = nullptr;
  int64_t ldc = 0;
};

// op(X), op_rows x op_cols, of a column-major X with leading dimension ld:
// its strides, after checking ld.
template <typename T>
StridedView<T> operand(Trans t, const T* x, int64_t ld, int64_t op_rows, int64_t op_cols,
                       const char* name) {
  const bool transposed = t == Trans::yes;
  const int64_t stored_rows = transposed ? op_cols : op_rows;  // rows of the column-major storage
  if (ld < std::max<int64_t>(1, stored_rows))
    throw std::invalid_argument(std::string("own_gemm: leading dimension of ") + name + " (" +
                                std::to_string(ld) + ") is below " +
                                std::to_string(std::max<int64_t>(1, stored_rows)));
  return transposed ? StridedView<T>{x, ld, 1} : StridedView<T>{x, 1, ld};
}

template <typename T>
Problem<T> canonical(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, T alpha,
                     const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m < 0 || n < 0 || k < 0)
    throw std::invalid_argument("own_gemm: negative size " + std::to_string(m) + "x" +
                                std::to_string(n) + "x" + std::to_string(k));
  Problem<T> p;
  p.alpha = alpha;
  p.beta = beta;
  p.c = c;
  p.ldc = ldc;
  if (layout == Layout::col_major) {
    p.m = m, p.n = n, p.k = k;
    p.a = operand(ta, a, lda, m, k, "A");
    p.b = operand(tb, b, ldb, k, n, "B");
  } else {
    // C^T (n x m) = op(B)^T (n x k) op(A)^T (k x m). Read column-major, a
    // row-major X is X^T, so op(B)^T is B's storage under the same op.
    p.m = n, p.n = m, p.k = k;
    p.a = operand(tb, b, ldb, n, k, "B");
    p.b = operand(ta, a, lda, k, m, "A");
  }
  if (ldc < std::max<int64_t>(1, p.m))
    throw std::invalid_argument("own_gemm: leading dimension of C (" + std::to_string(ldc) +
                                ") is below " + std::to_string(std::max<int64_t>(1, p.m)));
  return p;
}

// C = beta C, for alpha == 0 or k == 0 (BLAS: A and B are not read then).
template <typename T>
void scale_c(const Problem<T>& p) {
  if (p.beta == T(1)) return;
  for (int64_t j = 0; j < p.n; ++j) {
    T* col = p.c + j * p.ldc;
    for (int64_t i = 0; i < p.m; ++i) col[i] = p.beta == T(0) ? T(0) : p.beta * col[i];
  }
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}
int64_t round_up(int64_t a, int64_t b) {
  return ceil_div(a, b) * b;
}

// Packed panels for one call, kept by the calling thread between calls so
// repeated GEMMs do not fault fresh pages in every time.
struct Workspace {
  flopscope::cpu::HugePageBuffer memory;
  size_t bytes = 0;

  void* get(size_t need) {
    if (need > bytes) {
      memory.reset();
      // On huge pages: a packed B block of several MiB then takes a few TLB
      // entries.
      memory.reset(flopscope::cpu::allocate_huge_page_advised(need));
      bytes = need;
    }
    return memory.get();
  }
};

Workspace& workspace() {
  thread_local Workspace w;
  return w;
}

// One whole-tile call into a scratch tile, then the valid part into C: the
// same arithmetic as a full tile (the padding is zeros), for edge tiles.
template <typename T, int MR, int NR>
void edge_tile(MicroKernelFn<T> kernel, int64_t kc, const T* a, const T* b, T alpha, T beta, T* c,
               int64_t ldc, int64_t rows, int64_t cols, const Lookahead<T>& ahead) {
  alignas(64) T tile[MR * NR];
  kernel(kc, a, b, alpha, T(0), tile, MR, ahead);
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t i = 0; i < rows; ++i) {
      T& cij = c[i + j * ldc];
      cij = beta == T(0) ? tile[i + j * MR] : tile[i + j * MR] + beta * cij;
    }
}

// The next B micro-panel is in the L3 (the packed B block is too large for
// the L2): asked for a slice at a time, one slice per micro-kernel call on
// the current panel, it is in the caches when its turn comes instead of
// costing L3 latency on the first call. Each call spreads its slice's
// requests over its k loop (own_lookahead.h).
template <typename T>
class NextPanel {
 public:
  // panel: the next micro-panel (null: none), `steps` calls to spread it over.
  NextPanel(const T* panel, int64_t elements, int64_t steps)
      : p_(panel),
        elements_(panel ? elements : 0),
        per_step_(round_up(ceil_div(elements_, steps), kPerLine<T>)) {}

  // Call `step`'s slice, whole lines.
  std::pair<const T*, const T*> slice(int64_t step) const {
    const int64_t from = std::min(elements_, step * per_step_);
    const int64_t to = std::min(elements_, from + per_step_);
    return {p_ + from, p_ + to};
  }

 private:
  const T* p_;
  int64_t elements_, per_step_;
};

// The five loops. jc (NC) and pc (KC) are walked by every thread together:
// they pack the KC x NC block of B between them, then share out work items,
// each an MC-row block of A (packed by the thread that takes it) times a
// chunk of B micro-panels (jr), with the ir loop innermost so one B
// micro-panel stays in L1 while the A block streams from L2. B's panels are
// packed in dynamically scheduled groups and the items go out through
// StepWork (own_step_work.h: each thread its own blocks first, then the
// others' last chunks), so a core slowed by another process does not hold
// the others at the barrier.
template <typename T, int MR, int NR>
void packed_gemm(const Problem<T>& p, const OwnGemmBlocking& blk, MicroKernelFn<T> kernel,
                 const std::vector<int>& pus) {
  const int threads = pus.empty() ? 1 : static_cast<int>(pus.size());

  // Blocks of equal size rather than full blocks and a sliver.
  const int64_t kc = ceil_div(p.k, ceil_div(p.k, blk.kc));
  const int64_t nc = round_up(ceil_div(p.n, ceil_div(p.n, blk.nc)), NR);
  // Row blocks of at most MC rows, as many as a multiple of the thread count
  // and holding equal numbers of MR-row panels (to one panel), so every
  // thread has the same work in each pc step: with blocks of MC rows and a
  // remainder, 11 blocks would leave one of two threads idle for a block in
  // every step (n = 2048, MC = 192).
  const int64_t m_panels = ceil_div(p.m, MR);
  const int64_t m_blocks = std::min(m_panels, round_up(ceil_div(m_panels * MR, blk.mc), threads));
  const int64_t mc = ceil_div(m_panels, m_blocks) * MR;  // the largest block

  // B's panels in chunks of a quarter of the block or less (at least 4 x the
  // threads in all): fine enough to even out the end of a step, and a chunk
  // still runs hundreds of micro-kernel calls.
  const int64_t panels_max = ceil_div(nc, NR);
  const int64_t chunks =
      std::clamp<int64_t>(std::max<int64_t>(4, ceil_div(4 * threads, m_blocks)), 1, panels_max);
  StepWork work(m_blocks, chunks, threads);

  // Each buffer starts a whole number of 4 KiB pages into the workspace
  // (itself 64-byte aligned, 2 MiB from 2 MiB up): aligned for the
  // micro-kernel's vector loads, and no two threads' packed A share a line.
  constexpr int64_t kPage = 4096 / sizeof(T);
  const size_t b_elems = static_cast<size_t>(round_up(kc * nc, kPage));
  const size_t a_elems = static_cast<size_t>(round_up(kc * mc, kPage));
  T* const b_pack = static_cast<T*>(
      workspace().get((b_elems + a_elems * static_cast<size_t>(threads)) * sizeof(T)));

#pragma omp parallel num_threads(threads)
  {
    const int tid = omp_get_thread_num();
    if (!pus.empty()) cpu::pin_omp_thread(pus, tid);
    T* const a_pack = b_pack + b_elems + a_elems * static_cast<size_t>(tid);

    int64_t step = 0;
    for (int64_t jc = 0; jc < p.n; jc += nc) {
      const int64_t ncur = std::min(nc, p.n - jc);
      const int64_t panels = ceil_div(ncur, NR);
      for (int64_t pc = 0; pc < p.k; pc += kc, ++step) {
        const int64_t kcur = std::min(kc, p.k - pc);
        const T beta = pc == 0 ? p.beta : T(1);
        const StridedView<T> b_block{p.b.at(pc, jc), p.b.rs, p.b.cs};

#pragma omp for schedule(dynamic, 8)
        for (int64_t q = 0; q < panels; ++q)
          pack_b_panels<NR>(b_block, kcur, ncur, q, q + 1, b_pack);

        int64_t packed_ic = -1;  // the A block now in a_pack
        work.run(step, tid, [&](int64_t block, int64_t chunk) {
          const int64_t ic = m_panels * block / m_blocks * MR;
          const int64_t mcur = std::min(p.m, m_panels * (block + 1) / m_blocks * MR) - ic;
          const int64_t q0 = panels * chunk / chunks, q1 = panels * (chunk + 1) / chunks;
          if (q0 == q1) return;
          if (packed_ic != ic) {
            pack_a_block<MR>(StridedView<T>{p.a.at(ic, pc), p.a.rs, p.a.cs}, mcur, kcur, a_pack);
            packed_ic = ic;
          }
          // The tile of C that the call after (i, q) in this chunk updates,
          // when a whole one (see Lookahead).
          auto next_tile = [&](int64_t i, int64_t q, Lookahead<T>& ahead) {
            if (i + MR < mcur)
              i += MR;
            else if (q + 1 < q1)
              i = 0, ++q;
            else
              return;
            if (mcur - i < MR || ncur - q * NR < NR) return;
            ahead.next_c = p.c + (ic + i) + (jc + q * NR) * p.ldc;
            ahead.ldc = p.ldc;
          };
          for (int64_t q = q0; q < q1; ++q) {
            const int64_t j = q * NR, cols = std::min<int64_t>(NR, ncur - j);
            const T* b_panel = b_pack + q * kcur * NR;
            const NextPanel<T> next_b(q + 1 < q1 ? b_panel + kcur * NR : nullptr, kcur * NR,
                                      ceil_div(mcur, MR));
            for (int64_t i = 0, step = 0; i < mcur; i += MR, ++step) {
              const auto [b_from, b_to] = next_b.slice(step);
              Lookahead<T> ahead{.b_from = b_from, .b_to = b_to};
              next_tile(i, q, ahead);
              const int64_t rows = std::min<int64_t>(MR, mcur - i);
              const T* a_panel = a_pack + i * kcur;
              T* c = p.c + (ic + i) + (jc + j) * p.ldc;
              if (rows == MR && cols == NR)
                kernel(kcur, a_panel, b_panel, p.alpha, beta, c, p.ldc, ahead);
              else
                edge_tile<T, MR, NR>(kernel, kcur, a_panel, b_panel, p.alpha, beta, c, p.ldc, rows,
                                     cols, ahead);
            }
          }
        });
        // Nobody repacks B while it is in use.
#pragma omp barrier
      }
    }
  }
}

const cpu::CpuIsa& live_isa() {
  static const cpu::CpuIsa isa = cpu::detect_cpu_isa();
  return isa;
}

// The driver instance for micro-kernel k's tile: one per tile the build
// carries (own_microkernel_*.cpp), for whichever ISA runs it.
template <typename T>
void run_packed(const Problem<T>& p, const MicroKernel<T>& k, const OwnGemmBlocking& blk,
                const std::vector<int>& pus, const std::string& name) {
  if (blk.mc < k.mr || blk.kc < 1 || blk.nc < k.nr)
    throw std::invalid_argument("own_gemm: blocking of " + name + " (mc=" + std::to_string(blk.mc) +
                                " kc=" + std::to_string(blk.kc) + " nc=" + std::to_string(blk.nc) +
                                ") is smaller than one tile");
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0 || p.alpha == T(0)) return scale_c(p);

  if constexpr (sizeof(T) == 8) {
    if (k.mr == 8 && k.nr == 6) return packed_gemm<T, 8, 6>(p, blk, k.fn, pus);
    if (k.mr == 24 && k.nr == 8) return packed_gemm<T, 24, 8>(p, blk, k.fn, pus);
    if (k.mr == 16 && k.nr == 14) return packed_gemm<T, 16, 14>(p, blk, k.fn, pus);
  } else {
    if (k.mr == 16 && k.nr == 6) return packed_gemm<T, 16, 6>(p, blk, k.fn, pus);
    if (k.mr == 48 && k.nr == 8) return packed_gemm<T, 48, 8>(p, blk, k.fn, pus);
    if (k.mr == 32 && k.nr == 14) return packed_gemm<T, 32, 14>(p, blk, k.fn, pus);
  }
  throw std::invalid_argument("own_gemm: no driver instance for tile " + name);
}

template <typename T>
void dispatch(const Problem<T>& p, const OwnGemmConfig& cfg) {
  const Precision want = sizeof(T) == 8 ? Precision::fp64 : Precision::fp32;
  if (cfg.variant.precision != want)
    throw std::invalid_argument("own_gemm: " + cfg.variant.name + " is an " +
                                std::string(to_string(cfg.variant.precision)) +
                                " variant, called for " + std::string(to_string(want)));
  if (!can_run(cfg.variant, live_isa()))
    throw std::invalid_argument("own_gemm: this CPU cannot run " + cfg.variant.name);
  MicroKernel<T> k;
  for (int tile = 0; (k = compiled_micro_kernel<T>(cfg.variant.isa, tile)).fn; ++tile)
    if (k.mr == cfg.variant.mr && k.nr == cfg.variant.nr) break;
  if (!k.fn)
    throw std::invalid_argument("own_gemm: no compiled micro-kernel matches " + cfg.variant.name);
  run_packed(p, k, cfg.blocking, cfg.pus, cfg.variant.name);
}

}  // namespace

void own_gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, double alpha,
              const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
              int64_t ldc, const OwnGemmConfig& config) {
  dispatch(canonical(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), config);
}

void own_gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, float alpha,
              const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
              int64_t ldc, const OwnGemmConfig& config) {
  dispatch(canonical(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), config);
}

template <typename T>
void own_gemm_with_micro_kernel(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k,
                                T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta,
                                T* c, int64_t ldc, const MicroKernel<T>& kernel,
                                const OwnGemmBlocking& blocking, const std::vector<int>& pus) {
  if (!kernel.fn) throw std::invalid_argument("own_gemm: no micro-kernel given");
  run_packed(canonical(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), kernel,
             blocking, pus, std::to_string(kernel.mr) + "x" + std::to_string(kernel.nr));
}

template void own_gemm_with_micro_kernel<double>(Layout, Trans, Trans, int64_t, int64_t, int64_t,
                                                 double, const double*, int64_t, const double*,
                                                 int64_t, double, double*, int64_t,
                                                 const MicroKernel<double>&, const OwnGemmBlocking&,
                                                 const std::vector<int>&);
template void own_gemm_with_micro_kernel<float>(Layout, Trans, Trans, int64_t, int64_t, int64_t,
                                                float, const float*, int64_t, const float*, int64_t,
                                                float, float*, int64_t, const MicroKernel<float>&,
                                                const OwnGemmBlocking&, const std::vector<int>&);

}  // namespace flopscope::gemm::own
