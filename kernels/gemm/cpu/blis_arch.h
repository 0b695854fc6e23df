// BLIS configurations by name. BLIS 0.9 reads BLIS_ARCH_TYPE as an arch_t
// number when it initialises; a name there reads as 0 (skx, AVX-512: an
// illegal instruction on other CPUs), so callers look the name up in the
// loaded library's own table and set the number.
#pragma once

#include <strings.h>

#include <cstring>
#include <string>

namespace flopscope::gemm::cpu {

// The arch_t number BLIS's bli_arch_string gives `name` (any case), or -1.
// Its table always ends with "generic".
inline int blis_arch_id(const char* (*arch_string)(int), const std::string& name) {
  for (int i = 0; i < 64; ++i) {
    const char* s = arch_string(i);
    if (!s) break;
    if (strcasecmp(s, name.c_str()) == 0) return i;
    if (std::strcmp(s, "generic") == 0) break;
  }
  return -1;
}

}  // namespace flopscope::gemm::cpu
