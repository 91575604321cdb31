#!/usr/bin/env python3
"""Suitability quality on dongguan (the official GeoSOS-FLUS V2.4 sample in ../shared/data), ours
against scikit-learn on the same kind of sample: per class, the AUC of the suitability plane p_k
(a) for presence of class k on the 2001 map (what FLUS's ANN is trained on) and (b) for change:
among unrestricted cells not of class k in 2001 whose conversion to k the FLUS sample's cost
matrix allows, do the cells that are k in 2006 score higher? (b) is what the allocation uses.
Cells where any driver is NoData are left out. scikit-learn models, 5 seeds each, trained on a
1 % sample per class (at least 300, as `landcarbon suitability --sampling uniform`), drivers
min-max normalised: MLPClassifier with our BP-ANN's settings (12 logistic hidden units, Adam
lr 0.01, batches of 32, at most 100 epochs, early stopping on 20 %, patience 10) and
RandomForestClassifier (50 trees); and LEAS-style binary forests (20 trees, per class: cells not
of class k in 2001, label = changed to k; 1 % of each stratum, at least 300). Our planes are
given with --ours (K-band GeoTIFFs from `landcarbon suitability --seed s` and `landcarbon plus
leas --seed s`). The hold-out cells are all cells outside each sample (the sample is 1 %).
Writes bench/results/dongguan-suitability.json. A benchmark reference, not a test.

    /usr/bin/python3 bench/dongguan_suitability.py --ours ann_s1.tif ... leas_s1.tif ...
"""
import os, sys, json, argparse
import numpy as np
from osgeo import gdal
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.ensemble import RandomForestClassifier
gdal.UseExceptions()
HERE = os.path.dirname(os.path.abspath(__file__))
D = os.path.join(HERE, '..', '..', 'shared', 'data', 'dongguan') + '/'
DRV = ['dem', 'slope', 'aspect', 'dist_city_center', 'dist_town', 'dist_highway', 'dist_road', 'dist_railway']
ALLOWED = np.array([[1,0,0,0,0],[0,1,0,0,0],[1,1,1,1,0],[1,0,1,1,0],[1,0,1,0,1]], bool)

def band(path, b=1):
    ds = gdal.Open(path); rb = ds.GetRasterBand(b); a = rb.ReadAsArray().ravel(); nd = rb.GetNoDataValue(); return a, nd

s, snd = band(D + 'landuse_2001.tif'); o, ond = band(D + 'landuse_2006.tif'); r, _ = band(D + 'restricted_area.tif')
valid = (s != snd) & (o != ond)
X = []
xok = np.ones(s.size, bool)
for d in DRV:
    a, nd = band(D + 'drivers/%s.tif' % d)
    ok = (a > -1e30) & np.isfinite(a)
    xok &= ok
    X.append(a.astype(np.float64))
X = np.stack(X, 1)
lo = np.array([X[xok & valid, j].min() for j in range(8)]); hi = np.array([X[xok & valid, j].max() for j in range(8)])
Xn = (X - lo) / np.where(hi > lo, hi - lo, 1)
cls = np.array([1, 2, 3, 4, 5])
vx = valid & xok
res = {'valid': int(valid.sum()), 'valid_with_drivers': int(vx.sum()), 'driver_holes_on_valid': int((valid & ~xok).sum()),
       'holes_changed': int((valid & ~xok & (s != o)).sum())}

def aucs(P):
    """P: (n, 5) suitability; returns presence AUC at 2001 and change AUC (allowed, unrestricted, not k at 2001) per class."""
    out = {'presence': [], 'change': []}
    for k in range(5):
        m = vx & np.isfinite(P[:, k])
        out['presence'].append(round(float(roc_auc_score(s[m] == cls[k], P[m, k])), 4))
        cidx = s - 1
        mm = m & (s != cls[k]) & (r == 1) & ALLOWED[np.clip(cidx, 0, 4), k]
        y = o[mm] == cls[k]
        out['change'].append(round(float(roc_auc_score(y, P[mm, k])), 4) if 0 < y.sum() < y.size else None)
    return out

def uniform_sample(seed, rate=0.01, minper=300):
    rng = np.random.default_rng(seed)
    idx = np.flatnonzero(vx)
    per = max(minper, int(rate * vx.sum() / 5))
    take = []
    for k in cls:
        ik = idx[s[idx] == k]
        take.append(rng.choice(ik, min(per, ik.size), replace=False))
    return np.concatenate(take)

ap = argparse.ArgumentParser(); ap.add_argument('--ours', nargs='*', default=[]); ap.add_argument('--seeds', type=int, default=5)
ap.add_argument('--rate', type=float, default=0.01)
a = ap.parse_args()
for path in a.ours:
    P = np.stack([band(path, b + 1)[0].astype(np.float64) for b in range(5)], 1)
    ds = gdal.Open(path); nd = ds.GetRasterBand(1).GetNoDataValue()
    if ds.GetRasterBand(1).DataType == gdal.GDT_UInt16: P = np.where(P == 65535, np.nan, P / 65535)
    res[os.path.basename(path)] = aucs(P)
# means over our seeds: files named <model>_s<seed>.tif
groups = {}
for path in a.ours:
    b = os.path.basename(path)
    if '_s' in b: groups.setdefault(b.rsplit('_s', 1)[0], []).append(res[b])
for g, per in groups.items():
    res['ours_' + g] = {'seeds': len(per), **{w + '_mean': [round(float(np.mean([p[w][k] for p in per if p[w][k] is not None])), 4) if any(p[w][k] is not None for p in per) else None for k in range(5)] for w in ('presence', 'change')}}
for name, mk in [('sklearn_mlp', lambda sd: MLPClassifier(hidden_layer_sizes=(12,), activation='logistic', solver='adam', learning_rate_init=0.01, batch_size=32, max_iter=100, early_stopping=True, validation_fraction=0.2, n_iter_no_change=10, random_state=sd)),
                 ('sklearn_rf', lambda sd: RandomForestClassifier(n_estimators=50, random_state=sd, n_jobs=1))]:
    acc = []
    per = []
    for sd in range(a.seeds):
        t = uniform_sample(sd, a.rate)
        m = mk(sd).fit(Xn[t], s[t])
        P = np.full((s.size, 5), np.nan)
        P[vx] = m.predict_proba(Xn[vx])
        hold = np.setdiff1d(np.flatnonzero(vx), t)
        acc.append(float((m.predict(Xn[hold]) == s[hold]).mean()))
        per.append(aucs(P))
    res[name] = {'holdout_acc_mean': round(float(np.mean(acc)), 4),
                 'presence_mean': [round(float(np.mean([p['presence'][k] for p in per])), 4) for k in range(5)],
                 'change_mean': [round(float(np.mean([p['change'][k] for p in per if p['change'][k] is not None])), 4) if any(p['change'][k] is not None for p in per) else None for k in range(5)]}
# LEAS-style forests (per class: sampled cells whose start class is not k; 1 = expanded to k)
e = np.where(s != o, o, 0)
per = []
for sd in range(a.seeds):
    rng = np.random.default_rng(100 + sd)
    idx = np.flatnonzero(vx)
    take = []
    for st in [0, 1, 2, 3, 4, 5]:
        ik = idx[e[idx] == st]
        if ik.size == 0: continue
        take.append(rng.choice(ik, min(ik.size, max(300, int(0.01 * ik.size))), replace=False))
    t = np.concatenate(take)
    P = np.full((s.size, 5), np.nan)
    for k in range(5):
        tk = t[s[t] != cls[k]]
        y = e[tk] == cls[k]
        if y.sum() == 0: P[vx, k] = 0; continue
        m = RandomForestClassifier(n_estimators=20, max_features='sqrt', random_state=sd, n_jobs=1).fit(Xn[tk], y)
        P[vx, k] = m.predict_proba(Xn[vx])[:, 1]
    per.append(aucs(P))
res['sklearn_rf_leas_style'] = {'change_mean': [round(float(np.mean([p['change'][k] for p in per if p['change'][k] is not None])), 4) if any(p['change'][k] is not None for p in per) else None for k in range(5)]}
import sklearn
res['sklearn'] = sklearn.__version__
res['load'] = [round(x, 2) for x in os.getloadavg()]
out = os.path.join(HERE, 'results', 'dongguan-suitability.json')
with open(out + '.tmp', 'w') as f:
    json.dump(res, f, indent=1)
os.replace(out + '.tmp', out)
print(json.dumps(res))
