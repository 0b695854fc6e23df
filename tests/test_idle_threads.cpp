// Readings beside a library's threads in a GEMM's gap: waiting them out
// (devices/cpu/idle_threads.h), then the clock probe and the FMA chains on a
// thread of their own (devices/cpu/thread_pinning.h).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <omp.h>
#include <sched.h>
#include <thread>

#include <gtest/gtest.h>

#include "devices/cpu/idle_threads.h"
#include "devices/cpu/thread_pinning.h"

namespace fcpu = flopscope::cpu;

TEST(IdleThreads, AloneIsAsleep) {
  EXPECT_TRUE(fcpu::other_threads_asleep());
  EXPECT_TRUE(fcpu::wait_for_other_threads_to_sleep(0.1));
}

// A thread spinning as a library's pool does after a call is seen running
// and waited for; once it blocks, as the pool does when its spin ends, the
// wait ends.
TEST(IdleThreads, ASpinningThreadIsWaitedForUntilItBlocks) {
  std::atomic<bool> spin{true};
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread pool([&] {
    while (spin.load(std::memory_order_relaxed)) {
    }
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return done; });
  });
  EXPECT_FALSE(fcpu::other_threads_asleep());
  EXPECT_FALSE(fcpu::wait_for_other_threads_to_sleep(0.05));  // still spinning: gives up
  // The spin ends 0.1 s from now, like OpenBLAS's pool after a call.
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    spin = false;
  });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(fcpu::wait_for_other_threads_to_sleep(fcpu::kLibraryThreadsWaitS));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(90));
  stopper.join();
  {
    std::lock_guard<std::mutex> lock(m);
    done = true;
  }
  cv.notify_one();
  pool.join();
}

// The job runs on another thread, its OpenMP team one thread per PU, each
// on its PU; the caller's affinity stays as it was, nothing spins after,
// and the job's exception reaches the caller.
TEST(IdleThreads, ReadingsRunOnAThreadOfTheirOwn) {
  const auto pus = fcpu::allowed_pus(2);
  ASSERT_FALSE(pus.empty());
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  const auto caller = std::this_thread::get_id();
  std::thread::id ran_on;
  std::vector<int> ran_where(pus.size(), -1);
  fcpu::run_on_a_thread_of_its_own(pus, [&] {
    ran_on = std::this_thread::get_id();
#pragma omp parallel num_threads(static_cast <int>(pus.size()))
    ran_where[omp_get_thread_num()] = sched_getcpu();
  });
  EXPECT_NE(ran_on, caller);
  EXPECT_EQ(ran_where, pus);
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
  EXPECT_TRUE(fcpu::wait_for_other_threads_to_sleep(fcpu::kLibraryThreadsWaitS));
  EXPECT_THROW(fcpu::run_on_a_thread_of_its_own(pus, [] { throw std::runtime_error("x"); }),
               std::runtime_error);
}
