#include "kernels/fft/cpu/fftw_library.h"

#include <dlfcn.h>

namespace flopscope::fft::cpu {

namespace {

template <typename F>
bool bind(void* h, const std::string& name, F& f) {
  f = reinterpret_cast<F>(dlsym(h, name.c_str()));
  return f != nullptr;
}

template <typename T>
std::unique_ptr<FftwLibrary<T>> load(std::string* why) {
  constexpr bool dbl = sizeof(T) == 8;
  const std::string prefix = dbl ? "fftw_" : "fftwf_";
  const std::string base = dbl ? "libfftw3" : "libfftw3f";
  void* h = dlopen((base + ".so.3").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    *why = base + ".so.3 not found (install libfftw3-3 / libfftw3-dev): " + dlerror();
    return nullptr;
  }
  auto lib = std::make_unique<FftwLibrary<T>>();
  const char* version = static_cast<const char*>(dlsym(h, (prefix + "version").c_str()));
  lib->version = version ? version : "fftw-3";
  if (!bind(h, prefix + "malloc", lib->malloc_) || !bind(h, prefix + "free", lib->free_) ||
      !bind(h, prefix + "plan_many_dft", lib->plan_many_dft) ||
      !bind(h, prefix + "execute", lib->execute) ||
      !bind(h, prefix + "destroy_plan", lib->destroy_plan) ||
      !bind(h, prefix + "import_wisdom_from_filename", lib->import_wisdom_from_filename) ||
      !bind(h, prefix + "export_wisdom_to_string", lib->export_wisdom_to_string)) {
    *why = base + ".so.3 lacks the FFTW 3.3 functions flopscope calls";
    return nullptr;
  }
  // The OpenMP layer shares flopscope's OpenMP runtime, whose threads are
  // pinned; the pthreads layer is the fallback.
  lib->threading = "none";
  for (const auto& [suffix, name] :
       {std::pair<const char*, const char*>{"_omp", "openmp"}, {"_threads", "pthreads"}}) {
    void* t = dlopen((base + suffix + ".so.3").c_str(), RTLD_NOW | RTLD_LOCAL);
    if (t && bind(t, prefix + "init_threads", lib->init_threads) &&
        bind(t, prefix + "plan_with_nthreads", lib->plan_with_nthreads)) {
      lib->threading = name;
      lib->init_threads();
      break;
    }
    lib->init_threads = nullptr;
    lib->plan_with_nthreads = nullptr;
  }
  return lib;
}

}  // namespace

template <typename T>
const FftwLibrary<T>* load_fftw(std::string* why) {
  static std::string reason;
  static const std::unique_ptr<FftwLibrary<T>> lib = load<T>(&reason);
  if (!lib && why) *why = reason;
  return lib.get();
}

template const FftwLibrary<double>* load_fftw<double>(std::string*);
template const FftwLibrary<float>* load_fftw<float>(std::string*);

}  // namespace flopscope::fft::cpu
