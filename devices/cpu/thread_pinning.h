// Pins OpenMP threads to PUs chosen from the hwloc topology (one per core).
// GCC's OpenMP keeps its threads between parallel regions, so a thread is
// pinned once and stays pinned.
#pragma once

#include <vector>

namespace flopscope::cpu {

// Pins OpenMP thread `thread` to pus[thread]; cheap when already pinned there.
void pin_omp_thread(const std::vector<int>& pus, int thread);

// The first `most` PUs this process may run on (its CPU affinity, in PU
// order); empty when the affinity cannot be read.
std::vector<int> allowed_pus(int most);

}  // namespace flopscope::cpu
