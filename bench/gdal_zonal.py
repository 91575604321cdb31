"""GDAL + numpy reference for `landcarbon zonal` over GeoTIFF files (benchmark only).

Row blocks of 1024 rows read with GDAL decoding on all cores (GDAL_NUM_THREADS=ALL_CPUS),
counts and float64 sums per (zone, class) with numpy.bincount; NoData of each file honoured.
    /usr/bin/python3 bench/gdal_zonal.py zones.tif classes.tif value.tif
Prints one JSON line: seconds, cells counted, sum of the value over counted cells.
"""
import json, sys, time
import numpy as np
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_NUM_THREADS', 'ALL_CPUS')
t0 = time.perf_counter()
z, c, v = (gdal.Open(p) for p in sys.argv[1:4])
W, H = z.RasterXSize, z.RasterYSize
bz, bc, bv = z.GetRasterBand(1), c.GetRasterBand(1), v.GetRasterBand(1)
ndz, ndc, ndv = bz.GetNoDataValue(), bc.GetNoDataValue(), bv.GetNoDataValue()
counts = np.zeros(65536 * 256, np.int64)
sums = np.zeros(65536 * 256, np.float64)
for r in range(0, H, 1024):
    n = min(1024, H - r)
    zz = bz.ReadAsArray(0, r, W, n).ravel()
    cc = bc.ReadAsArray(0, r, W, n).ravel()
    vv = bv.ReadAsArray(0, r, W, n).ravel()
    ok = (zz != ndz) & (cc != ndc)
    key = zz[ok].astype(np.int64) * 256 + cc[ok]
    counts += np.bincount(key, minlength=counts.size)
    val = vv[ok].astype(np.float64)
    good = ~np.isnan(val) if ndv is None else (val != ndv) & ~np.isnan(val)
    sums += np.bincount(key[good], weights=val[good], minlength=sums.size)
seconds = time.perf_counter() - t0
print(json.dumps({'tool': 'gdal+numpy', 'gdal': gdal.__version__, 'numpy': np.__version__, 'seconds': seconds,
                  'cells': int(counts.sum()), 'bins': int((counts > 0).sum()), 'value_sum': float(sums.sum())}))
