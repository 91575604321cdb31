"""numpy reference for `landcarbon bench zonal` (benchmark only; not used by the build or tests).

Same case as bench/c/zonal.c: u16 zones (2000 units, NoData 0 on ~1 % of cells), u8 classes
1..7 in 16 x 16 patches (NoData 255), one f32 value raster; counts and f64 sums per
(zone, class) by look-up tables and numpy.bincount with weights.
    python3 bench/numpy_zonal.py --size 8192
Prints one JSON line with the best of 5 (wall clock, one thread).
"""
import argparse
import json
import time

import numpy as np


def data(size):
    r = np.arange(size, dtype=np.int64)[:, None]
    col = np.arange(size, dtype=np.int64)[None, :]
    zone = 1 + (((r * 40) // size) * 50 + (col * 50) // size) % 2000
    i = (r * size + col).astype(np.uint32)
    h = ((i ^ np.uint32(0x9E3779B9)) * np.uint32(0x85EBCA6B)).astype(np.uint32)
    zone = np.where(h % 100 == 0, 0, zone).astype(np.uint16)
    cls = np.where(zone == 0, 255, 1 + (((r >> 4) * 31 + (col >> 4) * 17) % 7)).astype(np.uint8)
    val = ((h >> 8).astype(np.float32) / np.float32(65536.0))
    return zone.ravel(), cls.ravel(), val.ravel()


def zonal(z, c, v, zl, cl, nbins):
    a = zl[z]
    b = cl[c]
    ok = (a | b) >= 0
    bins = (a + b)[ok]
    counts = np.bincount(bins, minlength=nbins)
    sums = np.bincount(bins, weights=v[ok].astype(np.float64), minlength=nbins)
    return counts, sums


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=8192)
    ap.add_argument('--repeats', type=int, default=5)
    o = ap.parse_args()
    z, c, v = data(o.size)
    zl = np.full(65536, -1, dtype=np.int32)
    zl[1:2001] = np.arange(2000, dtype=np.int32) * 7
    cl = np.full(256, -1, dtype=np.int32)
    cl[1:8] = np.arange(7, dtype=np.int32)
    best = float('inf')
    for _ in range(o.repeats):
        t0 = time.perf_counter()
        counts, _ = zonal(z, c, v, zl, cl, 14000)
        best = min(best, time.perf_counter() - t0)
    n = o.size * o.size
    print(json.dumps({'impl': 'numpy', 'numpy': np.__version__, 'size': o.size, 'seconds': best,
                      'mcells_per_s': n / best / 1e6, 'cells_counted': int(counts.sum())}))


if __name__ == '__main__':
    main()
