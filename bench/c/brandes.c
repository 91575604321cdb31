/* Plain C Brandes betweenness + in/out closeness sums, for comparison with assembly/paths.ts.
 * Same graph generator as bench/paths.ts is NOT reproduced (different RNG): a seeded xorshift
 * random digraph with m distinct edges and weights in [1, 100). Dijkstra with an indexed binary
 * heap, predecessor test by exact equality, one core.
 *   gcc -O3 -march=native -o /tmp/brandes bench/c/brandes.c && /tmp/brandes 1000 50000
 * Prints one JSON line: {"impl":"c","nodes":n,"edges":m,"seconds":best of 5}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

static unsigned long long rs = 88172645463325252ULL;
static unsigned long long xr(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }
static double ur(void) { return (xr() >> 11) * (1.0 / 9007199254740992.0); }

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000, m = argc > 2 ? atoi(argv[2]) : 50000;
  char *adj = calloc((size_t)n * n, 1);
  int *ea = malloc(m * sizeof(int)), *eb = malloc(m * sizeof(int));
  double *ew = malloc(m * sizeof(double));
  for (int k = 0; k < m;) {
    int a = (int)(ur() * n), b = (int)(ur() * n);
    if (a == b || adj[(size_t)a * n + b]) continue;
    adj[(size_t)a * n + b] = 1; ea[k] = a; eb[k] = b; ew[k] = 1 + 99 * ur(); k++;
  }
  int *off = calloc(n + 1, sizeof(int)), *tgt = malloc(m * sizeof(int)), *fill = malloc(n * sizeof(int));
  double *wt = malloc(m * sizeof(double));
  for (int e = 0; e < m; e++) off[ea[e] + 1]++;
  for (int v = 0; v < n; v++) off[v + 1] += off[v];
  memcpy(fill, off, n * sizeof(int));
  for (int e = 0; e < m; e++) { int p = fill[ea[e]]++; tgt[p] = eb[e]; wt[p] = ew[e]; }
  double *dist = malloc(n * 8), *sigma = malloc(n * 8), *delta = malloc(n * 8), *bc = malloc(n * 8);
  double *insum = malloc(n * 8), *outsum = malloc(n * 8), *hk = malloc(n * 8);
  int *stack = malloc(n * 4), *hn = malloc(n * 4), *pos = malloc(n * 4), *inr = malloc(n * 4), *outr = malloc(n * 4);
  double best = 1e30, bestcpu = 1e30;
  for (int rep = 0; rep < 5; rep++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_t c0 = clock();
    memset(bc, 0, n * 8); memset(insum, 0, n * 8); memset(inr, 0, n * 4);
    for (int v = 0; v < n; v++) { dist[v] = INFINITY; pos[v] = -1; }
    for (int s = 0; s < n; s++) {
      int cnt = 0, hs = 1;
      dist[s] = 0; sigma[s] = 1; hk[0] = 0; hn[0] = s; pos[s] = 0;
      while (hs > 0) {
        int v = hn[0]; pos[v] = -1; hs--;
        if (hs > 0) {
          double lk = hk[hs]; int ln = hn[hs], i = 0;
          for (;;) {
            int c = 2 * i + 1; if (c >= hs) break;
            if (c + 1 < hs && hk[c + 1] < hk[c]) c++;
            if (!(hk[c] < lk)) break;
            hk[i] = hk[c]; hn[i] = hn[c]; pos[hn[c]] = i; i = c;
          }
          hk[i] = lk; hn[i] = ln; pos[ln] = i;
        }
        stack[cnt++] = v;
        double dv = dist[v], sv = sigma[v];
        for (int e = off[v]; e < off[v + 1]; e++) {
          int w = tgt[e]; double nd = dv + wt[e];
          if (nd < dist[w]) {
            dist[w] = nd; sigma[w] = sv;
            int i = pos[w]; if (i < 0) i = hs++;
            while (i > 0) { int p = (i - 1) >> 1; if (!(nd < hk[p])) break; hk[i] = hk[p]; hn[i] = hn[p]; pos[hn[p]] = i; i = p; }
            hk[i] = nd; hn[i] = w; pos[w] = i;
          } else if (nd == dist[w]) sigma[w] += sv;
        }
      }
      double tot = 0;
      for (int i = 1; i < cnt; i++) { int v = stack[i]; tot += dist[v]; insum[v] += dist[v]; inr[v]++; }
      outsum[s] = tot; outr[s] = cnt - 1;
      for (int i = cnt - 1; i >= 0; i--) {
        int v = stack[i]; double dv = dist[v], acc = 0;
        for (int e = off[v]; e < off[v + 1]; e++) { int w = tgt[e]; if (dist[w] == dv + wt[e]) acc += delta[w]; }
        double d = sigma[v] * acc;
        if (v != s) bc[v] += d;
        delta[v] = (1 + d) / sigma[v];
      }
      for (int i = 0; i < cnt; i++) dist[stack[i]] = INFINITY;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    if (sec < best) best = sec;
    if (cpu < bestcpu) bestcpu = cpu;
  }
  double chk = 0; for (int v = 0; v < n; v++) chk += bc[v] + insum[v] + outsum[v];
  printf("{\"impl\":\"c\",\"nodes\":%d,\"edges\":%d,\"seconds\":%.4f,\"cpu_seconds\":%.4f,\"checksum\":%.6g}\n", n, m, best, bestcpu, chk);
  return 0;
}
