/* A bare oneDNN matmul timing, for scripts/bench-cpu-libraries.sh: C = A*B,
 * square, row-major, weights reordered once into the layout the primitive
 * chose (format_tag any), as an inference framework holds them. Threads and
 * pinning come from the environment (OMP_NUM_THREADS, OMP_PLACES).
 *
 *   bare_onednn_matmul fp32|bf16|int8 N REPS
 * prints the implementation, one line per timed call, and the median;
 * "unsupported" (exit 0) when oneDNN has no implementation here.
 */
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bare_huge_alloc.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

#define CHECK(x)                           \
  do {                                     \
    if ((x) != dnnl_success) {             \
      fprintf(stderr, "failed: %s\n", #x); \
      return 3;                            \
    }                                      \
  } while (0)

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s fp32|bf16|int8 N REPS\n", argv[0]);
    return 2;
  }
  const int n = atoi(argv[2]), reps = atoi(argv[3]);
  dnnl_data_type_t ta = dnnl_f32, tb = dnnl_f32, tc = dnnl_f32;
  size_t ea = 4, eb = 4, ec = 4;
  if (strcmp(argv[1], "bf16") == 0) {
    ta = tb = dnnl_bf16;
    ea = eb = 2;
  } else if (strcmp(argv[1], "int8") == 0) {
    ta = dnnl_u8;
    tb = dnnl_s8;
    tc = dnnl_s32;
    ea = eb = 1;
  }
  dnnl_engine_t eng;
  dnnl_stream_t stream;
  CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
  CHECK(dnnl_stream_create(&stream, eng, dnnl_stream_default_flags));
  dnnl_memory_desc_t a_md, b_any, b_plain, c_md;
  const dnnl_dims_t dims = {n, n};
  CHECK(dnnl_memory_desc_init_by_tag(&a_md, 2, dims, ta, dnnl_ab));
  CHECK(dnnl_memory_desc_init_by_tag(&b_any, 2, dims, tb, dnnl_format_tag_any));
  CHECK(dnnl_memory_desc_init_by_tag(&b_plain, 2, dims, tb, dnnl_ab));
  CHECK(dnnl_memory_desc_init_by_tag(&c_md, 2, dims, tc, dnnl_ab));
  dnnl_matmul_desc_t desc;
  CHECK(dnnl_matmul_desc_init(&desc, &a_md, &b_any, NULL, &c_md));
  dnnl_primitive_desc_t pd;
  if (dnnl_primitive_desc_create(&pd, &desc, NULL, eng, NULL) != dnnl_success) {
    printf("unsupported: no %s matmul in this oneDNN for this CPU\n", argv[1]);
    return 0;
  }
  const char* impl = NULL;
  dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
  printf("library onednn matmul %s\n", impl);
  if (strncmp(impl, "ref", 3) == 0) {
    printf("unsupported: only the reference implementation\n");
    return 0;
  }
  const size_t nn = (size_t)n * (size_t)n;
  unsigned char* a = bare_huge_alloc(nn * ea);
  unsigned char* b = bare_huge_alloc(nn * eb);
  unsigned char* c = bare_huge_alloc(nn * ec);
  uint64_t s = 20261128;
  for (size_t i = 0; i < nn * ea; ++i)
    a[i] = (unsigned char)((s = s * 6364136223846793005ull + 1) >> 57);
  for (size_t i = 0; i < nn * eb; ++i)
    b[i] = (unsigned char)((s = s * 6364136223846793005ull + 1) >> 56);
  if (ta == dnnl_f32 || ta == dnnl_bf16) {
    /* Values in [-1, 1): f32 with random mantissas, bf16 as the upper half. */
    for (size_t i = 0; i < nn; ++i) {
      const float x = (float)((s = s * 6364136223846793005ull + 1) >> 40) * 0x1p-23f - 1.0f;
      const float y = (float)((s = s * 6364136223846793005ull + 1) >> 40) * 0x1p-23f - 1.0f;
      if (ta == dnnl_f32) {
        memcpy(a + 4 * i, &x, 4);
        memcpy(b + 4 * i, &y, 4);
      } else {
        memcpy(a + 2 * i, (const char*)&x + 2, 2);
        memcpy(b + 2 * i, (const char*)&y + 2, 2);
      }
    }
  }
  const dnnl_memory_desc_t* packed_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  dnnl_memory_t a_mem, b_mem, packed, c_mem;
  CHECK(dnnl_memory_create(&a_mem, &a_md, eng, a));
  CHECK(dnnl_memory_create(&b_mem, &b_plain, eng, b));
  CHECK(dnnl_memory_create(&c_mem, &c_md, eng, c));
  CHECK(dnnl_memory_create(&packed, packed_md, eng, DNNL_MEMORY_ALLOCATE));
  dnnl_primitive_desc_t rpd;
  dnnl_primitive_t reorder, matmul;
  CHECK(dnnl_reorder_primitive_desc_create(&rpd, &b_plain, eng, packed_md, eng, NULL));
  CHECK(dnnl_primitive_create(&reorder, rpd));
  dnnl_exec_arg_t rargs[] = {{DNNL_ARG_FROM, b_mem}, {DNNL_ARG_TO, packed}};
  CHECK(dnnl_primitive_execute(reorder, stream, 2, rargs));
  CHECK(dnnl_stream_wait(stream));
  CHECK(dnnl_primitive_create(&matmul, pd));
  dnnl_exec_arg_t args[] = {
      {DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_DST, c_mem}};
  double* rates = malloc(sizeof(double) * (size_t)(reps > 0 ? reps : 1));
  const double flop = 2.0 * n * (double)n * n;
  for (int r = -1; r < reps; ++r) { /* r = -1: the untimed first call */
    const double t0 = now();
    CHECK(dnnl_primitive_execute(matmul, stream, 3, args));
    CHECK(dnnl_stream_wait(stream));
    const double t = now() - t0;
    if (r >= 0) {
      rates[r] = flop / t;
      printf("call %d %.6f s %.3f GFLOP/s\n", r, t, rates[r] * 1e-9);
    }
  }
  qsort(rates, (size_t)reps, sizeof(double), cmp);
  if (reps > 0) {
    const double median =
        reps % 2 ? rates[reps / 2] : 0.5 * (rates[reps / 2 - 1] + rates[reps / 2]);
    printf("median %.3f GFLOP/s min %.3f max %.3f\n", median * 1e-9, rates[0] * 1e-9,
           rates[reps - 1] * 1e-9);
  }
  return 0;
}
