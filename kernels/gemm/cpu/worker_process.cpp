#include "kernels/gemm/cpu/worker_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "harness/interrupt.h"
#include "kernels/gemm/cpu/library_worker.h"

extern char** environ;

namespace flopscope::gemm::cpu {

namespace {

// The worker's entry point, before main() (see library_worker.h). It sits in
// the file that starts workers, so every program able to start one can also
// be one (flopscope and the test programs alike). It relies on no other
// static object: their constructors may not have run yet.
__attribute__((constructor)) void library_worker_entry() {
  const char* spec = std::getenv(kWorkerEnv);
  if (!spec) return;
  int read_fd = -1, write_fd = -1;
  // A worker's end is always a Unix socket (WorkerProcess): anything else
  // means the variable came from a user's shell, and serving a terminal or
  // a file would hang or scribble on it. One line and exit 2 (bad input).
  auto is_socket = [](int fd) {
    struct stat st {};
    return fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
  };
  if (std::sscanf(spec, "%d,%d", &read_fd, &write_fd) != 2 || !is_socket(read_fd) ||
      !is_socket(write_fd)) {
    static const char msg[] =
        "flopscope: FLOPSCOPE_CPU_LIBRARY_WORKER is set: it is internal (it marks a GEMM "
        "worker process); unset it\n";
    [[maybe_unused]] const ssize_t n = write(2, msg, sizeof msg - 1);
    _exit(2);
  }
  unsetenv(kWorkerEnv);
  const int status = serve_library_worker(read_fd, write_fd);
  std::fflush(nullptr);
  // _exit: the libraries' thread pools and atexit handlers are not worth
  // tearing down, and the program's own static objects may not exist.
  _exit(status);
}

}  // namespace

const std::vector<std::string>& managed_library_variables() {
  static const std::vector<std::string> v = {"OMP_NUM_THREADS",
                                             "OMP_PLACES",
                                             "OMP_PROC_BIND",
                                             "OMP_DYNAMIC",
                                             "GOMP_CPU_AFFINITY",
                                             "KMP_AFFINITY",
                                             "KMP_HW_SUBSET",
                                             "OPENBLAS_NUM_THREADS",
                                             "GOTO_NUM_THREADS",
                                             "OPENBLAS_CORETYPE",
                                             "BLIS_NUM_THREADS",
                                             "BLIS_ARCH_TYPE",
                                             "BLIS_JC_NT",
                                             "BLIS_PC_NT",
                                             "BLIS_IC_NT",
                                             "BLIS_JR_NT",
                                             "BLIS_IR_NT",
                                             "MKL_NUM_THREADS",
                                             "MKL_DYNAMIC",
                                             "MKL_ENABLE_INSTRUCTIONS",
                                             "MKL_DEBUG_CPU_TYPE",
                                             "MKL_CBWR",
                                             "ONEDNN_MAX_CPU_ISA",
                                             "DNNL_MAX_CPU_ISA",
                                             "ONEDNN_DEFAULT_FPMATH_MODE",
                                             "DNNL_DEFAULT_FPMATH_MODE",
                                             kWorkerEnv};
  return v;
}

EnvList thread_environment(const std::vector<int>& pus, bool openmp_library) {
  const std::string t = std::to_string(pus.empty() ? 1 : pus.size());
  std::string places;
  for (int pu : pus) places += (places.empty() ? "{" : ",{") + std::to_string(pu) + "}";
  EnvList env = {{"OMP_NUM_THREADS", t}, {"OPENBLAS_NUM_THREADS", t}, {"BLIS_NUM_THREADS", t},
                 {"MKL_NUM_THREADS", t}, {"MKL_DYNAMIC", "FALSE"},    {"OMP_DYNAMIC", "FALSE"}};
  if (openmp_library && !places.empty()) {
    env.emplace_back("OMP_PLACES", places);
    env.emplace_back("OMP_PROC_BIND", "close");
  }
  return env;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

WorkerProcess::WorkerProcess(std::string what, const EnvList& env, const std::vector<int>& pus)
    : what_(std::move(what)) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw WorkerError(what_ + ": socketpair failed: " + std::strerror(errno));
  socket_ = sv[0];
  const int child_fd = sv[1];
  log_ = memfd_create("flopscope-worker-log", MFD_CLOEXEC);
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

  // Everything the child needs is built before fork: between fork and exec
  // a multithreaded parent's child may only make async-signal-safe calls.
  std::vector<std::string> vars;
  const auto& managed = managed_library_variables();
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const std::string key = kv.substr(0, kv.find('='));
    bool drop = false;  // managed, or set below: the first of two would count
    for (const auto& m : managed) drop |= key == m;
    for (const auto& kv_set : env) drop |= key == kv_set.first;
    if (!drop) vars.push_back(kv);
  }
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  vars.push_back(std::string(kWorkerEnv) + "=" + std::to_string(child_fd) + "," +
                 std::to_string(child_fd));
  std::vector<char*> envp;
  for (auto& s : vars) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string argv0 = "flopscope-cpu-library-worker";
  char* argv[] = {argv0.data(), nullptr};
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int pu : pus)
    if (pu >= 0 && pu < CPU_SETSIZE) CPU_SET(pu, &set);

  pid_ = fork();
  if (pid_ < 0) {
    const int err = errno;
    close(child_fd);
    if (devnull >= 0) close(devnull);
    throw WorkerError(what_ + ": fork failed: " + std::strerror(err));
  }
  if (pid_ == 0) {
    // The worker's threads inherit this mask; OpenMP libraries then pin
    // one thread per place inside it.
    if (!pus.empty()) sched_setaffinity(0, sizeof set, &set);
    if (devnull >= 0) dup2(devnull, 0);
    if (log_ >= 0) {
      dup2(log_, 1);
      dup2(log_, 2);
    }
    const int flags = fcntl(child_fd, F_GETFD);
    fcntl(child_fd, F_SETFD, flags & ~FD_CLOEXEC);
    execve("/proc/self/exe", argv, envp.data());
    _exit(127);
  }
  close(child_fd);
  if (devnull >= 0) close(devnull);
}

WorkerProcess::~WorkerProcess() {
  if (pid_ > 0) {
    const char quit[] = "quit\n";
    (void)send(socket_, quit, sizeof quit - 1, MSG_NOSIGNAL);
    int status = 0;
    // A worker exits at once on quit; one stuck in a library call is killed.
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, &status, WNOHANG) != 0) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  if (socket_ >= 0) close(socket_);
  if (log_ >= 0) close(log_);
}

std::string WorkerProcess::log_tail() const {
  if (log_ < 0) return {};
  const off_t size = lseek(log_, 0, SEEK_END);
  if (size <= 0) return {};
  const off_t from = size > 400 ? size - 400 : 0;
  std::string buf(static_cast<size_t>(size - from), '\0');
  const ssize_t got = pread(log_, buf.data(), buf.size(), from);
  buf.resize(got > 0 ? static_cast<size_t>(got) : 0);
  for (char& c : buf)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!buf.empty() && buf.back() == ' ') buf.pop_back();
  return buf;
}

void WorkerProcess::fail(const std::string& why) {
  std::string msg = what_ + ": " + why;
  if (pid_ > 0) {
    int status = 0;
    kill(pid_, SIGKILL);
    if (waitpid(pid_, &status, 0) == pid_) {
      if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
        msg += " (worker killed by signal " + std::to_string(WTERMSIG(status)) + ", " +
               strsignal(WTERMSIG(status)) + ")";
      else if (WIFEXITED(status))
        msg += " (worker exited with status " + std::to_string(WEXITSTATUS(status)) + ")";
    }
    pid_ = -1;
  }
  const std::string tail = log_tail();
  if (!tail.empty()) msg += "; it printed: " + tail;
  throw WorkerError(msg);
}

std::string WorkerProcess::request(const std::string& line) {
  if (pid_ <= 0) throw WorkerError(what_ + ": the worker is gone");
  const std::string out = line + "\n";
  size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t w = send(socket_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR && !interrupted()) continue;
    if (w <= 0) fail(interrupted() ? "interrupted" : "the worker stopped reading");
    sent += static_cast<size_t>(w);
  }
  while (true) {
    const auto nl = pending_.find('\n');
    if (nl != std::string::npos) {
      std::string reply = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return reply;
    }
    char buf[4096];
    const ssize_t r = recv(socket_, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR && !interrupted()) continue;
    if (r < 0 && errno == EINTR) fail("interrupted");
    if (r <= 0) fail("the worker died");
    pending_.append(buf, static_cast<size_t>(r));
  }
}

}  // namespace flopscope::gemm::cpu
