#include "kernels/gemm/cpu/library_worker.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kernels/gemm/cpu/gemm_engine.h"
#include "kernels/gemm/cpu/own/own_gemm_engine.h"

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
      if (s->family == own::kOwnGemmFamily)
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
    return "error\tunknown request " + one_line(cmd);
  }

  FILE* in_;
  FILE* out_;
  std::unique_ptr<GemmEngine> engine_;
};

}  // namespace

int serve_library_worker(int read_fd, int write_fd) {
  FILE* in = fdopen(read_fd, "r");
  FILE* out = fdopen(write_fd, "w");
  if (!in || !out) return 3;
  return Server(in, out).serve();
}

}  // namespace flopscope::gemm::cpu
