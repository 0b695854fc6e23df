// Waiting out a library's threads. A BLAS library's threads keep spinning
// on the cores for a while after a call returns (OpenBLAS's pool about
// 0.1 s, GNU OpenMP's GOMP_SPINCOUNT, Intel OpenMP's KMP_BLOCKTIME 0.2 s), so
// a clock probe or the FMA chains started right after one would share the
// cores with them and read low. They are asleep when the kernel says so.
#pragma once

namespace flopscope::cpu {

// How long a library's threads are waited for after a call: five times the
// longest spin above (KMP_BLOCKTIME). Threads still running then were told
// to spin on (OMP_WAIT_POLICY=active, KMP_BLOCKTIME=infinite).
inline constexpr double kLibraryThreadsWaitS = 1.0;

// Whether every thread of this process but the caller is asleep: none is
// running or runnable ("R" in /proc/self/task/TID/stat). True where /proc
// cannot be read (nothing to wait on).
bool other_threads_asleep();

// Polls other_threads_asleep() until it holds twice in a row, at most
// `max_s` seconds. Returns whether it held; the time waited is the caller's
// to judge (none for a caller whose threads were already asleep).
bool wait_for_other_threads_to_sleep(double max_s);

}  // namespace flopscope::cpu
