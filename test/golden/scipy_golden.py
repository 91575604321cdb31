"""Generates scipy golden values for test/stats (Ward linkage, distributions) and an
independent numpy GWR reference run on the Georgia data.

    python3 test/golden/scipy_golden.py     (from the project root; scipy 1.17.1, numpy 2.4)

Python is NOT needed in CI: scipy_golden.json is committed next to this script.

- ward: scipy.cluster.hierarchy.linkage(X, method='ward') on (a) Columbus CRIME, HOVAL, INC
  z-scored with ddof=1, (b) the same raw, (c) 80 seeded random points in 4 dimensions, and
  fcluster(Z, k, 'maxclust') partitions.
- dist: norm.sf, t.sf, f.sf, ncf.sf, chi2.sf at fixed points.
- gwr: a direct numpy evaluation of the GWR formulas (mgwr/GWR4 conventions: adaptive
  bisquare, bandwidth = distance to the bw-th nearest point incl. itself * 1.0000001) at given
  bandwidths; the bandwidths themselves (93, 117, 211020.83) are mgwr's published test values.
"""
import csv
import json
import os

import numpy as np
from scipy import stats
from scipy.cluster.hierarchy import fcluster, linkage

HERE = os.path.dirname(os.path.abspath(__file__))


def read_csv(name):
    with open(os.path.join(HERE, name), newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


out = {"scipy_version": __import__("scipy").__version__, "numpy_version": np.__version__}

# ---- Ward ----------------------------------------------------------------------------------
col = read_csv("columbus.csv")
Xc = np.array([[float(r["CRIME"]), float(r["HOVAL"]), float(r["INC"])] for r in col])
Xz = (Xc - Xc.mean(axis=0)) / Xc.std(axis=0, ddof=1)
rng = np.random.default_rng(20261122)
Xr = rng.normal(size=(80, 4))
ward = {}
for name, X in [("columbus_z", Xz), ("columbus_raw", Xc), ("random80x4", Xr)]:
    Z = linkage(X, method="ward")
    ward[name] = {
        "X": X.tolist() if name == "random80x4" else None,
        "Z": [[int(a), int(b), repr(float(h)), int(s)] for a, b, h, s in Z],
        "fcluster4": fcluster(Z, 4, "maxclust").tolist(),
    }
out["ward"] = ward

# ---- distributions -------------------------------------------------------------------------
d = {}
d["norm_sf"] = [[z, repr(float(stats.norm.sf(z)))] for z in [-3.0, -1.0, 0.0, 0.5, 1.6448536269514722, 1.959963984540054, 2.5758293035489, 5.0, 8.0, 12.0]]
d["t_sf"] = [[t, nu, repr(float(stats.t.sf(t, nu)))] for t, nu in [(0.5, 3), (2.0, 5), (2.262, 9), (3.5, 17.3), (10.0, 2), (1.0, 100), (-1.5, 7)]]
d["f_sf"] = [[f, a, b, repr(float(stats.f.sf(f, a, b)))] for f, a, b in [(1.0, 2, 10), (3.5, 3, 20), (10.0, 5, 50), (0.2, 7, 7), (2.5, 18, 18), (40.0, 1, 3)]]
d["ncf_sf"] = [[f, a, b, lam, repr(float(stats.ncf.sf(f, a, b, lam)))] for f, a, b, lam in [(2.0, 3, 15, 1.5), (5.0, 4, 14, 12.0), (1.0, 2, 16, 0.3), (8.0, 6, 12, 60.0), (30.0, 8, 10, 200.0), (0.5, 1, 17, 4.0)]]
d["chi2_sf"] = [[x, k, repr(float(stats.chi2.sf(x, k)))] for x, k in [(3.84, 1), (10.0, 4), (0.5, 2), (50.0, 30), (100.0, 10)]]
out["dist"] = d

# ---- GWR (numpy, direct formulas) ----------------------------------------------------------
g = read_csv("georgia.csv")
coords = np.array([[float(r["X"]), float(r["Y"])] for r in g])
y = np.array([float(r["PctBach"]) for r in g])
D = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1))


def gwr(cols, bw, kernel="bisquare", fixed=False):
    n = len(y)
    X = np.column_stack([np.ones(n)] + [np.array([float(r[c]) for r in g]) for c in cols])
    p = X.shape[1]
    params = np.zeros((n, p))
    S = np.zeros((n, n))
    for i in range(n):
        d = D[i]
        b = bw if fixed else np.sort(d)[int(bw) - 1] * 1.0000001
        t = d / b
        if kernel == "bisquare":
            w = np.where(d < b, (1 - t**2) ** 2, 0.0)
        else:
            w = np.exp(-0.5 * t**2)
        XtW = X.T * w
        A = np.linalg.inv(XtW @ X)
        params[i] = A @ XtW @ y
        S[i] = X[i] @ A @ XtW
    yhat = (X * params).sum(1)
    rss = float(((y - yhat) ** 2).sum())
    trS = float(np.trace(S))
    aicc = n * np.log(2 * np.pi * rss / n) + n * (n + trS) / (n - 2 - trS)
    r2 = 1 - rss / float(((y - y.mean()) ** 2).sum())
    return {"bandwidth": bw, "aicc": repr(float(aicc)), "trS": repr(trS), "rss": repr(rss), "r2": repr(float(r2)),
            "mean_params": [repr(float(v)) for v in params.mean(0)], "params_first3": [[repr(float(v)) for v in row] for row in params[:3]]}


out["gwr"] = {
    "rural_pov_black_adaptive_bisquare_93": gwr(["PctRural", "PctPov", "PctBlack"], 93),
    "rural_pov_black_adaptive_bisquare_90": gwr(["PctRural", "PctPov", "PctBlack"], 90),
    "rural_pov_black_fixed_bisquare_211020.83": gwr(["PctRural", "PctPov", "PctBlack"], 211020.83, fixed=True),
    "rural_pov_black_adaptive_gaussian_49": gwr(["PctRural", "PctPov", "PctBlack"], 49, kernel="gaussian"),
    "fb_black_rural_adaptive_bisquare_117": gwr(["PctFB", "PctBlack", "PctRural"], 117),
}

with open(os.path.join(HERE, "scipy_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
print("written", os.path.join(HERE, "scipy_golden.json"))
