#include "kernels/gemm/cpu/worker_setup.h"

#include <map>
#include <sstream>

#include "devices/cpu/thread_pinning.h"

namespace flopscope::gemm::cpu {

std::string WorkerSetup::to_line() const {
  std::ostringstream s;
  s << "engine=" << (engine == Engine::blas ? "blas" : "onednn") << "\tfamily=" << family
    << "\tvariant=" << variant << "\tpath=" << path << "\tconfig=" << config
    << "\tprecision=" << to_string(precision) << "\tm=" << m << "\tn=" << n << "\tk=" << k
    << "\tseed=" << seed << "\tthreads=" << threads << "\tpus=";
  for (size_t i = 0; i < pus.size(); ++i) s << (i ? "," : "") << pus[i];
  return s.str();
}

std::optional<WorkerSetup> WorkerSetup::from_line(const std::string& line) {
  std::map<std::string, std::string> f;
  std::istringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) {
    const auto eq = field.find('=');
    if (eq == std::string::npos) return std::nullopt;
    f[field.substr(0, eq)] = field.substr(eq + 1);
  }
  WorkerSetup s;
  try {
    if (f.at("engine") != "blas" && f.at("engine") != "onednn") return std::nullopt;
    s.engine = f.at("engine") == "blas" ? Engine::blas : Engine::onednn;
    s.family = f.at("family");
    s.variant = f.at("variant");
    s.path = f.at("path");
    s.config = f.at("config");
    auto p = parse_precision(f.at("precision"));
    if (!p) return std::nullopt;
    s.precision = *p;
    s.m = std::stoll(f.at("m"));
    s.n = std::stoll(f.at("n"));
    s.k = std::stoll(f.at("k"));
    s.seed = std::stoull(f.at("seed"));
    s.threads = std::stoi(f.at("threads"));
    std::istringstream pus(f.count("pus") ? f.at("pus") : "");
    for (std::string pu; std::getline(pus, pu, ',');) s.pus.push_back(std::stoi(pu));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (s.m <= 0 || s.n <= 0 || s.k <= 0 || s.threads <= 0) return std::nullopt;
  if (!s.pus.empty() && s.pus.size() != static_cast<size_t>(s.threads)) return std::nullopt;
  for (int pu : s.pus)
    if (pu < 0) return std::nullopt;
  return s;
}

std::vector<int> WorkerSetup::run_pus() const {
  return pus.empty() ? flopscope::cpu::allowed_pus(threads) : pus;
}

}  // namespace flopscope::gemm::cpu
