#include "devices/cpu/cpu_kernel_registry.h"

#include <map>

namespace flopscope::cpu {

namespace {
std::map<KernelKind, CpuKernel>& registry() {
  static std::map<KernelKind, CpuKernel> r;
  return r;
}
}  // namespace

void register_cpu_kernel(CpuKernel k) {
  registry()[k.kind] = std::move(k);
}

const CpuKernel* find_cpu_kernel(KernelKind k) {
  auto it = registry().find(k);
  return it == registry().end() ? nullptr : &it->second;
}

}  // namespace flopscope::cpu
