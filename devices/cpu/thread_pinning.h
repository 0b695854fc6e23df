// Pins OpenMP threads to PUs chosen from the hwloc topology (one per core).
// GCC's OpenMP keeps its threads between parallel regions, so a thread is
// pinned once and stays pinned.
#pragma once

#include <functional>
#include <vector>

namespace flopscope::cpu {

// Pins OpenMP thread `thread` to pus[thread]; cheap when already pinned there.
void pin_omp_thread(const std::vector<int>& pus, int thread);

// Runs `job` on a thread of its own whose OpenMP team is made and pinned to
// `pus` (one thread each) first, outside anything the job times, and is gone
// when this returns. For readings taken beside a library's threads: this
// thread keeps its affinity, which threads it starts inherit (BLIS starts
// them per call, OpenBLAS at load), and pin_omp_thread's record of where it
// pinned this thread cannot go stale when the affinity is changed behind it;
// no second OpenMP pool stays beside an OpenMP library's (GNU OpenMP spins
// far less once it manages more threads than there are CPUs) or spins
// beside its calls. The job's exception is rethrown here.
void run_on_a_thread_of_its_own(const std::vector<int>& pus, const std::function<void()>& job);

// The first `most` PUs this process may run on (its CPU affinity, in PU
// order); empty when the affinity cannot be read.
std::vector<int> allowed_pus(int most);

}  // namespace flopscope::cpu
