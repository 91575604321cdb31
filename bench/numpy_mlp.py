#!/usr/bin/env python3
"""Vectorised numpy version of the 12-16-6 MLP forward pass of bench/c/mlp.c (min-max
normalisation, NoData test, sigmoid hidden layer, max-subtracted softmax, float32): the "numpy"
reference point for bench/mlp.ts. A benchmark reference only (not used by the build, CI or tests).

    OPENBLAS_NUM_THREADS=1 python3 bench/numpy_mlp.py --size 4096 [--repeats 3] [--chunk 4096]

Same inputs as bench/c/mlp.c (driver planes from the multiplicative hash, ~1 % NoData in driver
0, weights from the same LCG), so the checksum (sum of output band 0 over every 997th cell, NaN
skipped) matches the C program's up to float rounding. The cells are processed in chunks of
--chunk cells (two float32 matrix products through numpy's BLAS, np.exp, whole-chunk array
operations; chunks keep the temporaries in cache-sized pieces). One thread (set
OPENBLAS_NUM_THREADS=1; bench/mlp.ts does). Data generation is not timed. Prints one JSON line:
Mcells/s by wall clock (best repeat) and by process CPU time.
"""
import argparse
import json
import time

import numpy as np

D, H, K = 12, 16, 6


def lcg_weights(count, s):
    out = np.empty(count, dtype=np.float32)
    for i in range(count):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = np.float32(np.float32(s >> 8) * np.float32(2.0 / 16777216.0) - np.float32(1.0))
    return out, s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=4096)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--chunk', type=int, default=4096)
    a = ap.parse_args()
    n = a.size * a.size
    i = np.arange(n, dtype=np.uint32)
    X = np.empty((D, n), dtype=np.float32)
    for d in range(D):
        h = (i * np.uint32(2654435761) + np.uint32(d * 40503)).astype(np.uint32)
        X[d] = (h >> np.uint32(8)).astype(np.float32) * np.float32(100.0 / 16777216.0)
        if d == 0:
            X[d][h % 100 == 0] = -9999.0
    del i
    W1, s = lcg_weights(H * D, 12345)
    W2, s = lcg_weights(K * H, s)
    W1 = W1.reshape(H, D)
    W2 = W2.reshape(K, H)
    b1 = (np.float32(0.1) * (np.arange(H) % 3)).astype(np.float32)
    b2 = (np.float32(0.1) * np.arange(K)).astype(np.float32)
    mn = np.zeros(D, dtype=np.float32)
    sc = np.full(D, 1.0 / 100.0, dtype=np.float32)
    nd = np.full(D, -9999.0, dtype=np.float32)
    O = np.empty((K, n), dtype=np.float32)
    best = cpu_best = float('inf')
    np.seterr(over='ignore')  # exp(-u) of NoData cells overflows to inf: y = 0, masked anyway
    for _ in range(a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for s0 in range(0, n, a.chunk):
            x = X[:, s0:s0 + a.chunk]
            bad = np.any((x == nd[:, None]) | np.isnan(x), axis=0)
            xn = (x - mn[:, None]) * sc[:, None]
            u = W1 @ xn + b1[:, None]
            y = np.float32(1.0) / (np.float32(1.0) + np.exp(-u))
            z = W2 @ y + b2[:, None]
            e = np.exp(z - z.max(axis=0))
            p = e / e.sum(axis=0)
            p[:, bad] = np.nan
            O[:, s0:s0 + a.chunk] = p
        w, c = time.perf_counter() - t0, time.process_time() - c0
        best, cpu_best = min(best, w), min(cpu_best, c)
    o0 = O[0, ::997]
    chk = float(np.sum(o0[~np.isnan(o0)], dtype=np.float64))
    print(json.dumps({'impl': 'numpy', 'size': a.size, 'seconds': round(best, 6), 'cpu_seconds': round(cpu_best, 6),
                      'mcells_per_s': round(n / best / 1e6, 3), 'cpu_mcells_per_s': round(n / cpu_best / 1e6, 3),
                      'checksum': round(chk, 6), 'numpy': np.__version__, 'chunk': a.chunk}))


if __name__ == '__main__':
    main()
