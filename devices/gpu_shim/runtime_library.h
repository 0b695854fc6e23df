// A vendor library opened at run time (dlopen), so that one build runs on
// nodes with and without it: rocBLAS, rocFFT. The handle stays open for the
// life of the process (the library's own threads and caches may outlive any
// one run), so instances are usually function-local statics.
#pragma once

#include <dlfcn.h>

#include <initializer_list>
#include <string>

namespace flopscope::gpu {

class RuntimeLibrary {
 public:
  // Opens the first of `sonames` that loads; otherwise error() says which
  // were tried ("librocblas.so.4, librocblas.so.3, librocblas.so.0 not found").
  RuntimeLibrary(std::initializer_list<const char*> sonames) {
    std::string tried;
    for (const char* name : sonames) {
      handle_ = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (handle_) {
        name_ = name;
        return;
      }
      tried += (tried.empty() ? "" : ", ") + std::string(name);
    }
    error_ = tried + " not found";
  }
  RuntimeLibrary(const RuntimeLibrary&) = delete;
  RuntimeLibrary& operator=(const RuntimeLibrary&) = delete;

  bool loaded() const { return handle_ != nullptr; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }

  // The symbol as a function pointer of type F; nullptr (and error() set)
  // when the library lacks it.
  template <typename F>
  F symbol(const char* symbol_name) {
    if (!handle_) return nullptr;
    void* p = dlsym(handle_, symbol_name);
    if (!p) error_ = name_ + " has no " + symbol_name;
    return reinterpret_cast<F>(p);
  }
  // The same for a symbol only some versions have: nullptr, error() untouched.
  template <typename F>
  F optional_symbol(const char* symbol_name) {
    return handle_ ? reinterpret_cast<F>(dlsym(handle_, symbol_name)) : nullptr;
  }

 private:
  void* handle_ = nullptr;
  std::string name_;
  std::string error_;
};

}  // namespace flopscope::gpu
