#!/usr/bin/env python3
"""Vectorised numpy version of the CA step of bench/ca_baseline.c (one synchronous FLUS iteration,
K = 6, 3x3, ~1 % NoData): the "numpy" reference point for bench/ca.ts ("WASM >= 8x numpy").
A benchmark reference only (not used by the build, CI or the tests).

    python3 bench/numpy_ca.py --size 4096 --pattern random [--seed 20261122] [--repeats 3] [--chunk 32]

Same inputs as bench/ca.ts and bench/ca_baseline.c (fillInputs: patchy = 32x32 blocks of one
class + 3 % random cells, random = independent class per cell; w_k = 1 - k / 12, inertia 1, all
conversions allowed), the same random numbers (assembly/rng.ts: SplitMix64 on uint64, wrapping)
and the same rule and arithmetic order, so "changes" and "checksum" (iteration 0) equal
ca_baseline's: counts of the 8 neighbours (NoData and out-of-raster not counted), TP_k =
(f64(sp_k) * cnt_k) * coef[c][k], S = TP_0 + ... + TP_5 left to right, target = u * S, proposed
class = number of k with cum_k <= target (at most K - 1) when S > 0, key = float32(sp_k / sp_c).
Repeat r is iteration r (as in the bench). The step is computed in strips of --chunk rows (all
array operations inside a strip are whole-strip numpy operations; strips keep the temporaries in
cache-sized pieces, which is faster than whole-raster arrays). Data generation is not timed.
Prints one JSON line: Mcells/s by wall clock (best repeat) and by process CPU time.
"""
import argparse
import json
import time

import numpy as np

U = np.uint64
G = U(0x9E3779B97F4A7C15)
M1 = U(0xBF58476D1CE4E5B9)
M2 = U(0x94D049BB133111EB)
K = 6
NODATA = 255


def mix64(z):
    """SplitMix64 finaliser on a uint64 array (or scalar), wrapping mod 2^64."""
    z = (z ^ (z >> U(30))) * M1
    z = (z ^ (z >> U(27))) * M2
    return z ^ (z >> U(31))


def rng_key(seed, stream):
    with np.errstate(over='ignore'):
        return mix64(U(seed) ^ mix64(U(stream) + G))


def fill_inputs(size, seed, pattern):
    """bench/ca.ts fillInputs: class map (255 = NoData) and K float32 planes."""
    n = size * size
    key = rng_key(seed, 12345)
    i = np.arange(n, dtype=np.uint64)
    r = (mix64(key + i * G) >> U(32)).astype(np.uint32)
    y, x = np.divmod(np.arange(n, dtype=np.int64), size)
    patch_idx = (U(1) << U(40)) + ((y >> 5) * 65536 + (x >> 5)).astype(np.uint64)
    patch = ((mix64(key + patch_idx * G) >> U(32)) % U(K)).astype(np.uint8)
    noise = np.ones(n, bool) if pattern == 'random' else ((r >> 8) % 100) < 3
    cur = np.where(noise, ((r >> 16) % K).astype(np.uint8), patch)
    cur[r % 100 == 0] = NODATA
    sp = np.empty((K, n), np.float32)
    fi = np.arange(n, dtype=np.float64)
    for k in range(K):
        v = fi * 2654435761.0 + k * 40503.0  # JS doubles, then >>> 0 (v is an integer < 2^63)
        sp[k] = ((v.astype(np.uint64) & U(0xFFFFFFFF)).astype(np.float64) / 4294967296.0 * 0.9 + 0.05).astype(np.float32)
    return cur.reshape(size, size), sp.reshape(K, size, size)


def coef_matrix():
    w = [1 - k / (2 * K) for k in range(K)]
    return np.array([[(w[k] / 8) * 1.0 for k in range(K)] for _ in range(K)], np.float64)  # caCoef(K, 3, w, 1, 1)


def ca_step(cur, sp, coef, kdraw, prop, key, chunk):
    """One iteration: fills prop (and key where prop != cur); returns the number of conversions."""
    H, W = cur.shape
    changes = 0
    coef_t = [np.ascontiguousarray(coef[:, k]) for k in range(K)]  # coef_t[k][c] = coef[c][k]
    for r0 in range(0, H, chunk):
        r1 = min(H, r0 + chunk)
        n = r1 - r0
        a, b = max(0, r0 - 1), min(H, r1 + 1)
        win = np.full((b - a + 2, W + 2), NODATA, np.uint8)  # one cell of NoData padding around
        win[1:-1, 1:-1] = cur[a:b]
        o = r0 - a + 1  # row of r0 in win
        c = win[o:o + n, 1:-1]
        valid = c != NODATA
        cc = np.where(valid, c, 0).astype(np.intp)
        s = np.zeros(c.shape, np.float64)
        cums = []
        for k in range(K):
            eq = (win == k).view(np.uint8)
            up, mid, dn = eq[o - 1:o - 1 + n], eq[o:o + n], eq[o + 1:o + 1 + n]
            cnt = up[:, :-2] + up[:, 1:-1] + up[:, 2:] + mid[:, :-2] + mid[:, 2:] + dn[:, :-2] + dn[:, 1:-1] + dn[:, 2:]
            tp = sp[k, r0:r1].astype(np.float64)
            tp *= cnt
            tp *= coef_t[k].take(cc)
            s = s + tp
            cums.append(s)
        idx = np.arange(r0 * W, r1 * W, dtype=np.uint64).reshape(n, W)
        u = (mix64(kdraw + idx * G) >> U(11)).astype(np.float64)
        u *= 1.1102230246251565e-16
        t = u
        t *= s  # u * S
        j = np.zeros(c.shape, np.int8)
        for k in range(K):
            j += cums[k] <= t
        np.minimum(j, K - 1, out=j)
        out = np.where(valid & (s > 0), j.astype(np.uint8), c)  # NoData keeps 255
        prop[r0:r1] = out
        changed = out != c
        pk = np.zeros(c.shape, np.float32)
        pc = np.zeros(c.shape, np.float32)
        for k in range(K):
            np.copyto(pk, sp[k, r0:r1], where=out == k)
            np.copyto(pc, sp[k, r0:r1], where=c == k)
        ratio = (pk.astype(np.float64) / pc).astype(np.float32).view(np.uint32)
        np.copyto(key[r0:r1], ratio, where=changed)
        changes += int(np.count_nonzero(changed))
    return changes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--size', type=int, default=4096)
    ap.add_argument('--pattern', choices=['patchy', 'random'], default='patchy')
    ap.add_argument('--seed', type=int, default=20261122)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--chunk', type=int, default=32, help='rows per strip')
    o = ap.parse_args()
    cur, sp = fill_inputs(o.size, o.seed, o.pattern)
    coef = coef_matrix()
    prop = np.empty_like(cur)
    key = np.zeros(cur.shape, np.uint32)
    best_w = best_c = float('inf')
    changes0 = checksum0 = None
    with np.errstate(invalid='ignore', divide='ignore'):
        for rep in range(o.repeats):
            kdraw = rng_key(o.seed, rep)
            w0, c0 = time.perf_counter(), time.process_time()
            ch = ca_step(cur, sp, coef, kdraw, prop, key, o.chunk)
            w, c = time.perf_counter() - w0, time.process_time() - c0
            best_w, best_c = min(best_w, w), min(best_c, c)
            if rep == 0:
                changes0 = ch
                i1 = np.arange(1, cur.size + 1, dtype=np.uint64)
                v = prop.ravel().astype(np.uint64) + np.where(prop.ravel() != cur.ravel(), U(256) * key.ravel().astype(np.uint64), U(0))
                with np.errstate(over='ignore'):
                    checksum0 = int(np.sum(v * i1, dtype=np.uint64))
    n = o.size * o.size
    print(json.dumps({
        'size': o.size, 'pattern': o.pattern, 'impl': 'numpy', 'numpy': np.__version__,
        'mcells_per_s': round(n / best_w / 1e6, 2), 'cpu_mcells_per_s_per_core': round(n / best_c / 1e6, 2),
        'seconds': round(best_w, 4), 'changes': changes0, 'checksum': f'{checksum0:016x}',
    }))


if __name__ == '__main__':
    main()
