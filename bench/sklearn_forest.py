#!/usr/bin/env python3
"""scikit-learn reference for bench/forest.ts: trains RandomForestClassifier(n_estimators=T,
max_features=floor(sqrt(D)), min_samples_leaf=1, n_jobs=1, random_state=0) on the sample
bench/forest.ts wrote (--dir: X.f32 row-major float32, y.u8), then times predict_proba on size^2
cells whose drivers come from the same multiplicative hash as bench/forest.ts (no NoData:
scikit-learn rejects NaN). Data generation and training are not timed. Prints one JSON line:
Mcells/s by wall clock and by process CPU time (best repeat). A benchmark reference only.

    /usr/bin/python3 bench/sklearn_forest.py --dir D --size 4096 --trees 20 --D 8
"""
import argparse
import json
import math
import os
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dir', required=True)
    ap.add_argument('--size', type=int, default=4096)
    ap.add_argument('--trees', type=int, default=20)
    ap.add_argument('--D', type=int, default=8)
    ap.add_argument('--repeats', type=int, default=1)
    a = ap.parse_args()
    D = a.D
    X = np.fromfile(os.path.join(a.dir, 'X.f32'), dtype='<f4').reshape(-1, D)
    y = np.fromfile(os.path.join(a.dir, 'y.u8'), dtype=np.uint8)
    rf = RandomForestClassifier(n_estimators=a.trees, max_features=max(1, int(math.sqrt(D))), min_samples_leaf=1, n_jobs=1, random_state=0)
    rf.fit(X, y)
    n = a.size * a.size
    i = np.arange(n, dtype=np.uint32)
    P = np.empty((n, D), dtype=np.float32)
    for d in range(D):
        h = (i * np.uint32(2654435761) + np.uint32(d * 40503)).astype(np.uint32)
        P[:, d] = (h >> np.uint32(8)).astype(np.float32) * np.float32(100.0 / 16777216.0)
    del i
    best, best_cpu = math.inf, math.inf
    for _ in range(a.repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        p = rf.predict_proba(P)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(json.dumps({
        'impl': 'sklearn', 'sklearn': sklearn.__version__, 'size': a.size, 'trees': a.trees, 'D': D,
        'mcells_per_s': n / best / 1e6, 'cpu_mcells_per_s': n / best_cpu / 1e6, 'seconds': best,
        'checksum': float(p[::997, 1].sum()),
    }))


if __name__ == '__main__':
    main()
