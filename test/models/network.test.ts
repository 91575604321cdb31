import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/tiling/engine.js';
import { gravityEdges, parseThreshold, rowBlocks, topCount } from '../../src/kernels/gravity.js';
import { distanceKm, EARTH_RADIUS_KM, gravityMasses, haversineKm, pairGravity, unitVectors } from '../../src/kernels/gravity.ref.js';
import { buildNetwork, checkCentroids, keyRoles, linkageAreas, proj4Def, topFraction, unitsFromTable, Units, zoneCentroids } from '../../src/models/network.js';
import { parseCsv } from '../../src/io/table.js';
import type { Raster } from '../../src/io/grid.js';
import proj4 from 'proj4';

const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

function gunits(lon: number[], lat: number[], gdp: number[], pop: number[], emis: number[]) {
  return { n: lon.length, xyz: unitVectors(lon, lat), mass: gravityMasses(gdp, pop, emis), emis: Float64Array.from(emis) };
}

/** Seeded random units in a 6 x 4 degree box (LCG, reproducible). */
function randomUnits(seed: number, n: number, zeroEmis = 0) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lon: number[] = [], lat: number[] = [], gdp: number[] = [], pop: number[] = [], emis: number[] = [];
  for (let i = 0; i < n; i++) {
    lon.push(114 + 6 * rnd());
    lat.push(36 + 4 * rnd());
    gdp.push(10 + 1000 * rnd());
    pop.push(1 + 100 * rnd());
    emis.push(i < zeroEmis ? 0 : 0.1 + 50 * rnd());
  }
  return gunits(lon, lat, gdp, pop, emis);
}

/** Every positive R of the WASM kernel (value:0 keeps R > 0), as a brute-force reference list. */
async function allPairs(u: ReturnType<typeof gunits>) {
  return gravityEdges(u, { kind: 'value', value: 0 }, { engine });
}

describe('gravity model (seed 000 eq. 3)', () => {
  it('hand-computed 3-unit case on the equator', async () => {
    // lon 0, 1, 3 on the equator: d12 = D = 6371.0088 * pi/180 = 111.195 km, d13 = 3D, d23 = 2D
    // masses cbrt(8*1*1) = 2, cbrt(1*27*1) = 3, cbrt(4*4*4) = 4; C = 1, 1, 4
    // R12 = (1/2)*2*3/D^2 = 3/D^2         R21 = (1/2)*3*2/D^2 = 3/D^2
    // R13 = (1/5)*2*4/(9D^2) = 1.6/9/D^2   R31 = (4/5)*4*2/(9D^2) = 6.4/9/D^2
    // R23 = (1/5)*3*4/(4D^2) = 0.6/D^2     R32 = (4/5)*4*3/(4D^2) = 2.4/D^2
    const D = (EARTH_RADIUS_KM * Math.PI) / 180;
    const u = gunits([0, 1, 3], [0, 0, 0], [8, 1, 4], [1, 27, 4], [1, 1, 4]);
    const e = await allPairs(u);
    const want: Record<string, number> = { '0,1': 3, '1,0': 3, '0,2': 1.6 / 9, '2,0': 6.4 / 9, '1,2': 0.6, '2,1': 2.4 };
    expect(e.from.length).toBe(6);
    for (let k = 0; k < 6; k++) {
      const w = want[`${e.from[k]},${e.to[k]}`] / (D * D);
      expect(Math.abs(e.gravity[k] / w - 1)).toBeLessThan(1e-12);
    }
    expect(Math.abs(distanceKm(u.xyz, 0, 2) / (3 * D) - 1)).toBeLessThan(1e-12);
  });

  it('distance = textbook haversine (R = 6371.0088 km) and the TS reference equals the kernel', async () => {
    // Beijing (116.4074, 39.9042) - Tianjin (117.2009, 39.0842): about 113.7 km
    expect(haversineKm(116.4074, 39.9042, 117.2009, 39.0842)).toBeCloseTo(113.7, 0);
    const u = randomUnits(3, 40);
    const lonlat = (i: number) => {
      const [x, y, z] = [u.xyz[3 * i], u.xyz[3 * i + 1], u.xyz[3 * i + 2]];
      return [(Math.atan2(y, x) * 180) / Math.PI, (Math.asin(z) * 180) / Math.PI];
    };
    const e = await allPairs(u);
    expect(e.from.length).toBe(40 * 39);
    for (let k = 0; k < e.from.length; k += 7) {
      const [i, j] = [e.from[k], e.to[k]];
      const [a, b] = [lonlat(i), lonlat(j)];
      expect(Math.abs(distanceKm(u.xyz, i, j) / haversineKm(a[0], a[1], b[0], b[1]) - 1)).toBeLessThan(1e-9);
      // the same arithmetic and asin below 6,671 km: bit-identical to the TS reference
      expect(e.gravity[k]).toBe(pairGravity(u.xyz, u.mass, u.emis, i, j));
    }
  });

  it('SIMD (f64x2) and scalar paths are bit-identical; beyond 6,671 km the library asin is used', async () => {
    for (const [seed, n, spread] of [[1, 37, 1], [2, 64, 1], [3, 25, 40]] as const) {
      const base = randomUnits(seed, n, 3);
      // spread = 40: units over 240 x 160 degrees, so some pairs are farther than 6,671 km
      const lon = [], lat = [];
      for (let i = 0; i < n; i++) {
        const x = base.xyz[3 * i], y = base.xyz[3 * i + 1], z = base.xyz[3 * i + 2];
        lon.push(114 + ((Math.atan2(y, x) * 180) / Math.PI - 114) * spread);
        lat.push(38 + ((Math.asin(z) * 180) / Math.PI - 38) * Math.min(spread, 20));
      }
      const u = { ...base, xyz: unitVectors(lon, lat) };
      for (const t of [{ kind: 'value', value: 0 }, { kind: 'row-mean' }, { kind: 'top', percent: 7 }] as const) {
        const a = await gravityEdges(u, t, { engine, simd: true, pairsPerBlock: 300 });
        const b = await gravityEdges(u, t, { engine, simd: false });
        expect(asList(a)).toEqual(asList(b));
      }
      if (spread > 1) {
        const e = await allPairs(u);
        let far = 0;
        for (let k = 0; k < e.from.length; k++) {
          const d = distanceKm(u.xyz, e.from[k], e.to[k]);
          if (d >= 6671.1) far++;
          expect(Math.abs(e.gravity[k] / pairGravity(u.xyz, u.mass, u.emis, e.from[k], e.to[k]) - 1)).toBeLessThan(1e-15);
        }
        expect(far).toBeGreaterThan(0);
      }
    }
  });

  it('zero emissions: every R of the unit is 0 (also 0 when C_i + C_j = 0), so it gets no edge', async () => {
    const u = randomUnits(5, 12, 2); // units 0 and 1 have C = 0
    expect(pairGravity(u.xyz, u.mass, u.emis, 0, 1)).toBe(0);
    const e = await allPairs(u);
    expect(e.from.length).toBe(10 * 9);
    expect([...e.from, ...e.to].some((v) => v < 2)).toBe(false);
  });
});

function bruteTop(all: { from: Int32Array; to: Int32Array; gravity: Float64Array }, K: number) {
  const sorted = Float64Array.from(all.gravity).sort().reverse();
  const cut = sorted[Math.min(K, sorted.length) - 1];
  const keep: string[] = [];
  for (let e = 0; e < all.gravity.length; e++) if (all.gravity[e] >= cut) keep.push(`${all.from[e]},${all.to[e]},${all.gravity[e]}`);
  return { cut, keep };
}

const asList = (e: { from: Int32Array; to: Int32Array; gravity: Float64Array }) => Array.from(e.from, (f, k) => `${f},${e.to[k]},${e.gravity[k]}`);

describe('thresholds', () => {
  it('parses top:P%, value:X, row-mean and rejects the rest', () => {
    expect(parseThreshold('top:1%')).toEqual({ kind: 'top', percent: 1 });
    expect(parseThreshold('top:0.1')).toEqual({ kind: 'top', percent: 0.1 });
    expect(parseThreshold('value:153000')).toEqual({ kind: 'value', value: 153000 });
    expect(parseThreshold('row-mean')).toEqual({ kind: 'row-mean' });
    expect(() => parseThreshold('top:0%')).toThrow('--threshold: top percentage must be in (0, 100], got "top:0%"');
    expect(() => parseThreshold('value:-1')).toThrow('--threshold: value threshold must be a finite number >= 0, got "value:-1"');
    expect(() => parseThreshold('best')).toThrow('--threshold: expected top:P% (e.g. top:1%), value:X (e.g. value:153000) or row-mean, got "best"');
  });

  it('row blocks tile [0, n), at most 64, balanced by pairs of the upper triangle', () => {
    for (const [n, per] of [[1, 1e6], [2, 1e6], [40000, 1e6], [3000, 1e6], [200, 5000], [17, 3]] as const) {
      const b = rowBlocks(n, per);
      expect(b[0][0]).toBe(0);
      expect(b[b.length - 1][1]).toBe(n);
      for (let k = 1; k < b.length; k++) expect(b[k][0]).toBe(b[k - 1][1]);
      expect(b.length).toBeLessThanOrEqual(64);
      const pairs = b.map(([a, c]) => { let p = 0; for (let i = a; i < c; i++) p += n - 1 - i; return p; });
      if (n === 40000) {
        expect(b.length).toBe(64);
        expect(Math.max(...pairs) / Math.min(...pairs)).toBeLessThan(1.01);
      }
    }
  });

  it('K = ceil(p/100 * n(n-1))', () => {
    expect(topCount(100, 1)).toBe(99); // 1 % of 9900
    expect(topCount(40000, 0.1)).toBe(1599960); // 0.1 % of 1,599,960,000
    expect(topCount(10, 1)).toBe(1); // 0.9 -> 1
    expect(topCount(5, 100)).toBe(20);
  });

  it('exact top-p % equals a brute-force sort (random units, any p, forced histogram refinement)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1e9), fc.integer({ min: 2, max: 70 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.constantFrom(8_000_000, 50, 1), async (seed, n, p, limit) => {
        const u = randomUnits(seed, n, seed % 3);
        const all = await allPairs(u);
        const K = topCount(n, p);
        const got = await gravityEdges(u, { kind: 'top', percent: p }, { engine, collectLimit: limit });
        const want = bruteTop(all, K);
        expect(asList(got)).toEqual(want.keep);
        expect(got.requested).toBe(K);
        expect(got.positivePairs).toBe(all.gravity.length);
        if (all.gravity.length >= K) expect(got.cut).toBe(want.cut);
      }),
      { numRuns: 40 },
    );
  });

  it('ties at the cut are all kept (equal emissions make R_ij = R_ji exactly)', async () => {
    // 4 units with equal C: k = 1/2 both ways and d_ij = d_ji, so every value occurs twice.
    // N = 12 pairs, top 25 % -> K = 3: the 3rd largest value is tied with the 4th -> 4 edges
    const u = gunits([0, 1, 3, 7], [0, 0.5, 0.2, 1], [1, 2, 3, 4], [1, 1, 1, 1], [2, 2, 2, 2]);
    const got = await gravityEdges(u, parseThreshold('top:25%'), { engine });
    expect(got.requested).toBe(3);
    expect(got.from.length).toBe(4);
    const all = await allPairs(u);
    expect(asList(got)).toEqual(bruteTop(all, 3).keep);
  });

  it('fewer positive pairs than K: all positive pairs are kept and reported', async () => {
    const u = randomUnits(8, 6, 4); // only units 4 and 5 have C > 0 -> 2 positive pairs
    const got = await gravityEdges(u, parseThreshold('top:50%'), { engine });
    expect(got.requested).toBe(15);
    expect(got.positivePairs).toBe(2);
    expect(got.from.length).toBe(2);
  });

  it('value:X keeps R > X; row-mean keeps R above the mean of its row', async () => {
    const u = randomUnits(11, 30, 1);
    const all = await allPairs(u);
    const X = Float64Array.from(all.gravity).sort()[Math.floor(all.gravity.length / 2)];
    const v = await gravityEdges(u, { kind: 'value', value: X }, { engine });
    expect(asList(v)).toEqual(asList(all).filter((_, k) => all.gravity[k] > X));
    const rm = await gravityEdges(u, { kind: 'row-mean' }, { engine });
    const rowSum = new Float64Array(30);
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) if (i !== j) rowSum[i] += pairGravity(u.xyz, u.mass, u.emis, i, j);
    const want = asList(all).filter((_, k) => all.gravity[k] > rowSum[all.from[k]] / 29);
    expect(asList(rm)).toEqual(want);
  });

  it('1 and 2 threads, any block size, give identical edges', async () => {
    const e2 = new Engine({ threads: 2 });
    try {
      const u = randomUnits(21, 200, 3);
      for (const t of ['top:1%', 'row-mean', 'value:20']) {
        // 39,800 pairs in blocks of ~5,000 -> 8 row blocks over 2 threads vs 1 block on 1 thread
        const a = await gravityEdges(u, parseThreshold(t), { engine: e2, collectLimit: 10, pairsPerBlock: 5000 });
        const b = await gravityEdges(u, parseThreshold(t), { engine, pairsPerBlock: 5000 });
        const c = await gravityEdges(u, parseThreshold(t), { engine });
        expect(asList(c)).toEqual(asList(b));
        expect(asList(a)).toEqual(asList(b));
      }
    } finally {
      await e2.close();
    }
  });
});

describe('linkage areas and key units', () => {
  it('weakly connected components with >= 2 units, numbered by first unit', () => {
    // edges 4->1, 2->5, 5->6: components {1,4}, {2,5,6}; units 0, 3 alone
    expect(Array.from(linkageAreas(7, [4, 2, 5], [1, 5, 6]))).toEqual([0, 1, 2, 0, 1, 2, 2]);
    expect(Array.from(linkageAreas(3, [], []))).toEqual([0, 0, 0]);
  });

  it('top fraction: q = ceil(f n), ties at the cut included, zeros never', () => {
    // n = 10, f = 0.1 -> q = 1; largest 5 held by two units -> both
    expect(topFraction(Float64Array.from([1, 5, 5, 0, 2, 3, 0, 0, 0, 1]), 0.1).map(Number)).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    // f = 0.3 -> q = 3: values 5, 5, 3 -> cut 3
    expect(topFraction(Float64Array.from([1, 5, 5, 0, 2, 3, 0, 0, 0, 1]), 0.3).map(Number)).toEqual([0, 1, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(topFraction(new Float64Array(5), 0.5).some(Boolean)).toBe(false);
    expect(topFraction(Float64Array.from([NaN, NaN]), 0.5).some(Boolean)).toBe(false);
  });

  it('roles: core = in-degree, promotion = in-closeness, bridge = betweenness, improvement = out-degree', () => {
    const c = {
      n: 4, weighted: false, sampling: null,
      inDegree: Float64Array.from([1, 0, 0, 0]),
      inCloseness: Float64Array.from([0, 1, 0, 0]),
      betweenness: Float64Array.from([0, 0, 1, 0]),
      outDegree: Float64Array.from([1, 0, 0, 1]),
      outCloseness: new Float64Array(4),
    };
    expect(keyRoles(c, 0.25)).toEqual([['core', 'improvement'], ['promotion'], ['bridge'], ['improvement']]);
    expect(() => keyRoles(c, 0)).toThrow('key fraction: expected a number in (0, 1], got 0');
  });
});

const TABLE = 'id,name,gdp,population,emissions,lon,lat\n1,A,100,10,5,116.4,39.9\n2,B,50,8,3,117.2,39.1\n3,C,30,5,2,115.5,38.9\n4,D,20,4,0,114.5,38.0\n';

describe('units, centroids and validation', () => {
  it('reads a unit table; name is optional', () => {
    const u = unitsFromTable(parseCsv(TABLE, 'u.csv'));
    expect(u.ids).toEqual(['1', '2', '3', '4']);
    expect(Array.from(u.lat)).toEqual([39.9, 39.1, 38.9, 38]);
    const v = unitsFromTable(parseCsv('id,gdp,population,emissions\nx,1,1,1\n', 'v.csv'));
    expect(v.names).toEqual(['x']);
    expect(Number.isNaN(v.lon[0])).toBe(true);
  });

  it('duplicate ids, negative values, half coordinates, out-of-range lon are errors', () => {
    expect(() => unitsFromTable(parseCsv('id,gdp,population,emissions\na,1,1,1\na,2,2,2\n', 'u.csv'))).toThrow('u.csv: duplicate unit id "a" in rows 1 and 2');
    expect(() => unitsFromTable(parseCsv('id,gdp,population,emissions\na,1,-1,1\n', 'u.csv'))).toThrow('u.csv: row 1, column "population": expected a value >= 0, got -1');
    expect(() => unitsFromTable(parseCsv('id,gdp,population,emissions,lon,lat\na,1,1,1,116,\n', 'u.csv'))).toThrow('u.csv: unit "a" (row 1) has only one of lon/lat');
    expect(() => unitsFromTable(parseCsv('id,gdp,population,emissions,lon,lat\na,1,1,1,200,10\n', 'u.csv'))).toThrow('u.csv: unit "a" (row 1): lon 200 outside [-180, 180]');
    expect(() => unitsFromTable(parseCsv('id,gdp,population,emissions,lon\na,1,1,1,200\n', 'u.csv'))).toThrow('has only one of the columns "lon" and "lat"');
  });

  it('missing coordinates and shared centroids are errors', () => {
    const u = unitsFromTable(parseCsv('id,gdp,population,emissions,lon,lat\na,1,1,1,116,39\nb,1,1,1,,\n', 'u.csv'));
    expect(() => checkCentroids(u, u.lon, u.lat)).toThrow('u.csv: unit "b" (row 2) has no coordinates: fill lon/lat or pass --zones');
    const w = unitsFromTable(parseCsv('id,gdp,population,emissions,lon,lat\na,1,1,1,116,39\nb,1,1,1,117,39\nc,1,1,1,116,39\n', 'w.csv'));
    expect(() => checkCentroids(w, w.lon, w.lat)).toThrow('w.csv: units "a" and "c" share the centroid (116, 39)');
  });

  it('zone centroids: projected (UTM 50N) cell centres -> lon/lat with proj4', () => {
    // 4 x 2 raster, 1 km cells, origin (500000, 4400000); zone 1 = column 0-1, zone 2 = columns 2-3 of row 0, row 1 nodata
    const grid = { width: 4, height: 2, transform: [500000, 1000, 0, 4400000, 0, -1000] as [number, number, number, number, number, number], crs: { epsg: 32650 }, nodata: 0 };
    const z: Raster = { grid, dtype: 'int32', data: Int32Array.from([1, 1, 2, 2, 0, 0, 0, 0]) };
    const u = unitsFromTable(parseCsv('id,gdp,population,emissions\n1,1,1,1\n2,1,1,1\n', 'u.csv'));
    const c = zoneCentroids(z, 'z.tif', u);
    // zone 1 centre: x = 500000 + 1.0 * 1000 = 501000, y = 4400000 - 0.5 * 1000 = 4399500
    const [lo, la] = proj4('+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs', 'EPSG:4326', [501000, 4399500]);
    expect(c.lon[0]).toBeCloseTo(lo, 12);
    expect(c.lat[0]).toBeCloseTo(la, 12);
    expect(c.lon[0]).toBeCloseTo(117.0118, 3); // central meridian 117 E, 1 km east
    const bad = unitsFromTable(parseCsv('id,gdp,population,emissions\n1,1,1,1\n', 'u.csv'));
    expect(() => zoneCentroids(z, 'z.tif', bad)).toThrow('z.tif: zone values [2] have no row in u.csv');
    const extra = unitsFromTable(parseCsv('id,gdp,population,emissions\n1,1,1,1\n2,1,1,1\n3,1,1,1\n', 'u.csv'));
    expect(() => zoneCentroids(z, 'z.tif', extra)).toThrow('u.csv: units [3] have no cells in z.tif');
    expect(() => proj4Def(null, 'z.tif')).toThrow('z.tif: the raster records no EPSG code');
    expect(() => proj4Def({ epsg: 2000 }, 'z.tif')).toThrow('z.tif: EPSG:2000 is not a CRS landcarbon can convert to lon/lat');
    expect(proj4Def({ epsg: 4547 }, 'z.tif')).toContain('+lon_0=114'); // CGCS2000 GK CM 114E
  });

  it('buildNetwork: edges, linkage, centrality and roles on a small table', async () => {
    const u: Units = unitsFromTable(parseCsv(TABLE, 'u.csv'));
    const r = await buildNetwork(u, u.lon, u.lat, { threshold: parseThreshold('top:50%'), engine });
    // unit 4 has zero emissions: 3 units with R > 0 -> 6 positive pairs, K = ceil(0.5 * 12) = 6
    expect(r.edges.from.length).toBe(6);
    expect(Array.from(r.linkage)).toEqual([1, 1, 1, 0]);
    expect(Array.from(r.centrality.outDegree)).toEqual([2 / 3, 2 / 3, 2 / 3, 0]);
    expect(r.roles[3]).toEqual([]);
    const w = await buildNetwork(u, u.lon, u.lat, { threshold: parseThreshold('top:50%'), engine, weighted: true, paths: 'degree' });
    expect(Number.isNaN(w.centrality.betweenness[0])).toBe(true);
    expect(w.roles[0]).toEqual(['core', 'improvement']);
  });
});
