"""GDAL reference for reading rasters whole (benchmark only): each file's band 1 read with
GDAL decoding on all cores (GDAL_NUM_THREADS=ALL_CPUS), as the suitability bench's drivers.
    /usr/bin/python3 bench/gdal_read.py a.tif b.tif ...
Prints one JSON line: seconds for all files, cells read.
"""
import json, sys, time
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption('GDAL_NUM_THREADS', 'ALL_CPUS')
t0 = time.perf_counter()
cells = 0
for p in sys.argv[1:]:
    ds = gdal.Open(p)  # keep the dataset alive while its band is read
    a = ds.GetRasterBand(1).ReadAsArray()
    cells += a.size
    del a, ds
print(json.dumps({'tool': 'gdal', 'gdal': gdal.__version__, 'seconds': time.perf_counter() - t0, 'files': len(sys.argv) - 1, 'cells': cells}))
