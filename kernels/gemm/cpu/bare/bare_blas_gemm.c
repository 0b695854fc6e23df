/* A bare BLAS GEMM timing, for scripts/bench-cpu-libraries.sh: C = A*B with
 * square column-major matrices through the Fortran sgemm_/dgemm_ of the
 * library it is linked with, nothing else. Threads and pinning come from the
 * environment (OPENBLAS_NUM_THREADS, BLIS_NUM_THREADS, OMP_PLACES, taskset);
 * OpenBLAS's core type from OPENBLAS_CORETYPE; BLIS's configuration from the
 * optional last argument (built with -DBARE_BLIS).
 *
 *   bare_blas_gemm fp64|fp32 N REPS [blis-arch]
 * prints the configuration, one line per timed call, and the median.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bare_huge_alloc.h"

void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*,
            const double*, const int*, const double*, const int*, const double*, double*,
            const int*, size_t, size_t);
void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*,
            const float*, const int*, const float*, const int*, const float*, float*, const int*,
            size_t, size_t);

#ifdef BARE_BLIS
const char* bli_arch_string(int id);
int bli_arch_query_id(void);
void bli_init(void);
const char* bli_info_get_version_str(void);
#else
char* openblas_get_config(void);
char* openblas_get_corename(void);
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t next(uint64_t* s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int cmp(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s fp64|fp32 N REPS [blis-arch]\n", argv[0]);
    return 2;
  }
  const int dbl = strcmp(argv[1], "fp64") == 0;
  const int n = atoi(argv[2]), reps = atoi(argv[3]);
#ifdef BARE_BLIS
  if (argc > 4) {
    int id = -1;
    for (int i = 0; i < 64; ++i) {
      const char* name = bli_arch_string(i);
      if (!name) break;
      if (strcmp(name, argv[4]) == 0) id = i;
      if (strcmp(name, "generic") == 0) break;
    }
    if (id < 0) {
      fprintf(stderr, "no BLIS configuration %s\n", argv[4]);
      return 2;
    }
    char buf[16];
    snprintf(buf, sizeof buf, "%d", id);
    setenv("BLIS_ARCH_TYPE", buf, 1);
  }
  bli_init();
  printf("library blis-%s arch=%s\n", bli_info_get_version_str(),
         bli_arch_string(bli_arch_query_id()));
#else
  printf("library %s coretype=%s\n", openblas_get_config(), openblas_get_corename());
#endif
  const size_t es = dbl ? sizeof(double) : sizeof(float), nn = (size_t)n * (size_t)n;
  void* a = bare_huge_alloc(nn * es);
  void* b = bare_huge_alloc(nn * es);
  void* c = bare_huge_alloc(nn * es);
  uint64_t seed = 20261128;
  for (size_t i = 0; i < nn; ++i) {
    const double x = (double)(next(&seed) >> 11) * 0x1p-52 - 1.0;
    const double y = (double)(next(&seed) >> 11) * 0x1p-52 - 1.0;
    if (dbl) {
      ((double*)a)[i] = x;
      ((double*)b)[i] = y;
    } else {
      ((float*)a)[i] = (float)x;
      ((float*)b)[i] = (float)y;
    }
  }
  const double one = 1, zero = 0;
  const float onef = 1, zerof = 0;
  double* rates = malloc(sizeof(double) * (size_t)(reps > 0 ? reps : 1));
  const double flop = 2.0 * n * (double)n * n;
  for (int r = -1; r < reps; ++r) { /* r = -1: the untimed first call */
    const double t0 = now();
    if (dbl)
      dgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n, 1, 1);
    else
      sgemm_("N", "N", &n, &n, &n, &onef, a, &n, b, &n, &zerof, c, &n, 1, 1);
    const double t = now() - t0;
    if (r >= 0) {
      rates[r] = flop / t;
      printf("call %d %.6f s %.3f GFLOP/s\n", r, t, rates[r] * 1e-9);
    }
  }
  /* One entry against a plain dot product: the library did compute. */
  double dot = 0, got;
  for (int l = 0; l < n; ++l)
    dot += dbl ? ((double*)a)[(size_t)l * n] * ((double*)b)[l]
               : (double)((float*)a)[(size_t)l * n] * ((float*)b)[l];
  got = dbl ? ((double*)c)[0] : ((float*)c)[0];
  if (fabs(got - dot) > 1e-3 * sqrt((double)n)) {
    printf("check FAILED: c[0] = %g, expected %g\n", got, dot);
    return 1;
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
