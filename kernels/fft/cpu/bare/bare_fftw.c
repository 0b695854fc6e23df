/* A bare FFTW timing, for scripts/bench-cpu-libraries.sh: a batch of
 * out-of-place complex forward transforms planned with FFTW_MEASURE, with
 * the OpenMP threads of the environment (OMP_NUM_THREADS,
 * OMP_PLACES). Each repetition executes the plan for at least 0.5 s.
 *
 *   bare_fftw fp64|fp32 REPS BATCH N0 [N1 [N2]]
 * prints one line per repetition and the median, in 5 N log2(N) FLOP/s.
 * With BARE_FFTW_WISDOM=file in the environment it imports that wisdom
 * first (flopscope's, to run the very plan flopscope runs).
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fftw3.h>

#ifdef BARE_FLOAT
#define R(x) fftwf_##x
typedef float real;
#else
#define R(x) fftw_##x
typedef double real;
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s fp64|fp32 REPS BATCH N0 [N1 [N2]]\n", argv[0]);
    return 2;
  }
  const int reps = atoi(argv[2]), batch = atoi(argv[3]), rank = argc - 4;
  int dims[3];
  double points = 1;
  for (int i = 0; i < rank && i < 3; ++i) {
    dims[i] = atoi(argv[4 + i]);
    points *= dims[i];
  }
  R(init_threads)();
  R(plan_with_nthreads)(omp_get_max_threads());
  const char* wisdom = getenv("BARE_FFTW_WISDOM");
  if (wisdom && !R(import_wisdom_from_filename)(wisdom))
    fprintf(stderr, "could not import wisdom from %s\n", wisdom);
  const size_t total = (size_t)points * (size_t)batch;
  real* in = R(malloc)(sizeof(real) * 2 * total);
  real* out = R(malloc)(sizeof(real) * 2 * total);
  const double t_plan = now();
  R(plan)
  p = R(plan_many_dft)(rank, dims, batch, (void*)in, NULL, 1, (int)points, (void*)out, NULL, 1,
                       (int)points, FFTW_FORWARD, FFTW_MEASURE);
  printf("library %s threads=%d planned in %.1f s%s\n", R(version), omp_get_max_threads(),
         now() - t_plan, wisdom ? " with flopscope's wisdom" : "");
  uint64_t s = 20261128;
  for (size_t i = 0; i < 2 * total; ++i)
    in[i] = (real)((double)((s = s * 6364136223846793005ull + 1) >> 11) * 0x1p-52 - 1.0);
  const double flop = 5.0 * points * log2(points) * batch;
  R(execute)(p); /* untimed */
  double t0 = now();
  R(execute)(p);
  const double once = now() - t0;
  const long iters = once > 0.5 ? 1 : (long)(0.5 / once) + 1;
  double* rates = malloc(sizeof(double) * (size_t)(reps > 0 ? reps : 1));
  for (int r = 0; r < reps; ++r) {
    t0 = now();
    for (long i = 0; i < iters; ++i) R(execute)(p);
    const double t = (now() - t0) / (double)iters;
    rates[r] = flop / t;
    printf("rep %d %ld x %.6f s %.3f GFLOP/s\n", r, iters, t, rates[r] * 1e-9);
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
