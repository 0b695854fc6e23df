// How the threads share one pc step of the packed GEMM (internal to the
// engine): the step's work is m_blocks packed A blocks, each multiplied by
// `chunks` runs of B micro-panels.
//
// Each thread owns a contiguous run of blocks and works through its own
// chunks first, in order, packing each of its A blocks once. When its run is
// done it helps the others, taking their remaining chunks one at a time from
// the far end of their runs (so owner and helper rarely meet on a block and
// pack it twice). Why: with one whole block per item (about 5-10 ms at
// n = 2048-4096 on a Zen 3 core), a thread slowed by another process left
// its partner waiting at the step's barrier for up to a block: 3-4% of the
// thread time of a 2-thread DGEMM went to that wait on the development VM.
// A chunk is a quarter of a block or less, and only the last chunks move.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace flopscope::gemm::own {

class StepWork {
 public:
  // chunks >= 1 per block; threads >= 1.
  StepWork(int64_t blocks, int64_t chunks, int threads)
      : blocks_(blocks), chunks_(chunks), threads_(threads), next_(2 * blocks) {
    for (auto& n : next_) n.store(0, std::memory_order_relaxed);
  }

  int64_t blocks() const { return blocks_; }
  int64_t chunks() const { return chunks_; }

  // The blocks thread `tid` owns: [first, second).
  std::pair<int64_t, int64_t> owned(int tid) const {
    return {blocks_ * tid / threads_, blocks_ * (tid + 1) / threads_};
  }

  // Calls work(block, chunk) for every item thread `tid` claims in step
  // `step` (0, 1, 2, ... in the order the steps run). Every item of a step
  // goes to exactly one thread, provided every thread of the team, thread 0
  // among them, calls this once per step with a barrier between steps. A
  // team smaller than `threads` (OpenMP may give fewer than asked) is still
  // correct: the missing threads' blocks are all taken over. The counters of
  // step + 1 are reset by thread 0 during step, hence two sets, alternating.
  template <class Work>
  void run(int64_t step, int tid, Work&& work) {
    std::atomic<int64_t>* now = next_.data() + (step % 2) * blocks_;
    if (tid == 0) {
      std::atomic<int64_t>* after = next_.data() + ((step + 1) % 2) * blocks_;
      for (int64_t b = 0; b < blocks_; ++b) after[b].store(0, std::memory_order_relaxed);
    }
    auto drain = [&](int64_t b) {
      for (int64_t c; (c = now[b].fetch_add(1, std::memory_order_relaxed)) < chunks_;) work(b, c);
    };
    const auto [lo, hi] = owned(tid);
    for (int64_t b = lo; b < hi; ++b) drain(b);
    for (int u = 1; u < threads_; ++u) {
      const auto [vlo, vhi] = owned((tid + u) % threads_);
      for (int64_t b = vhi; b-- > vlo;) drain(b);
    }
  }

 private:
  int64_t blocks_, chunks_;
  int threads_;
  std::vector<std::atomic<int64_t>> next_;  // per set and block: the next chunk to hand out
};

}  // namespace flopscope::gemm::own
