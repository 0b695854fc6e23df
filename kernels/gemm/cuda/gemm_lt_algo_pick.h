// Picks the cuBLASLt algorithm for one GEMM by timing: cuBLASLt's heuristic
// ranks candidates by a model, and its first choice is not always the fastest
// on the device (a few percent either way from run to run). Both flopscope's
// GEMM and the bare cuBLASLt program call this, so they run the same pick and
// their ratio compares like with like. Header-only: the bare program links no
// flopscope library beyond the GEMM's device helpers.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace flopscope::gemm::cuda {

// Candidates asked of the heuristic and timed.
inline constexpr int kLtAlgoCandidates = 16;
// Timed launches per candidate: enough for about this many milliseconds,
// within [kLtMinTimedLaunches, kLtMaxTimedLaunches].
inline constexpr double kLtTimingTargetMs = 20.0;
inline constexpr int kLtMinTimedLaunches = 2, kLtMaxTimedLaunches = 20;

// Everything one cublasLtMatmul call needs (D is written in place of C).
struct LtMatmulCall {
  cublasLtHandle_t lt = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a_layout = nullptr, b_layout = nullptr, c_layout = nullptr;
  const void* alpha = nullptr;
  const void* a = nullptr;
  const void* b = nullptr;
  const void* beta = nullptr;
  void* c = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
  cudaStream_t stream = nullptr;

  cublasStatus_t launch(const cublasLtMatmulAlgo_t& algo) const {
    return cublasLtMatmul(lt, desc, alpha, a, a_layout, b, b_layout, beta, c, c_layout, c, c_layout,
                          &algo, workspace, workspace_bytes, stream);
  }
};

struct LtAlgoPick {
  cublasLtMatmulAlgo_t algo{};
  int index = 0;         // position in the heuristic's list; 0 is its own first choice
  int candidates = 0;    // algorithms the heuristic returned
  int timed = 0;         // of those, how many ran and were timed
  double ms = 0;         // mean milliseconds per launch of the pick (0: not timed)
  double first_ms = 0;   // the same for the heuristic's first choice (0: not timed)
  std::string fallback;  // why the first choice was kept untimed; empty when timed

  // For implementation strings and the bare program's output.
  std::string describe() const {
    auto config = [&](cublasLtMatmulAlgoConfigAttributes_t attr) {
      int value = -1;
      size_t written = 0;
      if (cublasLtMatmulAlgoConfigGetAttribute(&algo, attr, &value, sizeof value, &written) !=
          CUBLAS_STATUS_SUCCESS)
        return std::string("?");
      return std::to_string(value);
    };
    std::string s = "cuBLASLt algorithm id " + config(CUBLASLT_ALGO_CONFIG_ID) +
                    std::string(" (tile ").append(config(CUBLASLT_ALGO_CONFIG_TILE_ID)) +
                    std::string(", stages ").append(config(CUBLASLT_ALGO_CONFIG_STAGES_ID)) +
                    std::string(", split-k ").append(config(CUBLASLT_ALGO_CONFIG_SPLITK_NUM)) +
                    "), heuristic candidate " + std::to_string(index) + " of " +
                    std::to_string(candidates);
    if (!fallback.empty()) return s + ", untimed: " + fallback;
    s += ", fastest of " + std::to_string(timed) + " timed";
    if (index != 0 && first_ms > 0 && ms > 0) {
      char gain[48];
      std::snprintf(gain, sizeof gain, " (%.1f%% faster than candidate 0)",
                    (first_ms / ms - 1) * 100);
      s += gain;
    }
    return s;
  }
};

namespace lt_algo_pick_detail {

// Two events, destroyed on every path.
struct EventPair {
  cudaEvent_t start = nullptr, stop = nullptr;
  cudaError_t create() {
    cudaError_t e = cudaEventCreate(&start);
    return e != cudaSuccess ? e : cudaEventCreate(&stop);
  }
  ~EventPair() {
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
  }
};

// Mean ms per launch over `launches` launches; a cuBLAS status other than
// success means this algorithm cannot run here, a CUDA error that timing
// itself failed.
struct Timing {
  cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
  cudaError_t error = cudaSuccess;
  double ms = 0;
};

inline Timing time_launches(const LtMatmulCall& call, const cublasLtMatmulAlgo_t& algo,
                            EventPair& ev, int launches) {
  Timing t;
  if ((t.error = cudaEventRecord(ev.start, call.stream)) != cudaSuccess) return t;
  for (int i = 0; i < launches; ++i)
    if ((t.status = call.launch(algo)) != CUBLAS_STATUS_SUCCESS) break;
  if ((t.error = cudaEventRecord(ev.stop, call.stream)) != cudaSuccess) return t;
  if ((t.error = cudaEventSynchronize(ev.stop)) != cudaSuccess) return t;
  float ms = 0;
  if ((t.error = cudaEventElapsedTime(&ms, ev.start, ev.stop)) != cudaSuccess) return t;
  t.ms = static_cast<double>(ms) / launches;
  return t;
}

}  // namespace lt_algo_pick_detail

// Asks the heuristic for up to kLtAlgoCandidates algorithms that fit the
// workspace, runs each once to warm up, times a few launches with events
// and keeps the fastest that ran. Heuristic failures go to `check_cublas`
// (called as check_cublas(status, what), expected to throw); when timing
// itself fails, the heuristic's first choice is kept and `fallback` says why.
// Overwrites call.c: call this before the measured region.
template <class CheckCublas>
LtAlgoPick pick_fastest_lt_algo(const LtMatmulCall& call, CheckCublas&& check_cublas) {
  cublasLtMatmulPreference_t pref = nullptr;
  check_cublas(cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate");
  const uint64_t ws = call.workspace_bytes;
  cublasStatus_t s = cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
  std::vector<cublasLtMatmulHeuristicResult_t> results(kLtAlgoCandidates);
  int found = 0;
  if (s == CUBLAS_STATUS_SUCCESS)
    s = cublasLtMatmulAlgoGetHeuristic(call.lt, call.desc, call.a_layout, call.b_layout,
                                       call.c_layout, call.c_layout, pref, kLtAlgoCandidates,
                                       results.data(), &found);
  cublasLtMatmulPreferenceDestroy(pref);
  check_cublas(s, "cublasLtMatmulAlgoGetHeuristic");
  // Only results whose state is success are valid algorithms.
  results.resize(static_cast<size_t>(std::max(found, 0)));
  results.erase(std::remove_if(results.begin(), results.end(),
                               [&](const cublasLtMatmulHeuristicResult_t& r) {
                                 return r.state != CUBLAS_STATUS_SUCCESS ||
                                        r.workspaceSize > call.workspace_bytes;
                               }),
                results.end());
  if (results.empty()) {
    check_cublas(CUBLAS_STATUS_NOT_SUPPORTED, "cublasLtMatmulAlgoGetHeuristic found no algorithm");
    return {};  // only if check_cublas did not throw: the zero algorithm fails its launch check
  }

  LtAlgoPick pick;
  pick.algo = results[0].algo;
  pick.candidates = static_cast<int>(results.size());
  auto keep_first = [&](const std::string& why, cudaError_t e) {
    (void)cudaGetLastError();  // clear a non-sticky error so later calls report their own
    LtAlgoPick first;
    first.algo = results[0].algo;
    first.candidates = pick.candidates;
    first.fallback = why + (e != cudaSuccess ? std::string(": ") + cudaGetErrorString(e) : "");
    return first;
  };
  lt_algo_pick_detail::EventPair ev;
  if (cudaError_t e = ev.create(); e != cudaSuccess) return keep_first("creating events", e);
  for (size_t i = 0; i < results.size(); ++i) {
    const cublasLtMatmulAlgo_t& algo = results[i].algo;
    // Warm-up launch, then one timed launch to size the timed batch.
    if (call.launch(algo) != CUBLAS_STATUS_SUCCESS) continue;
    auto once = lt_algo_pick_detail::time_launches(call, algo, ev, 1);
    if (once.error != cudaSuccess) return keep_first("timing failed", once.error);
    if (once.status != CUBLAS_STATUS_SUCCESS) continue;
    const int launches = std::clamp(static_cast<int>(kLtTimingTargetMs / std::max(once.ms, 1e-3)),
                                    kLtMinTimedLaunches, kLtMaxTimedLaunches);
    auto t = lt_algo_pick_detail::time_launches(call, algo, ev, launches);
    if (t.error != cudaSuccess) return keep_first("timing failed", t.error);
    if (t.status != CUBLAS_STATUS_SUCCESS || !(t.ms > 0)) continue;
    ++pick.timed;
    if (i == 0) pick.first_ms = t.ms;
    if (pick.ms == 0 || t.ms < pick.ms) {
      pick.ms = t.ms;
      pick.algo = algo;
      pick.index = static_cast<int>(i);
    }
  }
  if (pick.timed == 0) return keep_first("no candidate ran", cudaSuccess);
  return pick;
}

}  // namespace flopscope::gemm::cuda
