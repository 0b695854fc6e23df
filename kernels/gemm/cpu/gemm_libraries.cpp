#include "kernels/gemm/cpu/gemm_libraries.h"

#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace flopscope::gemm::cpu {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_file(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string resolved(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : p;
}

std::vector<std::string> split_colons(const char* s) {
  std::vector<std::string> out;
  if (!s) return out;
  std::string cur;
  for (const char* c = s;; ++c) {
    if (*c == ':' || *c == '\0') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (*c == '\0') break;
    } else {
      cur += *c;
    }
  }
  return out;
}

std::vector<std::string> glob_paths(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  globfree(&g);
  return out;
}

struct Pattern {
  Engine engine;
  const char* family;
  const char* file;
  const char* variant;  // implied by the file name
};

// Library files by name. libdnnl.so.3 is left out: oneDNN 3 changed the C
// API this build speaks.
constexpr Pattern kPatterns[] = {
    {Engine::blas, "openblas", "libopenblas.so.0", ""},
    {Engine::blas, "openblas", "libopenblasp.so.0", "pthread"},
    {Engine::blas, "openblas", "libopenblaso.so.0", "openmp"},
    {Engine::blas, "openblas", "libopenblas.so", ""},
    {Engine::blas, "blis", "libblis.so.4", ""},
    {Engine::blas, "blis", "libblis-mt.so.4", "mt"},
    {Engine::blas, "blis", "libblis.so", ""},
    {Engine::blas, "blis", "libblis-mt.so", "mt"},
    {Engine::blas, "mkl", "libmkl_rt.so.2", ""},
    {Engine::blas, "mkl", "libmkl_rt.so", ""},
    {Engine::onednn, "onednn", "libdnnl.so.2", ""},
};

// Debian and Ubuntu keep each threading variant in a folder of its own.
constexpr const char* kVariantFolders[] = {"openblas-pthread", "openblas-openmp", "openblas-serial",
                                           "blis-pthread",     "blis-openmp",     "blis-serial"};

void scan_folder(const std::string& folder, const std::string& variant_hint,
                 std::vector<LibraryFile>& out, std::set<std::string>& seen) {
  for (const auto& p : kPatterns) {
    const std::string path = folder + "/" + p.file;
    if (!is_file(path)) continue;
    const std::string real = resolved(path);
    if (!seen.insert(real).second) continue;
    std::string variant = *p.variant ? p.variant : variant_hint;
    out.push_back({p.engine, p.family, variant, real});
  }
}

}  // namespace

std::vector<LibraryFile> find_gemm_libraries_in(const std::vector<std::string>& folders) {
  std::vector<LibraryFile> out;
  std::set<std::string> seen;
  // Variant folders first, so a library reached through an alternatives
  // link is named by the variant it really is.
  for (const auto& f : folders)
    for (const char* v : kVariantFolders) {
      const std::string name = v;
      scan_folder(f + "/" + name, name.substr(name.find('-') + 1), out, seen);
    }
  for (const auto& f : folders) scan_folder(f, "", out, seen);
  return out;
}

std::vector<LibraryFile> find_gemm_libraries() {
  std::vector<std::string> folders = split_colons(std::getenv("FLOPSCOPE_CPU_LIBRARY_PATH"));
  for (const auto& f : split_colons(std::getenv("LD_LIBRARY_PATH"))) folders.push_back(f);
  for (const auto& f : glob_paths("/usr/lib/*-linux-gnu")) folders.push_back(f);
  for (const char* f :
       {"/usr/local/lib", "/usr/local/lib64", "/usr/lib64", "/usr/lib",
        "/opt/intel/oneapi/mkl/latest/lib", "/opt/intel/oneapi/mkl/latest/lib/intel64",
        "/opt/intel/oneapi/dnnl/latest/lib"})
    folders.emplace_back(f);
  for (const auto& f : glob_paths("/opt/AMD/aocl/*/*/lib*")) folders.push_back(f);
  for (const auto& f : glob_paths("/opt/AMD/aocl/*/lib*")) folders.push_back(f);
  return find_gemm_libraries_in(folders);
}

bool uses_openmp_threads(const LibraryFile& lib) {
  return lib.engine == Engine::onednn || lib.family == "mkl" || lib.variant == "openmp";
}

std::vector<std::string> library_configurations(const std::string& family,
                                                const flopscope::cpu::CpuIsa& isa) {
  const bool avx2 = isa.avx2 && isa.fma;
  const bool avx512 = isa.avx512f && isa.avx512dq && isa.avx512bw && isa.avx512vl;
  std::vector<std::string> c = {""};
  if (family == "openblas") {
    if (avx2) c.insert(c.end(), {"Haswell", "Zen"});
    if (avx512) c.push_back("SkylakeX");
    if (avx512 && isa.avx512_bf16) c.push_back("Cooperlake");
    if (avx512 && isa.avx512_fp16 && isa.amx_bf16) c.push_back("SapphireRapids");
    if (isa.neon) c.push_back("NeoverseN1");
    if (isa.sve) c.push_back("NeoverseV1");
    if (isa.sve2) c.push_back("NeoverseN2");
  } else if (family == "blis") {
    if (avx2) c.insert(c.end(), {"haswell", "zen", "zen2", "zen3"});
    if (avx512) c.push_back("skx");
    if (avx512 && isa.avx512_bf16 && isa.avx512_vnni) c.push_back("zen4");
    if (isa.neon) c.insert(c.end(), {"cortexa57", "thunderx2"});
    if (isa.sve) c.push_back("armsve");
  } else if (family == "mkl") {
    if (avx2) c.push_back("AVX2");
    if (avx512) c.push_back("AVX512");
  }
  return c;
}

std::string configuration_variable(const std::string& family) {
  if (family == "openblas") return "OPENBLAS_CORETYPE";
  if (family == "blis") return "BLIS_ARCH_TYPE";
  if (family == "mkl") return "MKL_ENABLE_INSTRUCTIONS";
  return {};
}

std::string GemmCandidate::id() const {
  if (library.engine == Engine::onednn) return "onednn";
  // flopscope's own GEMM: the variant, the first word of its configuration.
  if (library.family == "flopscope") return lower(config.substr(0, config.find(' ')));
  std::string s = library.family;
  if (!library.variant.empty()) s += "-" + library.variant;
  return s + ":" + (config.empty() ? "auto" : lower(config));
}

std::vector<GemmCandidate> gemm_candidates(const std::vector<LibraryFile>& libs,
                                           const CpuGemmFormat& f,
                                           const flopscope::cpu::CpuIsa& isa) {
  std::vector<GemmCandidate> out;
  for (const auto& lib : libs) {
    if (lib.engine == Engine::blas && !f.blas) continue;
    if (lib.engine == Engine::onednn && !f.onednn) continue;
    for (const auto& cfg : library_configurations(lib.family, isa)) out.push_back({lib, cfg});
  }
  return out;
}

std::vector<GemmCandidate> select_candidates(const std::vector<GemmCandidate>& all,
                                             const std::string& name) {
  if (name.empty()) return all;
  const std::string want = lower(name);
  // An implementation string from a result: "<family>-<version> <key>=<config> (<variant>)".
  std::string family, config, variant;
  if (const auto eq = want.find('='); eq != std::string::npos) {
    const auto dash = want.find('-');
    family = want.substr(0, dash);
    if (family == "aocl") family = "blis";
    const auto end = want.find(' ', eq);
    config = want.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
    const auto open = want.find('(');
    if (open != std::string::npos) variant = want.substr(open + 1, want.find(')') - open - 1);
  }
  if (want.rfind("onednn", 0) == 0) family = "onednn";
  std::vector<GemmCandidate> out;
  for (const auto& c : all) {
    const std::string id = c.id();
    const std::string lib = id.substr(0, id.find(':'));
    const std::string cfg = id.find(':') == std::string::npos ? "" : id.substr(id.find(':') + 1);
    const std::string fam_cfg = c.library.family + ":" + cfg;
    bool hit = want == id || want == lib || want == c.library.family || want == fam_cfg ||
               want.substr(0, want.find(' ')) == id;
    if (!family.empty() && c.library.family == family) {
      if (family == "onednn")
        hit = true;
      else
        hit |= lower(c.config) == config && (variant.empty() || variant == c.library.variant);
    }
    if (hit) out.push_back(c);
  }
  return out;
}

}  // namespace flopscope::gemm::cpu
