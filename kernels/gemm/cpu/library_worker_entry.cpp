// The worker's entry point, before main(): see library_worker.h. It runs as
// a constructor so that the flopscope binary and the test programs alike
// become workers without a command of their own. It relies on no other
// static object (their constructors may not have run yet).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "kernels/gemm/cpu/library_worker.h"

namespace {

__attribute__((constructor)) void flopscope_library_worker_entry() {
  const char* spec = std::getenv(flopscope::gemm::cpu::kWorkerEnv);
  if (!spec) return;
  int read_fd = -1, write_fd = -1;
  if (std::sscanf(spec, "%d,%d", &read_fd, &write_fd) != 2) _exit(2);
  unsetenv(flopscope::gemm::cpu::kWorkerEnv);
  const int status = flopscope::gemm::cpu::serve_library_worker(read_fd, write_fd);
  std::fflush(nullptr);
  // _exit: the libraries' thread pools and atexit handlers are not worth
  // tearing down, and the parent's static objects were never built here.
  _exit(status);
}

}  // namespace
