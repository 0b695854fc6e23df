// Waiting out a library's threads (devices/cpu/idle_threads.h) before a
// clock probe or the FMA chains in a GEMM's gap.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "devices/cpu/idle_threads.h"

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
