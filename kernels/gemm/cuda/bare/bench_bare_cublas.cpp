// The baseline flopscope's CUDA GEMM is held to: the plainest cuBLAS /
// cuBLASLt program for the same size, layout (TN), data (the same seeded
// fill), math mode and workspace, timed with events over batches of launches
// with no input rotation. cuBLASLt GEMMs run the fastest of the heuristic's
// top candidates, picked as flopscope picks (gemm_lt_algo_pick.h), so both
// sides get the best algorithm of the same list. No flopscope harness code is
// involved.
//
//   bench_bare_cublas PRECISION M N K [SEED]      one GEMM: prints its rate
//   bench_bare_cublas --compare RESULT.json       every CUDA GEMM in a flopscope
//                                                 result file: bare rate and ratio
// Exit: 0 ok, 1 some ratio under --min-ratio (default 0.98), 2 usage, 3 CUDA error.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/gemm/cuda/gemm_device_kernels.h"
#include "kernels/gemm/cuda/gemm_lt_algo_pick.h"

namespace {

using flopscope::gemm::cuda::Element;

struct Fail : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void ck(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw Fail(std::string(what) + ": " + cudaGetErrorString(e));
}
void ck(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS) throw Fail(std::string(what) + ": " + cublasGetStatusString(s));
}

struct Spec {
  Element in, out;
  int in_bytes, out_bytes;
  cudaDataType_t in_type, out_type, scale_type;
  cublasComputeType_t compute;
  bool lt;
};

Spec spec_of(const std::string& p) {
  if (p == "fp64")
    return {Element::f64, Element::f64,       8,    8, CUDA_R_64F, CUDA_R_64F,
            CUDA_R_64F,   CUBLAS_COMPUTE_64F, false};
  if (p == "fp32")
    return {Element::f32, Element::f32, 4,          4,
            CUDA_R_32F,   CUDA_R_32F,   CUDA_R_32F, CUBLAS_COMPUTE_32F_PEDANTIC,
            false};
  if (p == "tf32")
    return {Element::f32, Element::f32, 4,          4,
            CUDA_R_32F,   CUDA_R_32F,   CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32,
            true};
  if (p == "fp16")
    return {Element::f16, Element::f16,       2,   2, CUDA_R_16F, CUDA_R_16F,
            CUDA_R_32F,   CUBLAS_COMPUTE_32F, true};
  if (p == "bf16")
    return {Element::bf16, Element::bf16,      2,   2, CUDA_R_16BF, CUDA_R_16BF,
            CUDA_R_32F,    CUBLAS_COMPUTE_32F, true};
  if (p == "fp8")
    return {Element::e4m3, Element::bf16,      1,   2, CUDA_R_8F_E4M3, CUDA_R_16BF,
            CUDA_R_32F,    CUBLAS_COMPUTE_32F, true};
  if (p == "int8")
    return {Element::i8, Element::i32,       1,   4, CUDA_R_8I, CUDA_R_32I,
            CUDA_R_32I,  CUBLAS_COMPUTE_32I, true};
  throw std::invalid_argument("unknown precision " + p);
}

// Rate in FLOP/s (OP/s for int8): the median of 5 batches after a warm-up
// (flopscope's figure is a median too).
// *algo_note, when given, says which cuBLASLt algorithm ran (empty for cuBLAS).
double bare_rate(const std::string& precision, int m, int n, int k, uint64_t seed,
                 std::string* algo_note = nullptr) {
  const Spec s = spec_of(precision);
  const size_t workspace_bytes = 128ull << 20;
  void *a, *b, *c, *ws;
  ck(cudaMalloc(&a, size_t(m) * k * s.in_bytes), "cudaMalloc");
  ck(cudaMalloc(&b, size_t(k) * n * s.in_bytes), "cudaMalloc");
  ck(cudaMalloc(&c, size_t(m) * n * s.out_bytes), "cudaMalloc");
  ck(cudaMalloc(&ws, workspace_bytes), "cudaMalloc");
  flopscope::gemm::cuda::fill_random(a, s.in, int64_t(m) * k, seed, nullptr);
  flopscope::gemm::cuda::fill_random(b, s.in, int64_t(k) * n, seed + 1, nullptr);

  cublasHandle_t h = nullptr;
  cublasLtHandle_t lt = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
  cublasLtMatmulAlgo_t algo{};
  float* scale = nullptr;
  if (!s.lt) {
    ck(cublasCreate(&h), "cublasCreate");
    ck(cublasSetWorkspace(h, ws, workspace_bytes), "cublasSetWorkspace");
    ck(cublasSetMathMode(h, precision == "fp32" ? CUBLAS_PEDANTIC_MATH : CUBLAS_DEFAULT_MATH),
       "cublasSetMathMode");
  } else {
    ck(cublasLtCreate(&lt), "cublasLtCreate");
    ck(cublasLtMatmulDescCreate(&desc, s.compute, s.scale_type), "desc");
    const cublasOperation_t t = CUBLAS_OP_T, nn = CUBLAS_OP_N;
    ck(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t), "transa");
    ck(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &nn, sizeof nn), "transb");
    if (precision == "fp8") {
      const float one = 1;
      ck(cudaMalloc(reinterpret_cast<void**>(&scale), sizeof(float)), "cudaMalloc");
      ck(cudaMemcpy(scale, &one, sizeof one, cudaMemcpyHostToDevice), "cudaMemcpy");
      ck(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &scale,
                                        sizeof scale),
         "a scale");
      ck(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &scale,
                                        sizeof scale),
         "b scale");
      const int8_t fast = 1;
      ck(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast),
         "fast accum");
    }
    ck(cublasLtMatrixLayoutCreate(&la, s.in_type, k, m, k), "layout");
    ck(cublasLtMatrixLayoutCreate(&lb, s.in_type, k, n, k), "layout");
    ck(cublasLtMatrixLayoutCreate(&lc, s.out_type, m, n, m), "layout");
  }
  const double one_d = 1, zero_d = 0;
  const float one_f = 1, zero_f = 0;
  const int32_t one_i = 1, zero_i = 0;
  if (s.lt) {
    // The best bare cuBLASLt call: the fastest of the heuristic's top
    // candidates, picked exactly as flopscope picks (gemm_lt_algo_pick.h).
    flopscope::gemm::cuda::LtMatmulCall call;
    call.lt = lt;
    call.desc = desc;
    call.a_layout = la;
    call.b_layout = lb;
    call.c_layout = lc;
    call.alpha = precision == "int8" ? static_cast<const void*>(&one_i) : &one_f;
    call.beta = precision == "int8" ? static_cast<const void*>(&zero_i) : &zero_f;
    call.a = a;
    call.b = b;
    call.c = c;
    call.workspace = ws;
    call.workspace_bytes = workspace_bytes;
    const auto pick = flopscope::gemm::cuda::pick_fastest_lt_algo(
        call, [](cublasStatus_t st, const char* what) { ck(st, what); });
    algo = pick.algo;
    if (algo_note) *algo_note = pick.describe();
  }
  auto launch = [&] {
    if (precision == "fp64")
      ck(cublasDgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one_d, static_cast<double*>(a), k,
                     static_cast<double*>(b), k, &zero_d, static_cast<double*>(c), m),
         "cublasDgemm");
    else if (precision == "fp32")
      ck(cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one_f, static_cast<float*>(a), k,
                     static_cast<float*>(b), k, &zero_f, static_cast<float*>(c), m),
         "cublasSgemm");
    else {
      const void* alpha = precision == "int8" ? static_cast<const void*>(&one_i) : &one_f;
      const void* beta = precision == "int8" ? static_cast<const void*>(&zero_i) : &zero_f;
      ck(cublasLtMatmul(lt, desc, alpha, a, la, b, lb, beta, c, lc, c, lc, &algo, ws,
                        workspace_bytes, nullptr),
         "cublasLtMatmul");
    }
  };
  const double flop = 2.0 * m * n * double(k);
  // Batches of about 50 ms.
  cudaEvent_t e0, e1;
  ck(cudaEventCreate(&e0), "event");
  ck(cudaEventCreate(&e1), "event");
  for (int i = 0; i < 3; ++i) launch();
  ck(cudaEventRecord(e0), "event");
  launch();
  ck(cudaEventRecord(e1), "event");
  ck(cudaEventSynchronize(e1), "sync");
  float ms = 0;
  ck(cudaEventElapsedTime(&ms, e0, e1), "elapsed");
  const int per_batch = std::max(1, static_cast<int>(50.0 / std::max(ms, 0.01f)));
  std::vector<double> rates;
  for (int batch = 0; batch < 5; ++batch) {
    ck(cudaEventRecord(e0), "event");
    for (int i = 0; i < per_batch; ++i) launch();
    ck(cudaEventRecord(e1), "event");
    ck(cudaEventSynchronize(e1), "sync");
    ck(cudaEventElapsedTime(&ms, e0, e1), "elapsed");
    rates.push_back(flop * per_batch / (ms * 1e-3));
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates[rates.size() / 2];
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  if (desc) cublasLtMatmulDescDestroy(desc);
  for (auto* l : {la, lb, lc})
    if (l) cublasLtMatrixLayoutDestroy(l);
  if (lt) cublasLtDestroy(lt);
  if (h) cublasDestroy(h);
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
  cudaFree(ws);
  if (scale) cudaFree(scale);
  return median;
}

int compare(const std::string& path, double min_ratio) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "bench_bare_cublas: cannot read %s\n", path.c_str());
    return 2;
  }
  const auto doc = nlohmann::json::parse(in);
  const uint64_t seed = doc.value("seed", uint64_t{20261128});
  int below = 0, compared = 0;
  std::printf("%-6s %-22s %14s %14s %7s\n", "prec", "size", "flopscope T/s", "bare T/s", "ratio");
  for (const auto& m : doc["measurements"]) {
    if (m.value("kernel", "") != "gemm" || m.value("device", "").rfind("cuda:", 0) != 0) continue;
    // A valid figure as flopscope's readers take one (valid_figure, which
    // this bare program does not link): it ran and its check passed.
    if (m.value("status", "") != "ok" || m.value("verified", false) != true) continue;
    const std::string p = m["precision"];
    const auto& size = m["size"];
    const int n = size.value("n", 0);
    const int mm = size.value("m", n), kk = size.value("k", n);
    const double ours = m.value("median_flops", 0.0);
    std::string algo_note;
    const double bare = bare_rate(p, mm, n, kk, seed, &algo_note);
    const double ratio = bare > 0 ? ours / bare : 0;
    ++compared;
    if (ratio < min_ratio) ++below;
    std::printf("%-6s m=%d,n=%d,k=%-8d %14.1f %14.1f %7.3f%s\n", p.c_str(), mm, n, kk, ours / 1e12,
                bare / 1e12, ratio, ratio < min_ratio ? "  BELOW" : "");
    if (!algo_note.empty()) std::printf("       bare: %s\n", algo_note.c_str());
  }
  std::printf("%d GEMMs compared, %d under %.2f x bare\n", compared, below, min_ratio);
  return compared == 0 ? 1 : (below ? 1 : 0);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    double min_ratio = 0.98;
    for (size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "--min-ratio") {
        min_ratio = std::stod(args[i + 1]);
        args.erase(args.begin() + i, args.begin() + i + 2);
        break;
      }
    if (args.size() == 2 && args[0] == "--compare") return compare(args[1], min_ratio);
    if (args.size() == 4 || args.size() == 5) {
      const uint64_t seed = args.size() == 5 ? std::stoull(args[4]) : 20261128;
      std::string algo_note;
      const double r = bare_rate(args[0], std::stoi(args[1]), std::stoi(args[2]),
                                 std::stoi(args[3]), seed, &algo_note);
      std::printf("bare %s m=%s n=%s k=%s: %.1f T%s/s\n", args[0].c_str(), args[1].c_str(),
                  args[2].c_str(), args[3].c_str(), r / 1e12, args[0] == "int8" ? "OP" : "FLOP");
      if (!algo_note.empty()) std::printf("  %s\n", algo_note.c_str());
      return 0;
    }
    std::fprintf(stderr,
                 "usage: bench_bare_cublas PRECISION M N K [SEED] | --compare RESULT.json "
                 "[--min-ratio R]\n");
    return 2;
  } catch (const Fail& e) {
    std::fprintf(stderr, "bench_bare_cublas: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_bare_cublas: %s\n", e.what());
    return 2;
  }
}
