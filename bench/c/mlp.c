/* Plain C forward pass of a 12-16-6 MLP (sigmoid hidden, softmax output, expf), for comparison
 * with assembly/mlp.ts. Same rule as the kernel (min-max normalisation, NoData test,
 * max-subtracted softmax) on the same kind of synthetic data as bench/mlp.ts (hash-generated
 * values, ~1 % NoData in driver 0); driver-plane layout, float32, one core. Two loops:
 *   scalar:  one cell at a time, libm expf (the straightforward port of the rule);
 *   blocked: 256 cells at a time with the cell loop innermost, so the compiler vectorises it
 *            (with -ffast-math GCC calls glibc's vector expf, libmvec; -march=native picks the
 *            widest vectors the CPU has, e.g. AVX-512 = 16 lanes where wasm SIMD has 4).
 *   gcc -O3 -march=native -o /tmp/mlp_c bench/c/mlp.c -lm && /tmp/mlp_c 1024
 *   gcc -O3 -march=native -ffast-math -o /tmp/mlp_c_fast bench/c/mlp.c -lm && /tmp/mlp_c_fast 1024 blocked
 * Prints one JSON line: {"impl":"c" | "c-blocked","size":n,"seconds":best wall of 5,
 * "cpu_seconds":best thread CPU,...,"fast_math":0|1}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#define D 12
#define H 16
#define K 6
#define B 256

static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static float W1[H * D], b1[H], W2[K * H], b2[K], mn[D], sc[D], nd[D];

static void run_scalar(const float *X, float *O, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float x[D], y[H], z[K];
    int ok = 1;
    for (int d = 0; d < D; d++) {
      float v = X[d * n + i];
      if (v != v || v == nd[d]) { ok = 0; break; }
      x[d] = (v - mn[d]) * sc[d];
    }
    if (!ok) { for (int k = 0; k < K; k++) O[k * n + i] = NAN; continue; }
    for (int h = 0; h < H; h++) {
      float a = b1[h];
      for (int d = 0; d < D; d++) a += W1[h * D + d] * x[d];
      y[h] = 1.0f / (1.0f + expf(-a));
    }
    float m = -INFINITY;
    for (int k = 0; k < K; k++) {
      float a = b2[k];
      for (int h = 0; h < H; h++) a += W2[k * H + h] * y[h];
      z[k] = a;
      if (a > m) m = a;
    }
    float t = 0.0f;
    for (int k = 0; k < K; k++) { z[k] = expf(z[k] - m); t += z[k]; }
    for (int k = 0; k < K; k++) O[k * n + i] = z[k] / t;
  }
}

/* Same rule, B cells per step, every inner loop over cells (vectorisable). NoData cells are
 * computed on 0 inputs and set to NaN at the end (with -ffast-math the compiler may assume no
 * NaN, so validity is an integer flag, never a float comparison on the result). */
static void run_blocked(const float *X, float *O, size_t n) {
  static float x[D][B], y[H][B], z[K][B], m[B], t[B];
  static int bad[B];
  for (size_t i0 = 0; i0 < n; i0 += B) {
    size_t nb = n - i0 < B ? n - i0 : B;
    for (size_t i = 0; i < nb; i++) bad[i] = 0;
    for (int d = 0; d < D; d++) {
      const float *p = X + d * n + i0;
      for (size_t i = 0; i < nb; i++) {
        /* NaN test on the bits: -ffast-math would fold v != v to false */
        unsigned u;
        memcpy(&u, &p[i], 4);
        int miss = (u & 0x7fffffffu) > 0x7f800000u || p[i] == nd[d];
        bad[i] |= miss;
        x[d][i] = miss ? 0.0f : (p[i] - mn[d]) * sc[d];
      }
    }
    for (int h = 0; h < H; h++) {
      for (size_t i = 0; i < nb; i++) y[h][i] = b1[h];
      for (int d = 0; d < D; d++) {
        float w = W1[h * D + d];
        for (size_t i = 0; i < nb; i++) y[h][i] += w * x[d][i];
      }
      for (size_t i = 0; i < nb; i++) y[h][i] = 1.0f / (1.0f + expf(-y[h][i]));
    }
    for (size_t i = 0; i < nb; i++) m[i] = -INFINITY;
    for (int k = 0; k < K; k++) {
      for (size_t i = 0; i < nb; i++) z[k][i] = b2[k];
      for (int h = 0; h < H; h++) {
        float w = W2[k * H + h];
        for (size_t i = 0; i < nb; i++) z[k][i] += w * y[h][i];
      }
      for (size_t i = 0; i < nb; i++) m[i] = z[k][i] > m[i] ? z[k][i] : m[i];
    }
    for (size_t i = 0; i < nb; i++) t[i] = 0.0f;
    for (int k = 0; k < K; k++) {
      for (size_t i = 0; i < nb; i++) { z[k][i] = expf(z[k][i] - m[i]); t[i] += z[k][i]; }
    }
    for (int k = 0; k < K; k++) {
      float *o = O + k * n + i0;
      for (size_t i = 0; i < nb; i++) o[i] = bad[i] ? NAN : z[k][i] / t[i];
    }
  }
}

int main(int argc, char **argv) {
  size_t size = argc > 1 ? (size_t)atoi(argv[1]) : 1024, n = size * size;
  int blocked = argc > 2 && strcmp(argv[2], "blocked") == 0;
  float *X = malloc(sizeof(float) * D * n), *O = malloc(sizeof(float) * K * n);
  if (!X || !O) { fprintf(stderr, "out of memory\n"); return 1; }
  for (size_t d = 0; d < D; d++) {
    mn[d] = 0.0f; sc[d] = 1.0f / 100.0f; nd[d] = -9999.0f;
    for (size_t i = 0; i < n; i++) {
      unsigned h = (unsigned)(i * 2654435761u + d * 40503u);
      X[d * n + i] = (d == 0 && h % 100 == 0) ? -9999.0f : (h >> 8) * (100.0f / 16777216.0f);
    }
  }
  unsigned s = 12345;
  for (int i = 0; i < H * D; i++) { s = s * 1664525u + 1013904223u; W1[i] = (s >> 8) * (2.0f / 16777216.0f) - 1.0f; }
  for (int i = 0; i < K * H; i++) { s = s * 1664525u + 1013904223u; W2[i] = (s >> 8) * (2.0f / 16777216.0f) - 1.0f; }
  for (int i = 0; i < H; i++) b1[i] = 0.1f * (i % 3);
  for (int i = 0; i < K; i++) b2[i] = 0.1f * i;
  double best = 1e30, bestCpu = 1e30;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
    if (blocked) run_blocked(X, O, n);
    else run_scalar(X, O, n);
    double w = now(CLOCK_MONOTONIC) - t0, c = now(CLOCK_THREAD_CPUTIME_ID) - c0;
    if (w < best) best = w;
    if (c < bestCpu) bestCpu = c;
  }
  double chk = 0;
  for (size_t i = 0; i < n; i += 997) {
    unsigned u;
    memcpy(&u, &O[i], 4);
    if ((u & 0x7fffffffu) <= 0x7f800000u) chk += O[i];
  }
#ifdef __FAST_MATH__
  int fast = 1;
#else
  int fast = 0;
#endif
  printf("{\"impl\":\"%s\",\"size\":%zu,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"mcells_per_s\":%.3f,\"cpu_mcells_per_s\":%.3f,\"checksum\":%.6f,\"fast_math\":%d}\n",
         blocked ? "c-blocked" : "c", size, best, bestCpu, n / best / 1e6, n / bestCpu / 1e6, chk, fast);
  return 0;
}
