// What a reader needs to reproduce a run: tool version, host, OS, compiler,
// and the environment variables that change what libraries do.
#pragma once

#include <nlohmann/json.hpp>

namespace flopscope {

nlohmann::json tool_info();  // name, version, git_commit
nlohmann::json host_info();  // hostname, os, kernel, compiler, cpu count
nlohmann::json
environment_info();  // OMP_*, GOMP_*, KMP_*, OPENBLAS_*, BLIS_*, MKL_*, CUDA_*, HIP_*, ROCR_*, ...
std::string now_iso8601();

}  // namespace flopscope
