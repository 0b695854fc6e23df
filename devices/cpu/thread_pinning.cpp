#include "devices/cpu/thread_pinning.h"

#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <exception>
#include <thread>

namespace flopscope::cpu {

void pin_omp_thread(const std::vector<int>& pus, int thread) {
  thread_local int pinned_to = -1;
  if (thread < 0 || thread >= static_cast<int>(pus.size())) return;
  const int pu = pus[thread];
  if (pinned_to == pu) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(pu, &set);
  // Failure (a cpuset that excludes the PU) leaves the thread unpinned; the
  // result file records the PUs requested, and a slower figure shows it.
  if (sched_setaffinity(0, sizeof set, &set) == 0) pinned_to = pu;
}

void run_on_a_thread_of_its_own(const std::vector<int>& pus, const std::function<void()>& job) {
  std::exception_ptr error;
  std::thread([&] {
    try {
      const int n = std::max<int>(1, static_cast<int>(pus.size()));
#pragma omp parallel num_threads(n)
      pin_omp_thread(pus, omp_get_thread_num());
      job();
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  if (error) std::rethrow_exception(error);
}

std::vector<int> allowed_pus(int most) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> pus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return pus;
  for (int i = 0; i < CPU_SETSIZE && static_cast<int>(pus.size()) < most; ++i)
    if (CPU_ISSET(i, &set)) pus.push_back(i);
  return pus;
}

}  // namespace flopscope::cpu
