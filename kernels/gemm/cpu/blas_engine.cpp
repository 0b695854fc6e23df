// BLAS sgemm/dgemm in a worker process: dlopen the library, put it in the
// requested configuration (OpenBLAS core type, BLIS configuration, MKL
// instruction set), confirm it took, and multiply column-major matrices.
#include <dlfcn.h>
#include <strings.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "kernels/gemm/cpu/blis_arch.h"
#include "kernels/gemm/cpu/gemm_cpu_format.h"
#include "kernels/gemm/cpu/gemm_engine.h"
#include "kernels/gemm/cpu/gemm_verify.h"

namespace flopscope::gemm::cpu {

namespace {

// Fortran BLAS with LP64 integers; the two trailing lengths are the hidden
// arguments of the character parameters.
template <typename T>
using GemmFn = void (*)(const char*, const char*, const int*, const int*, const int*, const T*,
                        const T*, const int*, const T*, const int*, const T*, T*, const int*,
                        size_t, size_t);

struct LoadedBlas {
  void* handle = nullptr;
  std::string name;        // "openblas-0.3.21"
  std::string config_key;  // "coretype"
  std::string applied;     // "Haswell"
};

template <typename F>
F symbol(void* h, const char* name) {
  return reinterpret_cast<F>(dlsym(h, name));
}

std::string word_after(const std::string& text, const std::string& key) {
  auto p = text.find(key);
  if (p == std::string::npos) return {};
  p += key.size();
  while (p < text.size() && text[p] == ' ') ++p;
  auto e = text.find_first_of(" ,-\n", p);
  return text.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

// OPENBLAS_CORETYPE was set by the parent before exec; OpenBLAS reads it
// while loading and quietly falls back (Cooperlake -> Haswell on a CPU
// without AVX512_BF16), so the core it reports is what counts.
bool configure_openblas(LoadedBlas& b, const WorkerSetup& s, std::string* why) {
  auto config = symbol<char* (*)()>(b.handle, "openblas_get_config");
  auto corename = symbol<char* (*)()>(b.handle, "openblas_get_corename");
  auto set_threads = symbol<void (*)(int)>(b.handle, "openblas_set_num_threads");
  if (!config || !corename) {
    *why = s.path + " lacks openblas_get_config/openblas_get_corename";
    return false;
  }
  if (set_threads) set_threads(s.threads);
  const std::string cfg = config();
  b.name = "openblas-" + word_after(cfg, "OpenBLAS");
  b.config_key = "coretype";
  b.applied = corename();
  if (!s.config.empty() && strcasecmp(b.applied.c_str(), s.config.c_str()) != 0) {
    *why = "OpenBLAS runs core type " + b.applied + " when asked for " + s.config;
    return false;
  }
  return true;
}

// BLIS reads BLIS_ARCH_TYPE (an arch_t number) when it initialises, which is
// after loading: the number is looked up by name here (blis_arch.h), then set.
bool configure_blis(LoadedBlas& b, const WorkerSetup& s, std::string* why) {
  auto arch_string = symbol<const char* (*)(int)>(b.handle, "bli_arch_string");
  auto query_id = symbol<int (*)()>(b.handle, "bli_arch_query_id");
  auto version = symbol<const char* (*)()>(b.handle, "bli_info_get_version_str");
  auto init = symbol<void (*)()>(b.handle, "bli_init");
  auto set_threads = symbol<void (*)(long)>(b.handle, "bli_thread_set_num_threads");
  if (!arch_string || !query_id || !version || !init) {
    *why = s.path + " lacks bli_arch_string/bli_arch_query_id/bli_info_get_version_str/bli_init";
    return false;
  }
  unsetenv("BLIS_ARCH_TYPE");
  if (!s.config.empty()) {
    const int id = blis_arch_id(arch_string, s.config);
    if (id < 0) {
      *why = "BLIS " + std::string(version()) + " has no configuration named " + s.config;
      return false;
    }
    // A configuration BLIS knows but was not built with aborts the process
    // inside bli_init; the parent reports that as this candidate failing.
    setenv("BLIS_ARCH_TYPE", std::to_string(id).c_str(), 1);
  }
  init();
  if (set_threads) set_threads(s.threads);
  const std::string v = version();
  b.name = v.rfind("AOCL", 0) == 0 ? "aocl-blis-" + word_after(v, "AOCL-BLAS") : "blis-" + v;
  if (b.name == "aocl-blis-") b.name = "aocl-blis";
  b.config_key = "arch";
  b.applied = arch_string(query_id());
  if (!s.config.empty() && strcasecmp(b.applied.c_str(), s.config.c_str()) != 0) {
    *why = "BLIS runs configuration " + b.applied + " when asked for " + s.config;
    return false;
  }
  return true;
}

// MKL_ENABLE_INSTRUCTIONS (set before exec) caps the instruction set MKL
// dispatches to; MKL offers no query of what it chose.
bool configure_mkl(LoadedBlas& b, const WorkerSetup& s, std::string* why) {
  auto version = symbol<void (*)(char*, int)>(b.handle, "MKL_Get_Version_String");
  if (!version) {
    *why = s.path + " lacks MKL_Get_Version_String";
    return false;
  }
  char buf[256] = {};
  version(buf, sizeof buf - 1);
  b.name = "mkl-" + word_after(buf, "Version");
  b.config_key = "instructions";
  b.applied = s.config.empty() ? "auto" : s.config;
  return true;
}

template <typename T>
class BlasGemm final : public GemmEngine {
 public:
  BlasGemm(LoadedBlas lib, GemmFn<T> gemm, const WorkerSetup& s)
      : lib_(std::move(lib)), gemm_(gemm), s_(s) {
    const size_t a = static_cast<size_t>(s.m * s.k), b = static_cast<size_t>(s.k * s.n),
                 c = static_cast<size_t>(s.m * s.n);
    a_ = allocate_buffer(a * sizeof(T));
    b_ = allocate_buffer(b * sizeof(T));
    c_ = allocate_buffer(c * sizeof(T));
    auto make = [](uint64_t bits) {
      if constexpr (sizeof(T) == 8)
        return input_fp64(bits);
      else
        return input_fp32(bits);
    };
    fill_matrix(ptr(a_), a, s.seed, Operand::a, make);
    fill_matrix(ptr(b_), b, s.seed, Operand::b, make);
    // C starts as not-a-number: a GEMM that skips any part of it fails.
    fill_matrix(ptr(c_), c, s.seed, Operand::a, [](uint64_t) { return T(NAN); });
  }

  ~BlasGemm() override {
    // Libraries keep thread pools whose teardown at unload is not always
    // clean; the worker process exits right after, so the handle stays open.
  }

  std::string implementation() const override {
    std::string s = lib_.name + " " + lib_.config_key + "=" + lib_.applied;
    if (!s_.variant.empty()) s += " (" + s_.variant + ")";
    return s;
  }
  std::string applied_config() const override { return lib_.applied; }

  void multiply() override {
    const int m = static_cast<int>(s_.m), n = static_cast<int>(s_.n), k = static_cast<int>(s_.k);
    const T one = 1, zero = 0;
    gemm_("N", "N", &m, &n, &k, &one, ptr(a_), &m, ptr(b_), &k, &zero, ptr(c_), &m, 1, 1);
  }

  Verification verify() override {
    CheckSettings cs;
    cs.error = cpu_gemm_format(s_.precision)->error;
    cs.seed = s_.seed;
    return check_gemm(MatrixView<T>{ptr(a_), s_.m, s_.k, true},
                      MatrixView<T>{ptr(b_), s_.k, s_.n, true},
                      MatrixView<T>{ptr(c_), s_.m, s_.n, true}, cs);
  }

  bool corrupt(int64_t element) override {
    T& c = ptr(c_)[static_cast<size_t>(element % (s_.m * s_.n))];
    c += T(1) + std::fabs(c);
    return true;
  }

 private:
  static T* ptr(const Buffer& b) { return static_cast<T*>(b.get()); }

  LoadedBlas lib_;
  GemmFn<T> gemm_;
  WorkerSetup s_;
  Buffer a_, b_, c_;
};

}  // namespace

std::unique_ptr<GemmEngine> make_blas_engine(const WorkerSetup& s, std::string* unsupported) {
  if (s.precision != Precision::fp64 && s.precision != Precision::fp32) {
    *unsupported = "BLAS libraries have no " + std::string(to_string(s.precision)) + " GEMM";
    return nullptr;
  }
  if (s.m > 0x7FFFFFFF || s.n > 0x7FFFFFFF || s.k > 0x7FFFFFFF) {
    *unsupported = "dimensions beyond 32-bit BLAS integers";
    return nullptr;
  }
  LoadedBlas lib;
  lib.handle = dlopen(s.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib.handle) {
    *unsupported = std::string("cannot load: ") + dlerror();
    return nullptr;
  }
  bool ok = false;
  if (s.family == "openblas")
    ok = configure_openblas(lib, s, unsupported);
  else if (s.family == "blis")
    ok = configure_blis(lib, s, unsupported);
  else if (s.family == "mkl")
    ok = configure_mkl(lib, s, unsupported);
  else
    *unsupported = "unknown BLAS family " + s.family;
  if (!ok) return nullptr;
  if (s.precision == Precision::fp64) {
    auto f = symbol<GemmFn<double>>(lib.handle, "dgemm_");
    if (!f) {
      *unsupported = s.path + " has no dgemm_";
      return nullptr;
    }
    return std::make_unique<BlasGemm<double>>(std::move(lib), f, s);
  }
  auto f = symbol<GemmFn<float>>(lib.handle, "sgemm_");
  if (!f) {
    *unsupported = s.path + " has no sgemm_";
    return nullptr;
  }
  return std::make_unique<BlasGemm<float>>(std::move(lib), f, s);
}

}  // namespace flopscope::gemm::cpu
