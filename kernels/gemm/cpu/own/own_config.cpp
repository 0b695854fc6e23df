// Configurations of the packed GEMM: from the CPU context, and to and from
// the implementation string a result names.
#include <sstream>

#include "kernels/gemm/cpu/own/own_gemm.h"

namespace flopscope::gemm::own {

std::string OwnGemmConfig::implementation() const {
  return variant.name + " mc=" + std::to_string(blocking.mc) +
         " kc=" + std::to_string(blocking.kc) + " nc=" + std::to_string(blocking.nc) +
         " threads=" + std::to_string(threads());
}

OwnGemmConfig own_gemm_config(const OwnGemmVariant& v, const flopscope::cpu::CpuContext& ctx) {
  OwnGemmConfig c;
  c.variant = v;
  c.blocking = own_gemm_blocking(
      v, CacheSizes{ctx.l1d_bytes_per_core, ctx.l2_bytes_per_core, ctx.l3_bytes_total});
  c.blocking.derivation += " (" + ctx.cache_source + ")";
  c.pus = ctx.pus;
  return c;
}

std::optional<OwnGemmConfig> parse_own_gemm_config(const std::string& text, Precision p,
                                                   const flopscope::cpu::CpuIsa& isa) {
  std::istringstream in(text);
  std::string name;
  in >> name;
  OwnGemmConfig c;
  bool found = false;
  for (const auto& v : own_gemm_variants(isa, p))
    if (v.name == name) c.variant = v, found = true;
  if (!found) return std::nullopt;
  for (std::string field; in >> field;) {
    const auto eq = field.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = field.substr(0, eq), value = field.substr(eq + 1);
    int64_t v = 0;
    try {
      size_t used = 0;
      v = std::stoll(value, &used);
      if (used != value.size() || v <= 0) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (key == "mc")
      c.blocking.mc = v;
    else if (key == "kc")
      c.blocking.kc = v;
    else if (key == "nc")
      c.blocking.nc = v;
    else if (key != "threads")
      return std::nullopt;
  }
  if (c.blocking.mc < c.variant.mr || c.blocking.kc < 1 || c.blocking.nc < c.variant.nr)
    return std::nullopt;
  c.blocking.derivation = "read back from \"" + text + "\"";
  return c;
}

}  // namespace flopscope::gemm::own
