#include "kernels/stream/cpu/stream_cpu.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

#include "devices/cpu/thread_pinning.h"
#include "kernels/stream/cpu/page_buffer.h"
#include "kernels/stream/cpu/stream_loops.h"

namespace flopscope::stream::cpu {

int64_t default_elements(uint64_t l3_total, uint64_t memory_bytes, int element_bytes, bool quick) {
  const uint64_t floor = quick ? (uint64_t{64} << 20) : (uint64_t{256} << 20);
  uint64_t bytes = std::max<uint64_t>(4 * l3_total, floor);
  if (memory_bytes > 0) bytes = std::min<uint64_t>(bytes, memory_bytes / 4 / 3);
  // Whole 64-byte lines per array.
  bytes = std::max<uint64_t>(bytes / 64 * 64, 64);
  return static_cast<int64_t>(bytes / static_cast<uint64_t>(element_bytes));
}

namespace {

// Thread t of n's elements of [0, elements), split on 64-byte lines so no
// line is shared.
template <typename T>
std::pair<int64_t, int64_t> share_of(int64_t elements, int t, int n) {
  constexpr int64_t line = 64 / sizeof(T);
  const int64_t lines = (elements + line - 1) / line;
  return {std::min(elements, lines * t / n * line), std::min(elements, lines * (t + 1) / n * line)};
}

template <typename T>
using LoopFn = void (*)(const StreamTask<T>&);

template <typename T>
LoopFn<T> loop_for(LoopIsa isa) {
#if defined(__x86_64__)
  if (isa == LoopIsa::avx512) return static_cast<LoopFn<T>>(stream_avx512);
  if (isa == LoopIsa::avx2) return static_cast<LoopFn<T>>(stream_avx2);
#else
  (void)isa;
#endif
  return static_cast<LoopFn<T>>(stream_generic);
}

template <typename T>
class CpuStreamRun final : public KernelRun {
 public:
  explicit CpuStreamRun(const StreamConfig& c) : config_(c), fn_(loop_for<T>(c.isa)) {
    threads_ = c.pus.empty() ? 1 : static_cast<int>(c.pus.size());
    const uint64_t array_bytes = static_cast<uint64_t>(c.elements) * sizeof(T);
    streaming_ = c.streaming_stores >= 0 ? c.streaming_stores == 1 : array_bytes > c.l3_bytes_total;
    if (c.isa == LoopIsa::generic) streaming_ = false;
    const size_t n = static_cast<size_t>(c.elements);
    a_ = PageBuffer<T>(n);
    b_ = PageBuffer<T>(n);
    if (c.op == Op::triad) c_ = PageBuffer<T>(n);
    first_touch();
  }

  std::string implementation() const override {
    char buf[128];
    std::snprintf(buf, sizeof buf, "flopscope-stream-%s,%s,threads=%d",
                  std::string(to_string(config_.isa)).c_str(), streaming_ ? "nt-stores" : "stores",
                  threads_);
    return buf;
  }
  double flop_per_iteration() const override {
    return static_cast<double>(flop_per_element(config_.op)) *
           static_cast<double>(config_.elements);
  }
  double bytes_per_iteration() const override {
    return static_cast<double>(bytes_per_element(config_.op, sizeof(T))) *
           static_cast<double>(config_.elements);
  }
  std::optional<MemoryFootprint> footprint() const override {
    return MemoryFootprint{bytes_per_iteration(), static_cast<double>(config_.l3_bytes_total),
                           "L3"};
  }

  double run(int64_t iterations) override {
    auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads_)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(config_.pus, t);
      const StreamTask<T> task = task_of(t);
      // Passes are independent (each rewrites a from b and c), so threads
      // need no barrier between them: one region for the whole batch.
      for (int64_t i = 0; i < iterations; ++i) fn_(task);
    }
    passes_ += iterations;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  Verification verify() override {
    Verification v;
    v.tolerance = tolerance(config_.op, std::numeric_limits<T>::epsilon());
    if (passes_ == 0) {
      v.detail = "no pass has run";
      return v;
    }
    v.checked = true;
    const int64_t n = config_.elements;
    double worst = 0;
    int64_t worst_at = -1, wrong = 0;
#pragma omp parallel num_threads(threads_) reduction(+ : wrong)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(config_.pus, t);
      double my_worst = 0;
      int64_t my_at = -1;
      const auto task = task_of(t);
      for (int64_t i = task.begin; i < task.end; ++i) {
        const double want = expected(static_cast<uint64_t>(i));
        const double err = std::fabs(static_cast<double>(a_[i]) - want) / want;
        if (!(err <= v.tolerance)) ++wrong;
        if (!(err <= my_worst)) {
          my_worst = std::isnan(err) ? INFINITY : err;
          my_at = i;
        }
      }
#pragma omp critical
      if (my_worst > worst || (worst_at < 0 && my_at >= 0)) {
        worst = my_worst;
        worst_at = my_at;
      }
    }
    v.max_error = worst;
    v.passed = wrong == 0;
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "every one of %lld elements of a against b%s from their seeds; %lld wrong, "
                  "worst at %lld",
                  static_cast<long long>(n), config_.op == Op::copy ? "" : " + 2c",
                  static_cast<long long>(wrong), static_cast<long long>(worst_at));
    v.detail = buf;
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    const int64_t n = config_.elements;
    a_[static_cast<size_t>(((element % n) + n) % n)] += T(1);
    return true;
  }

 private:
  StreamTask<T> task_of(int t) {
    StreamTask<T> task;
    task.op = config_.op;
    task.a = a_.data();
    task.b = b_.data();
    task.c = config_.op == Op::triad ? c_.data() : nullptr;
    task.scalar = static_cast<T>(kTriadScalar);
    std::tie(task.begin, task.end) = share_of<T>(config_.elements, t, threads_);
    task.streaming_stores = streaming_;
    return task;
  }

  // The element's value after a pass, from the seeds: b, or b + s*c with
  // b and c rounded to T first, as the kernel saw them.
  double expected(uint64_t i) const {
    const double b = static_cast<T>(input_b(config_.seed, i));
    if (config_.op == Op::copy) return b;
    const double c = static_cast<T>(input_c(config_.seed, i));
    return static_cast<double>(static_cast<T>(b + kTriadScalar * c));
  }

  void first_touch() {
#pragma omp parallel num_threads(threads_)
    {
      const int t = omp_get_thread_num();
      flopscope::cpu::pin_omp_thread(config_.pus, t);
      const auto task = task_of(t);
      for (int64_t i = task.begin; i < task.end; ++i) {
        a_[i] = T(0);
        b_[i] = static_cast<T>(input_b(config_.seed, static_cast<uint64_t>(i)));
        if (config_.op == Op::triad)
          c_[i] = static_cast<T>(input_c(config_.seed, static_cast<uint64_t>(i)));
      }
    }
  }

  StreamConfig config_;
  LoopFn<T> fn_;
  int threads_ = 1;
  bool streaming_ = false;
  PageBuffer<T> a_, b_, c_;
  int64_t passes_ = 0;
};

template <typename T>
void copy_share_of(LoopIsa isa, T* a, const T* b, int64_t elements, int t, int n,
                   bool streaming_stores) {
  StreamTask<T> task;
  task.op = Op::copy;
  task.a = a;
  task.b = b;
  std::tie(task.begin, task.end) = share_of<T>(elements, t, n);
  task.streaming_stores = streaming_stores && isa != LoopIsa::generic;
  loop_for<T>(isa)(task);
}

}  // namespace

void copy_share(LoopIsa isa, double* a, const double* b, int64_t elements, int t, int n,
                bool streaming_stores) {
  copy_share_of(isa, a, b, elements, t, n, streaming_stores);
}
void copy_share(LoopIsa isa, float* a, const float* b, int64_t elements, int t, int n,
                bool streaming_stores) {
  copy_share_of(isa, a, b, elements, t, n, streaming_stores);
}

std::unique_ptr<KernelRun> make_cpu_stream_run(const StreamConfig& c) {
  if (c.precision == Precision::fp64) return std::make_unique<CpuStreamRun<double>>(c);
  if (c.precision == Precision::fp32) return std::make_unique<CpuStreamRun<float>>(c);
  return nullptr;
}

}  // namespace flopscope::stream::cpu
