#include "kernels/gemm/cpu/library_worker.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/clock_probe.h"
#include "devices/cpu/cpu_isa.h"
#include "devices/cpu/idle_threads.h"
#include "devices/cpu/thread_pinning.h"
#include "harness/unit_throughput.h"
#include "kernels/gemm/cpu/gemm_engine.h"
#include "kernels/gemm/cpu/own/own_gemm_engine.h"
#include "kernels/peak/cpu/peak_cpu.h"

namespace flopscope::gemm::cpu {

namespace {

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return s;
}

class Server {
 public:
  Server(FILE* in, FILE* out) : in_(in), out_(out) {}

  int serve() {
    std::string line;
    while (read_line(line)) {
      if (line == "quit") return 0;
      try {
        reply(handle(line));
      } catch (const std::exception& e) {
        reply("error\t" + one_line(e.what()));
      }
    }
    return 0;
  }

 private:
  bool read_line(std::string& line) {
    line.clear();
    int c;
    while ((c = std::fgetc(in_)) != EOF && c != '\n') line += static_cast<char>(c);
    return c != EOF || !line.empty();
  }

  void reply(const std::string& s) {
    std::fputs(s.c_str(), out_);
    std::fputc('\n', out_);
    std::fflush(out_);
  }

  std::string handle(const std::string& line) {
    const auto tab = line.find('\t');
    const std::string cmd = line.substr(0, tab);
    const std::string arg = tab == std::string::npos ? "" : line.substr(tab + 1);
    if (cmd == "setup") {
      auto s = WorkerSetup::from_line(arg);
      if (!s) return "error\tmalformed setup: " + one_line(arg);
      std::string why;
      own_ = s->family == own::kOwnGemmFamily;
      pus_ = s->run_pus();
      if (own_)
        engine_ = own::make_own_gemm_engine(*s, &why);
      else if (s->engine == Engine::blas)
        engine_ = make_blas_engine(*s, &why);
      else
        engine_ = make_onednn_engine(*s, &why);
      if (!engine_) return "unsupported\t" + one_line(why);
      return "ready\t" + one_line(engine_->implementation()) + "\t" +
             one_line(engine_->applied_config());
    }
    if (!engine_) return "error\tno setup yet";
    if (cmd == "run") {
      const long long n = std::stoll(arg);
      const auto t0 = std::chrono::steady_clock::now();
      for (long long i = 0; i < n; ++i) engine_->multiply();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      char buf[64];
      std::snprintf(buf, sizeof buf, "time\t%.9e", s);
      return buf;
    }
    if (cmd == "verify") {
      const Verification v = engine_->verify();
      char buf[128];
      std::snprintf(buf, sizeof buf, "verify\t%d\t%d\t%.17g\t%.17g\t", v.checked ? 1 : 0,
                    v.passed ? 1 : 0, v.max_error, v.tolerance);
      return buf + one_line(v.detail);
    }
    if (cmd == "corrupt") return engine_->corrupt(std::stoll(arg)) ? "corrupt\t1" : "corrupt\t0";
    if (cmd == "gap") {
      // "gap\tCHAINS_S[\tMAX_WAIT_S]"
      const auto tab2 = arg.find('\t');
      const double wait = tab2 == std::string::npos ? flopscope::cpu::kLibraryThreadsWaitS
                                                    : std::stod(arg.substr(tab2 + 1));
      // NaN or a wait past any library's spin would hang this worker.
      if (!(wait >= 0 && wait <= 60)) return "error\tgap: wait out of range: " + one_line(arg);
      return gap(std::stod(arg), wait);
    }
    return "error\tunknown request " + one_line(cmd);
  }

  // A gap between calls: the FP64 FMA chains for about `chains_s` (none at
  // 0), then the brief clock probe (CpuBackend::probe_clock_briefly_hz's).
  // The own GEMM's team runs them itself, as OpenMP regions on the threads
  // the GEMM runs on. A library's threads are its own and spin on after a
  // call, so they are waited out first (idle_threads.h), and the readings are
  // taken on a thread of their own (thread_pinning.h says why). Library
  // threads still running after `max_wait_s` (kLibraryThreadsWaitS unless
  // the request says less) give no reading, rather than a low one, and from
  // then on are not waited for again (told to spin on, they would cost every
  // call that much).
  // "gap\tCLOCK_HZ\tCHAINS_FLOPS\tWHY_NO_CHAINS", 0 for none.
  std::string gap(double chains_s, double max_wait_s) {
    namespace fcpu = flopscope::cpu;
    if (!unread_gap_.empty()) return unread_gap_;
    if (!own_ && !fcpu::wait_for_other_threads_to_sleep(max_wait_s)) {
      char buf[96];
      std::snprintf(buf, sizeof buf,
                    "gap\t0\t0\tthe library's threads still ran %.1f s after its call", max_wait_s);
      unread_gap_ = buf;
      return unread_gap_;
    }
    double hz = 0, flops = 0;
    std::string why;
    const std::function<void()> read = [&] {
      if (chains_s > 0) flops = chains_flops(chains_s, &why);
      hz = fcpu::measure_clock(pus_, 0.005).mean_hz;
    };
    if (own_)
      read();
    else
      fcpu::run_on_a_thread_of_its_own(pus_, read);
    char buf[96];
    std::snprintf(buf, sizeof buf, "gap\t%.9e\t%.9e\t", hz, flops);
    return buf + one_line(why);
  }

  // The chains' FLOP/s over about `seconds` (the first request's: a figure
  // asks the same each gap), set up on this team on first use; 0 with *why
  // when they cannot run or fail their check.
  double chains_flops(double seconds, std::string* why) {
    namespace peak = flopscope::peak::cpu;
    if (!chains_)
      chains_ = UnitChains::from_run(
          peak::make_cpu_peak_run(Precision::fp64,
                                  peak::best_chain_isa(flopscope::cpu::detect_cpu_isa()), pus_,
                                  peak::kDefaultRounds),
          seconds, why);
    if (!chains_) return 0;
    const auto r = chains_->read(why);
    return r ? r->flops : 0;
  }

  FILE* in_;
  FILE* out_;
  std::unique_ptr<GemmEngine> engine_;
  bool own_ = false;
  std::vector<int> pus_;
  std::unique_ptr<UnitChains> chains_;
  // Every gap's reply once a wait for the library's threads gave up.
  std::string unread_gap_;
};

}  // namespace

int serve_library_worker(int read_fd, int write_fd) {
  FILE* in = fdopen(read_fd, "r");
  FILE* out = fdopen(write_fd, "w");
  if (!in || !out) return 3;
  return Server(in, out).serve();
}

}  // namespace flopscope::gemm::cpu
