/* Plain C loop of the same CA rule as assembly/ca.ts (one synchronous iteration, K = 6, 3x3,
 * ~1 % NoData), the reference point for bench/ca.ts: "WASM >= 0.8x a plain C loop".
 *   gcc -O3 -march=native -o /tmp/ca_baseline bench/ca_baseline.c && /tmp/ca_baseline 4096 patchy [seed]
 * Inputs are the ones bench/ca.ts (fillInputs) generates for the same size, pattern and seed
 * (default 20261122, the bench's): patchy = 32x32 blocks of one class + 3 % random cells,
 * random = independent class per cell; the same coefficients (w_k = 1 - k / 12, inertia 1, all
 * conversions allowed) and the same random numbers (assembly/rng.ts), so the proposals, keys
 * and "changes" equal the kernel's for the same iteration (repeat r = iteration r, as in the
 * bench). The rule: counts of the 8 neighbours (NoData and out-of-raster not counted),
 * TP_k = (sp_k * cnt_k) * coef[c][k], cumulative sums, roulette target = u * S, first k whose
 * cumulative sum exceeds it; key = float32 bits of sp_k / sp_c for a conversion. A plain loop:
 * no shortcut for uniform windows, no explicit SIMD (gcc may vectorise what it can).
 * Prints Mcells/s by wall clock and by process CPU time (best of 3), the number of proposed
 * conversions and a checksum of iteration 0's output. Not part of the build. */
/* the rule has no fused multiply-add (neither has WebAssembly): keep gcc from contracting a * b + c */
#pragma GCC optimize("fp-contract=off")
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#define G 0x9E3779B97F4A7C15ULL
static inline uint64_t mix64(uint64_t z) { z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL; z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL; return z ^ (z >> 31); }
static inline uint64_t rng_key(uint64_t seed, uint64_t stream) { return mix64(seed ^ mix64(stream + G)); }
static inline uint32_t rng_u32(uint64_t key, uint64_t i) { return (uint32_t)(mix64(key + i * G) >> 32); }
static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  int S = argc > 1 ? atoi(argv[1]) : 4096; int random = argc > 2 && !strcmp(argv[2], "random");
  uint64_t seed = argc > 3 ? strtoull(argv[3], 0, 10) : 20261122ULL;
  const int K = 6; size_t C = (size_t)S * S;
  uint8_t *cur = malloc(C), *prop = malloc(C); float *sp = malloc(C * K * 4); uint32_t *key = calloc(C, 4); double coef[36];
  for (int c = 0; c < K; c++) for (int k = 0; k < K; k++) coef[c * K + k] = ((1.0 - (double)k / (2 * K)) / 8.0) * 1.0; /* caCoef(K, 3, w, 1, 1) */
  uint64_t kin = rng_key(seed, 12345);
  for (size_t i = 0; i < C; i++) {
    uint32_t r = rng_u32(kin, i); size_t y = i / S, x = i % S;
    if (r % 100 == 0) { cur[i] = 255; continue; }
    int noise = random || (r >> 8) % 100 < 3;
    cur[i] = noise ? (uint8_t)((r >> 16) % K) : (uint8_t)(rng_u32(kin, (1ULL << 40) + ((y >> 5) * 65536 + (x >> 5))) % K);
  }
  for (int k = 0; k < K; k++) for (size_t i = 0; i < C; i++) {
    double v = (double)i * 2654435761.0 + (double)k * 40503.0; /* as the bench's JS doubles */
    sp[k * C + i] = (float)((double)((uint64_t)v & 0xFFFFFFFFULL) / 4294967296.0 * 0.9 + 0.05); /* >>> 0 of an integer < 2^63 */
  }
  double bw = 1e9, bc = 1e9; long ch0 = 0; uint64_t sum0 = 0;
  for (int rep = 0; rep < 3; rep++) {
    uint64_t kd = rng_key(seed, (uint64_t)rep);
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID); long ch = 0;
    for (int y = 0; y < S; y++) for (int x = 0; x < S; x++) {
      size_t i = (size_t)y * S + x; int c = cur[i];
      if (c == 255) { prop[i] = 255; continue; }
      int cnt[8] = {0};
      for (int dy = -1; dy <= 1; dy++) { int yy = y + dy; if (yy < 0 || yy >= S) continue;
        for (int dx = -1; dx <= 1; dx++) { int xx = x + dx; if (xx < 0 || xx >= S || (dx == 0 && dy == 0)) continue;
          int v = cur[(size_t)yy * S + xx]; if (v < K) cnt[v]++; } }
      double s = 0, cum[8];
      for (int k = 0; k < K; k++) { s += (double)sp[k * C + i] * (double)cnt[k] * coef[c * K + k]; cum[k] = s; }
      int chosen = c;
      if (s > 0) { double t = (double)(mix64(kd + i * G) >> 11) * 1.1102230246251565e-16 * s;
        int j = 0; for (int k = 0; k < K; k++) j += cum[k] <= t; chosen = j < K - 1 ? j : K - 1; }
      prop[i] = chosen;
      if (chosen != c) { float pr = (float)((double)sp[chosen * C + i] / (double)sp[c * C + i]); memcpy(&key[i], &pr, 4); ch++; }
    }
    double w = now(CLOCK_MONOTONIC) - w0, cp = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (w < bw) bw = w;
    if (cp < bc) bc = cp;
    if (rep == 0) { /* checksum of iteration 0 (compare with bench/numpy_ca.py): sum (prop + 256 * key where changed) * (i + 1) mod 2^64 */
      ch0 = ch;
      for (size_t i = 0; i < C; i++) sum0 += ((uint64_t)prop[i] + (prop[i] != cur[i] ? 256ULL * key[i] : 0)) * (i + 1);
    }
  }
  printf("{\"size\":%d,\"pattern\":\"%s\",\"impl\":\"c\",\"mcells_per_s\":%.1f,\"cpu_mcells_per_s_per_core\":%.1f,\"changes\":%ld,\"checksum\":\"%016llx\"}\n", S, random ? "random" : "patchy", C / bw / 1e6, C / bc / 1e6, ch0, (unsigned long long)sum0);
  return 0;
}
