# Inputs of the issue-12 must-show for simulate (never committed; written to OUT, default /tmp/nat-ca-big):
# N x N land use (uint8, 6 classes in jittered 64-cell patches, NoData 255 on a 3-column border),
# 6 float32 suitability bands from GDAL (softmax of smooth fields, +1 for the current class),
# DEFLATE 256x256 tiles, BigTIFF, and demand.csv moving 1 % of the valid cells (classes 0, 1 -> 5, 4).
# Run: OUT=/tmp/big /usr/bin/python3 bench/simulate_big_inputs.py 15500 (python3-gdal, numpy).
import sys, numpy as np
from osgeo import gdal
N = int(sys.argv[1]) if len(sys.argv) > 1 else 15500
K = 6
import os
out = os.environ.get('OUT', '/tmp/nat-ca-big')
drv = gdal.GetDriverByName('GTiff')
opts = ['TILED=YES', 'COMPRESS=DEFLATE', 'BIGTIFF=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256', 'NUM_THREADS=2']
lu = drv.Create(f'{out}/lu.tif', N, N, 1, gdal.GDT_Byte, opts)
lu.SetGeoTransform([400000, 30, 0, 4500000, 0, -30])
lu.GetRasterBand(1).SetNoDataValue(255)
pr = drv.Create(f'{out}/prob.tif', N, N, K, gdal.GDT_Float32, opts + ['INTERLEAVE=BAND'])
pr.SetGeoTransform([400000, 30, 0, 4500000, 0, -30])
from osgeo import osr
s = osr.SpatialReference(); s.ImportFromEPSG(32650)
lu.SetProjection(s.ExportToWkt()); pr.SetProjection(s.ExportToWkt())
rng = np.random.default_rng(1)
# coarse class field: one class per 64x64 patch, refined by a smooth noise
P = 64
nb = (N + P - 1) // P
patch = rng.integers(0, K, size=(nb + 1, nb + 1))
counts = np.zeros(K, np.int64)
B = 256
x = np.arange(N)
for y0 in range(0, N, B):
    y1 = min(N, y0 + B)
    yy = np.arange(y0, y1)[:, None]
    # patch class with jittered borders
    jx = (x[None, :] + 20 * np.sin(yy / 37.0)).astype(np.int64) // P
    jy = (yy + 20 * np.sin(x[None, :] / 41.0)).astype(np.int64) // P
    cls = patch[np.clip(jy, 0, nb), np.clip(jx, 0, nb)].astype(np.uint8)
    cls[:, :3] = 255  # NoData border
    lu.GetRasterBand(1).WriteArray(cls, 0, y0)
    v = cls != 255
    counts += np.bincount(cls[v], minlength=K)[:K]
    # suitability: softmax of smooth fields, +1 for the current class
    logits = np.empty((K, y1 - y0, N), np.float32)
    for k in range(K):
        logits[k] = np.sin(x[None, :] / (300.0 + 50 * k) + k) * np.cos(yy / (270.0 + 40 * k) - k)
        logits[k] += (cls == k)
    logits -= logits.max(axis=0)
    e = np.exp(logits); e /= e.sum(axis=0)
    for k in range(K):
        pr.GetRasterBand(k + 1).WriteArray(e[k], 0, y0)
    if y0 % (B * 8) == 0:
        print('rows', y1, flush=True)
lu = None; pr = None
valid = int(counts.sum())
d = counts.copy()
move = valid // 100
# 1 % of valid cells: from classes 0 and 1 to class 5 and 4
d[0] -= move // 2; d[1] -= move - move // 2; d[5] += move // 2; d[4] += move - move // 2
with open(f'{out}/demand.csv', 'w') as f:
    f.write('year,' + ','.join(str(c) for c in range(K)) + '\n')
    f.write('2030,' + ','.join(str(int(v)) for v in d) + '\n')
print('counts', counts.tolist(), 'demand', d.tolist(), 'valid', valid)
