// The library worker process: flopscope re-executed with
// FLOPSCOPE_CPU_LIBRARY_WORKER=<read fd>,<write fd> in its environment.
// Before main() runs, it serves one library configuration over those pipes
// and exits, so each OpenBLAS core type or BLIS configuration gets a process
// of its own (they fix their kernels when they load, and export the same
// symbols). The entry point lives in worker_process.cpp, so any program that
// can start workers can be one, the test programs included.
//
// Line protocol, tab-separated, one reply per request:
//   setup <WorkerSetup fields>  -> ready <implementation> <applied config>
//                                | unsupported <reason> | error <message>
//   run <iterations>            -> time <seconds of the GEMM calls alone>
//   verify                      -> verify <checked> <passed> <max_error> <tolerance> <detail>
//   corrupt <element>           -> corrupt <1|0>
//   gap <chains seconds> [<most seconds to wait for a library's threads, default 1>]
//                               -> gap <clock Hz, 0: none> <FP64 FMA chains FLOP/s, 0: none>
//                                  <why none> (the chains, then the brief clock probe: on
//                                  the own GEMM's OpenMP team, or once a library's threads
//                                  sleep, on a thread of their own)
//   quit                        -> (exits)
#pragma once

namespace flopscope::gemm::cpu {

inline constexpr const char* kWorkerEnv = "FLOPSCOPE_CPU_LIBRARY_WORKER";

// Serves requests until quit or end of input; returns the exit status.
int serve_library_worker(int read_fd, int write_fd);

}  // namespace flopscope::gemm::cpu
