/* Plain C loop of the same CA rule as assembly/ca.ts (one synchronous iteration, K = 6, 3x3,
 * ~1 % NoData), the reference point for bench/ca.ts: "WASM >= 0.8x a plain C loop".
 *   gcc -O3 -march=native -o /tmp/ca_baseline bench/ca_baseline.c && /tmp/ca_baseline 4096 patchy
 * pattern: patchy = 32x32 blocks of one class; random = independent class per cell.
 * Prints Mcells/s by wall clock and by process CPU time (best of 3). Not part of the build. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
static inline uint64_t mix64(uint64_t z) { z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL; z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL; return z ^ (z >> 31); }
static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  int S = argc > 1 ? atoi(argv[1]) : 4096; int random = argc > 2 && !strcmp(argv[2], "random");
  const int K = 6; size_t C = (size_t)S * S;
  uint8_t *cur = malloc(C), *prop = malloc(C); float *sp = malloc(C * K * 4); uint32_t *key = malloc(C * 4); double coef[36];
  for (int i = 0; i < 36; i++) coef[i] = 0.1;
  for (size_t i = 0; i < C; i++) { uint64_t r = mix64(i); cur[i] = r % 100 == 0 ? 255 : random ? (uint8_t)((r >> 20) % K) : (uint8_t)((((i / S) >> 5) ^ ((i % S) >> 5)) % K); }
  for (size_t i = 0; i < C * K; i++) sp[i] = (float)((i * 2654435761u) % 1000) / 1000.f;
  uint64_t kd = mix64(1234 ^ mix64(0x9E3779B97F4A7C15ULL)), kp = mix64(1234 ^ mix64((1ULL << 32) + 0x9E3779B97F4A7C15ULL));
  double bw = 1e9, bc = 1e9; long ch = 0;
  for (int rep = 0; rep < 3; rep++) {
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID); ch = 0;
    for (int y = 0; y < S; y++) for (int x = 0; x < S; x++) {
      size_t i = (size_t)y * S + x; int c = cur[i];
      if (c == 255) { prop[i] = 255; continue; }
      int cnt[8] = {0};
      for (int dy = -1; dy <= 1; dy++) { int yy = y + dy; if (yy < 0 || yy >= S) continue;
        for (int dx = -1; dx <= 1; dx++) { int xx = x + dx; if (xx < 0 || xx >= S || (dx == 0 && dy == 0)) continue;
          int v = cur[(size_t)yy * S + xx]; if (v < K) cnt[v]++; } }
      double s = 0, cum[8], tp[8];
      for (int k = 0; k < K; k++) { tp[k] = sp[k * C + i] * (double)cnt[k] * coef[c * K + k]; s += tp[k]; cum[k] = s; }
      int chosen = c;
      if (s > 0) { double t = (double)(mix64(kd + i * 0x9E3779B97F4A7C15ULL) >> 11) * 1.1102230246251565e-16 * s;
        int j = 0; for (int k = 0; k < K; k++) j += cum[k] <= t; chosen = j < K - 1 ? j : K - 1; }
      prop[i] = chosen;
      if (chosen != c) { float pr = (float)((1.0 - (double)(mix64(kp + i * 0x9E3779B97F4A7C15ULL) >> 11) * 1.1102230246251565e-16) / tp[chosen]);
        memcpy(&key[i], &pr, 4); ch++; }
    }
    double w = now(CLOCK_MONOTONIC) - w0, cp = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (w < bw) bw = w; if (cp < bc) bc = cp;
  }
  printf("{\"size\":%d,\"pattern\":\"%s\",\"impl\":\"c\",\"mcells_per_s\":%.1f,\"cpu_mcells_per_s_per_core\":%.1f,\"changes\":%ld}\n", S, random ? "random" : "patchy", C / bw / 1e6, C / bc / 1e6, ch);
  return 0;
}
