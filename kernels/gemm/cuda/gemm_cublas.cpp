#include "kernels/gemm/cuda/gemm_cublas.h"

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <library_types.h>

#include <algorithm>
#include <vector>

#include "devices/cuda/cuda_check.h"
#include "devices/gpu_shim/host_pinning.h"
#include "kernels/gemm/cuda/gemm_cuda_format.h"
#include "kernels/gemm/cuda/gemm_device_kernels.h"
#include "kernels/gemm/cuda/gemm_lt_algo_pick.h"
#include "kernels/gemm/gpu/gemm_check.h"

namespace flopscope::gemm::cuda {

namespace {

using flopscope::cuda::check_cublas;
using flopscope::gpu::check;
using flopscope::gpu::DeviceBuffer;
using gpu::add_sampled_elements;
using gpu::compare_column_checksums;
using gpu::element_error;

// Elements sampled for the host check (every element is covered by the
// column checksums; these catch layout and indexing mistakes element-wise).
constexpr int kSampledElements = 8;

struct Types {
  Element in, out;
  cudaDataType_t in_type, out_type, scale_type;
  cublasComputeType_t compute;
};

Types types_of(Precision p) {
  switch (p) {
    case Precision::fp64:
      return {Element::f64, Element::f64, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F};
    case Precision::fp32:
      return {Element::f32, Element::f32, CUDA_R_32F,
              CUDA_R_32F,   CUDA_R_32F,   CUBLAS_COMPUTE_32F_PEDANTIC};
    case Precision::tf32:
      return {Element::f32, Element::f32, CUDA_R_32F,
              CUDA_R_32F,   CUDA_R_32F,   CUBLAS_COMPUTE_32F_FAST_TF32};
    case Precision::fp16:
      return {Element::f16, Element::f16, CUDA_R_16F, CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F};
    case Precision::bf16:
      return {Element::bf16, Element::bf16, CUDA_R_16BF,
              CUDA_R_16BF,   CUDA_R_32F,    CUBLAS_COMPUTE_32F};
    case Precision::fp8:
      return {Element::e4m3, Element::bf16, CUDA_R_8F_E4M3,
              CUDA_R_16BF,   CUDA_R_32F,    CUBLAS_COMPUTE_32F};
    case Precision::int8:
      return {Element::i8, Element::i32, CUDA_R_8I, CUDA_R_32I, CUDA_R_32I, CUBLAS_COMPUTE_32I};
  }
  return {};
}

std::string version_text(int v) {
  // cuBLAS encodes major*10000 + minor*100 + patch.
  return std::to_string(v / 10000) + std::string(".").append(std::to_string((v / 100) % 100)) +
         std::string(".").append(std::to_string(v % 100));
}

// One A/B pair and the checksums a correct C of it has.
struct InputSet {
  DeviceBuffer<char> a, b;
  std::vector<double> want, sum_sq;
};

class CublasGemmRun final : public KernelRun {
 public:
  CublasGemmRun(const flopscope::gpu::GpuKernelContext& ctx, const CudaGemmFormat& f, int64_t m,
                int64_t n, int64_t k, uint64_t seed)
      : device_(ctx.ordinal),
        pinning_(ctx.host_pus),
        f_(f),
        t_(types_of(f.precision)),
        m_(m),
        n_(n),
        k_(k) {
    check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "creating a stream");
    const int sets = gemm_buffer_sets(f, m, n, k, ctx.l2_bytes);
    const size_t a_bytes = static_cast<size_t>(m) * k * f.input_bytes;
    const size_t b_bytes = static_cast<size_t>(k) * n * f.input_bytes;
    c_ = DeviceBuffer<char>(static_cast<size_t>(m) * n * f.output_bytes);
    workspace_ = DeviceBuffer<char>(kWorkspaceBytes);
    DeviceBuffer<double> w(k), w2(k), ref(n), ref2(n);
    for (int s = 0; s < sets; ++s) {
      InputSet in{DeviceBuffer<char>(a_bytes), DeviceBuffer<char>(b_bytes), {}, {}};
      fill_random(in.a.get(), t_.in, m * k, seed + 2 * s, stream_);
      fill_random(in.b.get(), t_.in, k * n, seed + 2 * s + 1, stream_);
      row_sums(in.a.get(), t_.in, k, m, w.get(), w2.get(), stream_);
      weighted_column_sums(in.b.get(), t_.in, k, n, w.get(), w2.get(), ref.get(), ref2.get(),
                           stream_);
      in.want.resize(n);
      in.sum_sq.resize(n);
      check(cudaMemcpyAsync(in.want.data(), ref.get(), n * sizeof(double), cudaMemcpyDeviceToHost,
                            stream_),
            "copying reference checksums");
      check(cudaMemcpyAsync(in.sum_sq.data(), ref2.get(), n * sizeof(double),
                            cudaMemcpyDeviceToHost, stream_),
            "copying reference checksums");
      check(cudaStreamSynchronize(stream_), "computing reference checksums");
      sets_.push_back(std::move(in));
    }
    sums_ = DeviceBuffer<double>(n);
    if (f.lt)
      setup_lt();
    else
      setup_cublas();
    description_ =
        library_ + ", " + f.compute + std::string(", TN, ").append(std::to_string(sets_.size())) +
        std::string(" rotating A/B sets, ").append(std::to_string(kWorkspaceBytes >> 20)) +
        " MiB workspace" + (algo_note_.empty() ? "" : ", " + algo_note_);
  }

  ~CublasGemmRun() override {
    if (plan_.desc) cublasLtMatmulDescDestroy(plan_.desc);
    for (auto* l : {plan_.a, plan_.b, plan_.c})
      if (l) cublasLtMatrixLayoutDestroy(l);
    if (lt_) cublasLtDestroy(lt_);
    if (handle_) cublasDestroy(handle_);
    if (stream_) cudaStreamDestroy(stream_);
  }

  std::string implementation() const override { return description_; }
  double flop_per_iteration() const override { return flop_count(m_, n_, k_); }
  double bytes_per_iteration() const override {
    return static_cast<double>(f_.input_bytes) * (m_ * k_ + k_ * n_) +
           static_cast<double>(f_.output_bytes) * m_ * n_;
  }
  PeakUnit peak_unit() const override { return PeakUnit::best; }

  double run(int64_t iterations) override {
    device_.select();
    timer_.start(stream_);
    for (int64_t i = 0; i < iterations; ++i) {
      last_set_ = next_set_;
      next_set_ = (next_set_ + 1) % sets_.size();
      launch(sets_[last_set_]);
    }
    return timer_.stop_seconds(stream_);
  }

  Verification verify() override {
    device_.select();
    const InputSet& in = sets_[last_set_];
    column_sums(c_.get(), t_.out, m_, n_, sums_.get(), stream_);
    std::vector<double> got(n_);
    check(cudaMemcpyAsync(got.data(), sums_.get(), n_ * sizeof(double), cudaMemcpyDeviceToHost,
                          stream_),
          "copying column checksums");
    check(cudaStreamSynchronize(stream_), "computing column checksums");
    Verification v = compare_column_checksums(got, in.want, in.sum_sq, tolerance(f_.error, k_, m_));
    add_sampled_elements(v, sampled_element_errors(in), tolerance(f_.error, k_, 1));
    return v;
  }

  bool corrupt_output_for_test(int64_t element) override {
    corrupt_element(c_.get(), t_.out, element % (m_ * n_), stream_);
    check(cudaStreamSynchronize(stream_), "corrupting an element");
    return true;
  }

 private:
  void setup_cublas() {
    check_cublas(cublasCreate(&handle_), "cublasCreate");
    check_cublas(cublasSetStream(handle_, stream_), "cublasSetStream");
    check_cublas(cublasSetWorkspace(handle_, workspace_.get(), kWorkspaceBytes),
                 "cublasSetWorkspace");
    // FP32 must never run as TF32 or an emulation: pedantic math forbids both.
    check_cublas(cublasSetMathMode(handle_, f_.precision == Precision::fp32 ? CUBLAS_PEDANTIC_MATH
                                                                            : CUBLAS_DEFAULT_MATH),
                 "cublasSetMathMode");
    int v = 0;
    check_cublas(cublasGetVersion(handle_, &v), "cublasGetVersion");
    library_ = "cuBLAS " + version_text(v);
  }

  void setup_lt() {
    check_cublas(cublasLtCreate(&lt_), "cublasLtCreate");
    library_ = "cuBLASLt " + version_text(static_cast<int>(cublasLtGetVersion()));
    check_cublas(cublasLtMatmulDescCreate(&plan_.desc, t_.compute, t_.scale_type),
                 "cublasLtMatmulDescCreate");
    const cublasOperation_t trans = CUBLAS_OP_T, none = CUBLAS_OP_N;
    check_cublas(cublasLtMatmulDescSetAttribute(plan_.desc, CUBLASLT_MATMUL_DESC_TRANSA, &trans,
                                                sizeof trans),
                 "setting TRANSA");
    check_cublas(
        cublasLtMatmulDescSetAttribute(plan_.desc, CUBLASLT_MATMUL_DESC_TRANSB, &none, sizeof none),
        "setting TRANSB");
    if (f_.precision == Precision::fp8) {
      // FP8 GEMMs take per-tensor scales on the device; 1.0 keeps the
      // arithmetic that of the plain product.
      const float one = 1.0f;
      scale_ = DeviceBuffer<float>(1);
      check(cudaMemcpy(scale_.get(), &one, sizeof one, cudaMemcpyHostToDevice), "setting scales");
      const void* p = scale_.get();
      check_cublas(cublasLtMatmulDescSetAttribute(plan_.desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
                                                  &p, sizeof p),
                   "setting the A scale");
      check_cublas(cublasLtMatmulDescSetAttribute(plan_.desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER,
                                                  &p, sizeof p),
                   "setting the B scale");
      const int8_t fast = 1;
      check_cublas(cublasLtMatmulDescSetAttribute(plan_.desc, CUBLASLT_MATMUL_DESC_FAST_ACCUM,
                                                  &fast, sizeof fast),
                   "setting fast accumulation");
    }
    check_cublas(cublasLtMatrixLayoutCreate(&plan_.a, t_.in_type, k_, m_, k_), "layout A");
    check_cublas(cublasLtMatrixLayoutCreate(&plan_.b, t_.in_type, k_, n_, k_), "layout B");
    check_cublas(cublasLtMatrixLayoutCreate(&plan_.c, t_.out_type, m_, n_, m_), "layout C");
    // The fastest of the heuristic's top candidates on the first input set,
    // timed here in the constructor, outside every measured region.
    const LtAlgoPick pick = pick_fastest_lt_algo(lt_call(sets_.front()), check_cublas);
    plan_.algo = pick.algo;
    algo_note_ = pick.describe();
  }

  // The cuBLASLt call on one input set (alpha 1, beta 0; integers for INT8).
  LtMatmulCall lt_call(const InputSet& in) const {
    const bool i8 = f_.precision == Precision::int8;
    LtMatmulCall call;
    call.lt = lt_;
    call.desc = plan_.desc;
    call.a_layout = plan_.a;
    call.b_layout = plan_.b;
    call.c_layout = plan_.c;
    call.alpha = i8 ? static_cast<const void*>(&kOneI) : static_cast<const void*>(&kOneF);
    call.beta = i8 ? static_cast<const void*>(&kZeroI) : static_cast<const void*>(&kZeroF);
    call.a = in.a.get();
    call.b = in.b.get();
    call.c = c_.get();
    call.workspace = workspace_.get();
    call.workspace_bytes = kWorkspaceBytes;
    call.stream = stream_;
    return call;
  }

  void launch(const InputSet& in) {
    if (f_.lt) {
      check_cublas(lt_call(in).launch(plan_.algo), "cublasLtMatmul");
    } else if (f_.precision == Precision::fp64) {
      const double one = 1, zero = 0;
      check_cublas(cublasDgemm(handle_, CUBLAS_OP_T, CUBLAS_OP_N, m_, n_, k_, &one,
                               reinterpret_cast<const double*>(in.a.get()), k_,
                               reinterpret_cast<const double*>(in.b.get()), k_, &zero,
                               reinterpret_cast<double*>(c_.get()), m_),
                   "cublasDgemm");
    } else {
      const float one = 1, zero = 0;
      check_cublas(cublasSgemm(handle_, CUBLAS_OP_T, CUBLAS_OP_N, m_, n_, k_, &one,
                               reinterpret_cast<const float*>(in.a.get()), k_,
                               reinterpret_cast<const float*>(in.b.get()), k_, &zero,
                               reinterpret_cast<float*>(c_.get()), m_),
                   "cublasSgemm");
    }
  }

  // Normalised errors of a few elements C[i, j], spread over the matrix,
  // against long-double dot products of the copied-back A column i (A is
  // stored k x m, so op(A) row i is contiguous) and B column j.
  std::vector<double> sampled_element_errors(const InputSet& in) {
    std::vector<int64_t> index;
    std::vector<std::pair<int64_t, int64_t>> ij;
    for (int s = 0; s < kSampledElements; ++s) {
      const int64_t i = (s * 7919 + 13) % m_, j = (s * 104729 + 71) % n_;
      ij.push_back({i, j});
    }
    std::vector<double> a(kSampledElements * k_), b(kSampledElements * k_), c(kSampledElements);
    auto fetch = [&](const void* base, Element e, const std::vector<int64_t>& idx,
                     std::vector<double>& out) {
      DeviceBuffer<int64_t> d_idx(idx.size());
      DeviceBuffer<double> d_out(idx.size());
      check(cudaMemcpyAsync(d_idx.get(), idx.data(), idx.size() * sizeof(int64_t),
                            cudaMemcpyHostToDevice, stream_),
            "copying sample indices");
      gather(base, e, d_idx.get(), static_cast<int64_t>(idx.size()), d_out.get(), stream_);
      check(cudaMemcpyAsync(out.data(), d_out.get(), idx.size() * sizeof(double),
                            cudaMemcpyDeviceToHost, stream_),
            "copying sampled elements");
      check(cudaStreamSynchronize(stream_), "gathering sampled elements");
    };
    index.clear();
    for (auto [i, j] : ij)
      for (int64_t l = 0; l < k_; ++l) index.push_back(l + i * k_);
    fetch(in.a.get(), t_.in, index, a);
    index.clear();
    for (auto [i, j] : ij)
      for (int64_t l = 0; l < k_; ++l) index.push_back(l + j * k_);
    fetch(in.b.get(), t_.in, index, b);
    index.clear();
    for (auto [i, j] : ij) index.push_back(i + j * m_);
    fetch(c_.get(), t_.out, index, c);
    std::vector<double> errors;
    for (int s = 0; s < kSampledElements; ++s)
      errors.push_back(element_error(&a[s * k_], &b[s * k_], k_, c[s]));
    return errors;
  }

  static constexpr float kOneF = 1.0f, kZeroF = 0.0f;
  static constexpr int32_t kOneI = 1, kZeroI = 0;

  flopscope::gpu::CurrentDevice device_;
  flopscope::gpu::ScopedHostPinning pinning_;
  const CudaGemmFormat& f_;
  Types t_;
  int64_t m_, n_, k_;
  cudaStream_t stream_ = nullptr;
  std::vector<InputSet> sets_;
  DeviceBuffer<char> c_, workspace_;
  DeviceBuffer<double> sums_;
  DeviceBuffer<float> scale_;
  flopscope::gpu::EventTimer timer_;
  size_t next_set_ = 0, last_set_ = 0;
  cublasHandle_t handle_ = nullptr;
  cublasLtHandle_t lt_ = nullptr;
  struct {
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
    cublasLtMatmulAlgo_t algo{};
  } plan_;
  std::string library_, algo_note_, description_;
};

}  // namespace

std::unique_ptr<KernelRun> make_cublas_gemm_run(const flopscope::gpu::GpuKernelContext& ctx,
                                                const KernelRequest& request,
                                                std::string* unsupported) {
  const CudaGemmFormat& f = cuda_gemm_format(request.precision);
  if (ctx.compute_capability < f.min_compute_capability) {
    if (unsupported)
      *unsupported =
          std::string(to_string(request.precision)) +
          std::string(" GEMM needs sm_").append(std::to_string(f.min_compute_capability)) +
          std::string(" or later (this GPU is sm_").append(std::to_string(ctx.compute_capability)) +
          ")";
    return nullptr;
  }
  const int64_t n = request.size.get("n");
  const int64_t m = request.size.get("m", n), k = request.size.get("k", n);
  if (m <= 0 || n <= 0 || k <= 0) {
    if (unsupported) *unsupported = "GEMM size " + request.size.label() + " has no m, n, k";
    return nullptr;
  }
  if (f.lt && (m % 16 || n % 16 || k % 16)) {
    if (unsupported)
      *unsupported = std::string("cuBLASLt ").append(std::string(to_string(request.precision))) +
                     " GEMM here needs m, n, k multiples of 16";
    return nullptr;
  }
  const int sets = gemm_buffer_sets(f, m, n, k, ctx.l2_bytes);
  if (gemm_footprint_bytes(f, m, n, k, sets) > ctx.memory_bytes * 9 / 10) {
    if (unsupported) *unsupported = "GEMM " + request.size.label() + " does not fit in memory";
    return nullptr;
  }
  return std::make_unique<CublasGemmRun>(ctx, f, m, n, k, request.seed);
}

}  // namespace flopscope::gemm::cuda
