#!/usr/bin/python3
"""Goldens for `landcarbon prepare` (zones, distance, slope), made with GDAL itself.

Run with the Debian python that has GDAL (python3-gdal, gdal-bin):
    /usr/bin/python3 test/golden/prepare_golden.py
Writes test/golden/prepare/: the inputs (a small UTM 50N grid, polygon units in WGS 84 with
Chinese names, the same units as a GBK shapefile, edge cases in the grid's own CRS, distance
targets, a DEM) and what GDAL makes of them:
  zones_*.tif       gdal_rasterize -a id (default rule: cell centre inside; later features win)
  dist_*.tif        gdal_proximity.py -distunits GEO (targets rasterised by gdal_rasterize first)
  slope.tif         gdaldem slope (Horn; default: edges and cells beside NoData are NoData)
With ../shared/data/pie beside the checkout it also writes the units of the pie study test
(pie_units.geojson, WGS 84) and gdal_rasterize's zones for them on the pie grid.
"""
import json, math, os, subprocess, sys
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'prepare')
PIE = os.path.join(HERE, '..', '..', '..', 'shared', 'data', 'pie', 'lu_pie_1985.tif')
os.makedirs(OUT, exist_ok=True)

def path(n): return os.path.join(OUT, n)

def rm(n):
    for e in ('', '.aux.xml'):
        if os.path.exists(path(n) + e): os.remove(path(n) + e)

def create(name, w, h, gt, epsg, dtype, nodata, fill=None, array=None):
    rm(name)
    ds = gdal.GetDriverByName('GTiff').Create(path(name), w, h, 1, dtype, ['COMPRESS=DEFLATE'])
    ds.SetGeoTransform(gt)
    srs = osr.SpatialReference(); srs.ImportFromEPSG(epsg)
    ds.SetProjection(srs.ExportToWkt())
    b = ds.GetRasterBand(1)
    if nodata is not None: b.SetNoDataValue(nodata)
    if array is not None:
        b.WriteRaster(0, 0, w, h, array)
    elif fill is not None:
        b.Fill(fill)
    ds.FlushCache()
    return ds

# --- a small UTM 50N grid (30 m; 48 x 36) ---------------------------------------------------
W, H = 48, 36
GT = (500000.0, 30.0, 0.0, 3500000.0, 0.0, -30.0)
import struct
grid = create('grid.tif', W, H, GT, 32650, gdal.GDT_Byte, 255, array=struct.pack('%dB' % (W * H), *[1 + (i % 3) for i in range(W * H)]))
grid = None

utm = osr.SpatialReference(); utm.ImportFromEPSG(32650); utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
wgs = osr.SpatialReference(); wgs.ImportFromEPSG(4326); wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_wgs = osr.CoordinateTransformation(utm, wgs)

def lonlat(ring):
    return [list(to_wgs.TransformPoint(x, y)[:2]) for x, y in ring]

X0, Y0 = GT[0], GT[3]
def P(cx, cy):  # grid pixel coordinates -> UTM
    return (X0 + cx * 30.0, Y0 - cy * 30.0)

def ring(pts): return [P(*p) for p in pts] + [P(*pts[0])]

units = [
    # id, name, rings (pixel coords, irregular so no centre sits on an edge after reprojection)
    (110101, '东城区', [ring([(1.3, 1.7), (20.6, 2.2), (22.9, 15.4), (3.1, 17.8)])]),
    (110102, '西城区', [ring([(20.6, 2.2), (46.2, 0.4), (44.7, 16.3), (22.9, 15.4)]), ring([(30.2, 6.1), (36.8, 5.7), (35.3, 11.9)])]),  # with a hole
    (110105, 'Chaoyang 朝阳', [ring([(3.1, 17.8), (22.9, 15.4), (25.3, 34.6), (2.2, 33.1)])]),
    (110106, 'Fengtai', [ring([(22.9, 15.4), (44.7, 16.3), (47.5, 35.2), (25.3, 34.6)])]),
    (110108, '海淀区 (overlaps Fengtai and Chaoyang; later wins)', [ring([(18.4, 24.2), (30.7, 22.9), (29.6, 30.3), (17.1, 31.4)])]),
    (110109, 'Mentougou (outside)', [ring([(60.0, 40.0), (70.0, 40.0), (70.0, 50.0)])]),
]
def feature(uid, name, rings, conv=lonlat, multi=False):
    coords = [conv(r) for r in rings]
    geom = {'type': 'Polygon', 'coordinates': coords}
    return {'type': 'Feature', 'properties': {'ADCODE': uid, 'NAME': name, 'pop': uid % 1000}, 'geometry': geom}

fc = {'type': 'FeatureCollection', 'features': [feature(*u) for u in units]}
# a multipolygon unit (two parts) at the end
fc['features'].append({'type': 'Feature', 'properties': {'ADCODE': 110111, 'NAME': '房山区', 'pop': 111},
    'geometry': {'type': 'MultiPolygon', 'coordinates': [[lonlat(ring([(38.2, 27.1), (42.9, 27.4), (41.6, 31.8)]))], [[*lonlat(ring([(5.4, 26.6), (9.7, 25.1), (8.8, 30.9)]))]]]}})
with open(path('units.geojson'), 'w', encoding='utf-8') as f:
    json.dump(fc, f, ensure_ascii=False, indent=1)

# the same units as a GBK-encoded shapefile in UTM 50N (.prj and .cpg written by GDAL)
for e in ('shp', 'shx', 'dbf', 'prj', 'cpg'):
    if os.path.exists(path('units.' + e)): os.remove(path('units.' + e))
subprocess.run(['ogr2ogr', '-f', 'ESRI Shapefile', '-t_srs', 'EPSG:32650', '-lco', 'ENCODING=GBK', path('units.shp'), path('units.geojson')], check=True)

# edge cases in the grid's own CRS: vertices on cell centres and corners, horizontal edges on
# centre lines (both directions), units sharing edges, a unit covered by a later one
def same(r): return [list(p) for p in r]
edge = [
    (1, 'centres', [ring([(2.5, 2.5), (10.5, 2.5), (10.5, 9.5), (2.5, 9.5)])]),           # edges through centres
    (2, 'corners', [ring([(12.0, 2.0), (20.0, 2.0), (20.0, 9.0), (12.0, 9.0)])]),        # edges on cell corners
    (3, 'reversed', [[P(22.5, 2.5), P(22.5, 9.5), P(30.5, 9.5), P(30.5, 2.5), P(22.5, 2.5)]]),  # clockwise in pixel space
    (4, 'triangle', [ring([(32.5, 2.5), (44.5, 2.5), (38.5, 12.5)])]),
    (5, 'diamond', [ring([(8.5, 12.5), (14.5, 18.5), (8.5, 24.5), (2.5, 18.5)])]),
    (6, 'shared-a', [ring([(16.0, 12.5), (24.5, 12.5), (24.5, 22.5), (16.0, 22.5)])]),
    (7, 'shared-b', [ring([(24.5, 12.5), (33.0, 12.5), (33.0, 22.5), (24.5, 22.5)])]),
    (8, 'bigger', [ring([(35.0, 14.0), (47.0, 14.0), (47.0, 26.0), (35.0, 26.0)])]),
    (9, 'inside 8 (later wins)', [ring([(38.5, 17.5), (43.5, 17.5), (43.5, 22.5), (38.5, 22.5)])]),
    (10, 'over the edge', [ring([(-3.0, 27.5), (12.5, 27.5), (12.5, 40.0), (-3.0, 40.0)])]),
    (12, 'hole on centre lines', [ring([(33.5, 27.5), (47.5, 27.5), (47.5, 35.5), (33.5, 35.5)]), ring([(37.5, 29.5), (43.5, 29.5), (43.5, 33.5), (37.5, 33.5)])]),
    (11, 'spiky', [ring([(15.5, 26.0), (30.5, 27.5), (16.5, 28.5), (30.5, 30.5), (15.5, 33.5)])]),
]
fe = {'type': 'FeatureCollection', 'crs': {'type': 'name', 'properties': {'name': 'urn:ogc:def:crs:EPSG::32650'}},
      'features': [{'type': 'Feature', 'properties': {'id': i, 'name': n}, 'geometry': {'type': 'Polygon', 'coordinates': [same(r) for r in rs]}} for i, n, rs in edge]}
with open(path('edges.geojson'), 'w', encoding='utf-8') as f:
    json.dump(fe, f, indent=1)

def rasterize(vector, field, like, out, dtype=gdal.GDT_UInt16, all_touched=False):
    src = gdal.Open(like)
    ds = create(out, src.RasterXSize, src.RasterYSize, src.GetGeoTransform(), 32650, dtype, 0, fill=0)
    ds.SetProjection(src.GetProjection())
    gdal.Rasterize(ds, vector, attribute=field, allTouched=all_touched)
    ds.FlushCache(); ds = None

rasterize(path('units.geojson'), 'ADCODE', path('grid.tif'), 'zones_units.tif', gdal.GDT_UInt32)
rasterize(path('units.shp'), 'ADCODE', path('grid.tif'), 'zones_units_shp.tif', gdal.GDT_UInt32)
rasterize(path('edges.geojson'), 'id', path('grid.tif'), 'zones_edges.tif')
rasterize(path('units.geojson'), 'ADCODE', path('grid.tif'), 'zones_units_at.tif', gdal.GDT_UInt32, all_touched=True)
rasterize(path('edges.geojson'), 'id', path('grid.tif'), 'zones_edges_at.tif', all_touched=True)

# --- distance: a raster of targets and vector features -----------------------------------------
targets = [0] * (W * H)
for (x, y, v) in [(3, 4, 1), (4, 4, 1), (20, 10, 2), (21, 11, 2), (40, 30, 1), (10, 33, 2), (47, 0, 2)] + [(c, 20, 1) for c in range(25, 33)]:
    targets[y * W + x] = v
create('targets.tif', W, H, GT, 32650, gdal.GDT_Byte, None, array=struct.pack('%dB' % (W * H), *targets)).FlushCache()
def proximity(src, out, values=None):
    rm(out)
    cmd = ['gdal_proximity.py', '-q', path(src), path(out), '-distunits', 'GEO', '-ot', 'Float32', '-co', 'COMPRESS=DEFLATE']
    if values: cmd += ['-values', values]
    subprocess.run(cmd, check=True)
proximity('targets.tif', 'dist_targets.tif')
proximity('targets.tif', 'dist_targets_v2.tif', '2')
# random targets (3 %, 120 x 90, seed 2): gdal_proximity's two-pass propagation misses the nearest
# target of one cell here (it is approximate; the exact transform is not), which the test checks
import numpy as np
dense = (np.random.default_rng(2).random((90, 120)) < 0.03).astype(np.uint8)
create('targets_dense.tif', 120, 90, (500000.0, 25.0, 0.0, 3500000.0, 0.0, -25.0), 32650, gdal.GDT_Byte, None, array=dense.tobytes()).FlushCache()
proximity('targets_dense.tif', 'dist_dense.tif')

feat = {'type': 'FeatureCollection', 'features': [
    {'type': 'Feature', 'properties': {'kind': 'lake'}, 'geometry': {'type': 'Polygon', 'coordinates': [lonlat(ring([(5.3, 5.2), (12.8, 6.1), (9.4, 13.7)]))]}},
    {'type': 'Feature', 'properties': {'kind': 'well'}, 'geometry': {'type': 'Point', 'coordinates': lonlat([P(30.3, 25.6)])[0]}},
    {'type': 'Feature', 'properties': {'kind': 'wells'}, 'geometry': {'type': 'MultiPoint', 'coordinates': lonlat([P(44.7, 8.2), P(17.2, 31.9)])}},
]}
with open(path('features.geojson'), 'w', encoding='utf-8') as f:
    json.dump(feat, f, indent=1)
rasterize(path('features.geojson'), None, path('grid.tif'), 'features_burn.tif', gdal.GDT_Byte) if False else None
src = gdal.Open(path('grid.tif'))
ds = create('features_burn.tif', W, H, GT, 32650, gdal.GDT_Byte, None, fill=0)
gdal.Rasterize(ds, path('features.geojson'), burnValues=[1])
ds.FlushCache(); ds = None
proximity('features_burn.tif', 'dist_features.tif')
# lines (roads): gdal_rasterize draws them with Bresenham's walk between the cells of the vertices
lines = {'type': 'FeatureCollection', 'features': [
    {'type': 'Feature', 'properties': {'name': 'G205'}, 'geometry': {'type': 'LineString', 'coordinates': lonlat([P(-3.2, 4.7), P(12.6, 9.3), P(20.1, 30.8), P(52.4, 33.3)])}},
    {'type': 'Feature', 'properties': {'name': 'S101'}, 'geometry': {'type': 'MultiLineString', 'coordinates': [lonlat([P(30.5, -2.0), P(33.7, 14.2), P(47.9, 17.6)]), lonlat([P(5.1, 20.4), P(5.6, 26.9)])]}},
]}
rl = np.random.default_rng(7)
for k in range(12):  # random polylines, some leaving the grid
    pts = [P(float(rl.uniform(-5, 53)), float(rl.uniform(-5, 41))) for _ in range(int(rl.integers(2, 6)))]
    lines['features'].append({'type': 'Feature', 'properties': {'name': 'r%d' % k}, 'geometry': {'type': 'LineString', 'coordinates': lonlat(pts)}})
with open(path('lines.geojson'), 'w', encoding='utf-8') as f:
    json.dump(lines, f, indent=1)
ds = create('lines_burn.tif', W, H, GT, 32650, gdal.GDT_Byte, None, fill=0)
gdal.Rasterize(ds, path('lines.geojson'), burnValues=[1])
ds.FlushCache(); ds = None
proximity('lines_burn.tif', 'dist_lines.tif')

# --- slope: a DEM with a NoData hole -------------------------------------------------------------
dem = []
for y in range(H):
    for x in range(W):
        v = 100 + 12 * math.sin(x / 5.0) + 0.8 * y * y / 10 + 3 * math.cos((x + 2 * y) / 3.0)
        if 14 <= x <= 16 and 20 <= y <= 21: v = -9999.0
        dem.append(v)
create('dem.tif', W, H, GT, 32650, gdal.GDT_Float32, -9999.0, array=struct.pack('%df' % (W * H), *dem)).FlushCache()
rm('slope.tif')
subprocess.run(['gdaldem', 'slope', '-q', path('dem.tif'), path('slope.tif'), '-co', 'COMPRESS=DEFLATE'], check=True)

# --- the pie study's units (WGS 84) and gdal_rasterize's zones on the pie grid --------------------
if os.path.exists(PIE):
    pie = gdal.Open(PIE)
    gt = pie.GetGeoTransform()
    psrs = osr.SpatialReference(wkt=pie.GetProjection()); psrs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_ll = osr.CoordinateTransformation(psrs, wgs)
    def Q(cx, cy): return (gt[0] + cx * gt[1], gt[3] + cy * gt[5])
    def ll(pts):
        r = [list(to_ll.TransformPoint(*Q(*p))[:2]) for p in pts]
        return r + [r[0]]
    # 3 x 2 irregular townships over the 497 x 434 grid, shared jittered vertices
    xs = [-3.3, 160.7, 331.2, 501.9]
    ys = [-2.6, 211.4, 437.8]
    jx = [[0, 0, 0, 0], [0, 13.3, -9.1, 0], [0, 0, 0, 0]]
    jy = [[0, 0, 0, 0], [0, -7.7, 11.9, 0], [0, 0, 0, 0]]
    def V(i, j): return (xs[i] + jx[j][i], ys[j] + jy[j][i])
    names = [['Ipswich 伊普斯威奇', 'Rowley 罗利', 'Newbury 纽伯里'], ['Essex 埃塞克斯', 'Plum Island 梅子岛', 'Newburyport']]
    feats = []
    uid = 1
    for j in range(2):
        for i in range(3):
            rng = ll([V(i, j), V(i + 1, j), V(i + 1, j + 1), V(i, j + 1)])
            feats.append({'type': 'Feature', 'properties': {'town_id': 2500 + uid, 'town': names[j][i]}, 'geometry': {'type': 'Polygon', 'coordinates': [rng]}})
            uid += 1
    with open(path('pie_units.geojson'), 'w', encoding='utf-8') as f:
        json.dump({'type': 'FeatureCollection', 'features': feats}, f, ensure_ascii=False, indent=1)
    # roads for the distance driver: two polygons (causeway strips) and a point (a bridge)
    roads = {'type': 'FeatureCollection', 'features': [
        {'type': 'Feature', 'properties': {'name': 'Route 1A'}, 'geometry': {'type': 'Polygon', 'coordinates': [ll([(100.2, 10.3), (104.6, 10.1), (140.3, 420.7), (135.9, 420.9)])]}},
        {'type': 'Feature', 'properties': {'name': 'Plum Island Turnpike'}, 'geometry': {'type': 'Polygon', 'coordinates': [ll([(137.1, 300.2), (420.8, 280.4), (421.1, 284.3), (137.4, 304.1)])]}},
        {'type': 'Feature', 'properties': {'name': 'bridge'}, 'geometry': {'type': 'Point', 'coordinates': ll([(300.4, 150.6)])[0]}},
    ]}
    with open(path('pie_roads.geojson'), 'w', encoding='utf-8') as f:
        json.dump(roads, f, indent=1)
    # the roads burned onto the pie grid (gdal_rasterize, default rule): the targets of the distance driver
    rm('pie_roads_burn.tif')
    ds = gdal.GetDriverByName('GTiff').Create(path('pie_roads_burn.tif'), pie.RasterXSize, pie.RasterYSize, 1, gdal.GDT_Byte, ['COMPRESS=DEFLATE'])
    ds.SetGeoTransform(gt); ds.SetProjection(pie.GetProjection()); ds.GetRasterBand(1).Fill(0)
    gdal.Rasterize(ds, path('pie_roads.geojson'), burnValues=[1])
    ds.FlushCache(); ds = None
    rm('pie_zones.tif')
    ds = gdal.GetDriverByName('GTiff').Create(path('pie_zones.tif'), pie.RasterXSize, pie.RasterYSize, 1, gdal.GDT_UInt16, ['COMPRESS=DEFLATE'])
    ds.SetGeoTransform(gt); ds.SetProjection(pie.GetProjection()); ds.GetRasterBand(1).SetNoDataValue(0); ds.GetRasterBand(1).Fill(0)
    gdal.Rasterize(ds, path('pie_units.geojson'), attribute='town_id')
    ds.FlushCache(); ds = None
else:
    print('pie not beside the checkout: pie goldens not regenerated', file=sys.stderr)
print('goldens written to', OUT)
