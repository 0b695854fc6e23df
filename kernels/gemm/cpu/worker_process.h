// The parent's side of a library worker (library_worker.h): starts this
// program again as a worker, confined to the given cores and with a clean
// library environment, and exchanges request/reply lines with it.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace flopscope::gemm::cpu {

// The worker died or broke the protocol; what() says how, with the tail of
// what it printed.
class WorkerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using EnvList = std::vector<std::pair<std::string, std::string>>;

// Variables that steer BLAS, OpenMP and oneDNN threads and kernels. A worker
// starts with none of them from the user's environment, only those its
// configuration sets: otherwise the library's "own choice" would be
// whatever OPENBLAS_CORETYPE or BLIS_ARCH_TYPE the shell happened to hold.
const std::vector<std::string>& managed_library_variables();

// The libraries' thread counts for `pus.size()` threads and, for libraries
// that run on OpenMP threads (`openmp_library`), OMP_PLACES (one place per
// PU) and OMP_PROC_BIND=close. Only for those: GCC's OpenMP binds the main
// thread to the first place as it starts, and a library that makes its own
// threads from the main thread (OpenBLAS's pthreads) would then put them all
// on that one PU. Every worker is confined to `pus` as a whole.
EnvList thread_environment(const std::vector<int>& pus, bool openmp_library);

class WorkerProcess {
 public:
  // `what` names the worker in messages. Throws WorkerError when it cannot start.
  WorkerProcess(std::string what, const EnvList& env, const std::vector<int>& pus);
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  // Sends one request line and returns the reply line. Throws WorkerError.
  std::string request(const std::string& line);

 private:
  [[noreturn]] void fail(const std::string& why);
  std::string log_tail() const;

  std::string what_;
  pid_t pid_ = -1;
  int socket_ = -1;
  int log_ = -1;
  std::string pending_;  // bytes read past the last reply
};

// Splits a reply at tabs.
std::vector<std::string> split_tabs(const std::string& line);

}  // namespace flopscope::gemm::cpu
