/* Plain C zonal sums, for comparison with assembly/zonal.ts (`landcarbon bench zonal`).
 * Same case as bench/data.ts zonalBenchData (u16 zones as a 40 x 50 grid of rectangles over 2000
 * units, zone NoData 0 on ~1 % of cells by the same hash, u8 classes 1..7 in 16 x 16 patches
 * (a different patch pattern: no shared RNG), class NoData 255, f32 values): bins by look-up
 * tables, counts and f64 sums, one loop, no NaN/NoData test on values (the bench has none).
 *   gcc -O3 -march=native -o /tmp/zonal_c bench/c/zonal.c && /tmp/zonal_c 8192
 * Prints one JSON line: {"impl":"c","size":N,"seconds":best CPU time of 5,"mcells_per_s":...}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  int size = argc > 1 ? atoi(argv[1]) : 8192;
  size_t n = (size_t)size * size;
  uint16_t *z = malloc(n * 2);
  uint8_t *c = malloc(n);
  float *v = malloc(n * 4);
  int ny = 40, nx = 50;
  for (int r = 0; r < size; r++)
    for (int col = 0; col < size; col++) {
      size_t i = (size_t)r * size + col;
      int zone = 1 + (((r * ny) / size) * nx + (int)(((long)col * nx) / size)) % 2000;
      uint32_t h = (uint32_t)(((uint32_t)i ^ 0x9e3779b9u) * 0x85ebca6bu);
      if (h % 100 == 0) zone = 0;
      z[i] = (uint16_t)zone;
      c[i] = zone == 0 ? 255 : (uint8_t)(1 + (((r >> 4) * 31 + (col >> 4) * 17) % 7));
      v[i] = (float)(h >> 8) / 65536.0f;
    }
  static int32_t zl[65536], cl[256];
  for (int i = 0; i < 65536; i++) zl[i] = (i >= 1 && i <= 2000) ? (i - 1) * 7 : -1;
  for (int i = 0; i < 256; i++) cl[i] = (i >= 1 && i <= 7) ? i - 1 : -1;
  uint32_t *counts = calloc(14000, 4);
  double *sums = calloc(14000, 8);
  double best = 1e9;
  for (int rep = 0; rep < 5; rep++) {
    memset(counts, 0, 14000 * 4);
    memset(sums, 0, 14000 * 8);
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    for (size_t i = 0; i < n; i++) {
      int32_t a = zl[z[i]], b = cl[c[i]];
      if ((a | b) >= 0) {
        int bin = a + b;
        counts[bin]++;
        sums[bin] += v[i];
      }
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    if (s < best) best = s;
  }
  unsigned long check = 0;
  for (int b = 0; b < 14000; b++) check += counts[b];
  printf("{\"impl\":\"c\",\"size\":%d,\"seconds\":%.6f,\"mcells_per_s\":%.1f,\"cells_counted\":%lu}\n", size, best, n / best / 1e6, check);
  return 0;
}
