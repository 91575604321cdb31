/**
 * Carbon storage, InVEST style (methods.md section 6; seed 004 eq. 7-11; InVEST Carbon).
 *
 *   C_i = C_above + C_below + C_soil + C_dead          (t/ha, per land-use class i; eq. 7)
 *   storage = sum over cells of C(class) * pixel area   (t; eq. 8-9)
 *   sequestration (change) = storage(future) - storage(baseline)
 * As InVEST 3.15+: rasters hold t/ha (c_storage_bas.tif, c_storage_alt.tif,
 * c_change_bas_alt.tif); totals are summed with the pixel area.
 * Check (InVEST's test): pools 15/10/60/1 -> 86 t/ha, 5/3/20/0 -> 28, change -58 t/ha.
 *
 * Precipitation correction of soil density (seed 004 eq. 10-11, after Alam et al. 2013):
 *   C_PS = 3.3968 P + 3996.1 (P annual precipitation, mm), K = C_PS(local P) / C_PS(national P);
 *   corrected c_soil = K * national c_soil. Seed 004: Zhanjiang 1999.4 mm vs national 671.1 mm.
 * Valuation (InVEST): value = V * sum_{t=0}^{T-1} 1 / ((1 + r/100)^t (1 + c/100)^t) * dC / T,
 *   V price per t C, r annual discount rate (%), c annual price change (%), T years.
 */
import { ConfigError, InputError } from '../../errors.js';
import { checkSameGrid, isNoData, Raster } from '../../io/grid.js';
import { columnIndex, hasColumn, Table } from '../../io/table.js';
import { CARBON_NODATA, checkIntegerRaster, codesIn, listCodes, lutRange } from './common.js';

export interface PoolRow {
  code: number;
  name: string;
  c_above: number;
  c_below: number;
  c_soil: number;
  c_dead: number;
}

export const POOL_COLUMNS = ['c_above', 'c_below', 'c_soil', 'c_dead'] as const;

export function totalDensity(p: PoolRow): number {
  return p.c_above + p.c_below + p.c_soil + p.c_dead;
}

/** Reads code,c_above,c_below,c_soil,c_dead (+ name), t/ha, all >= 0. */
export function parsePoolTable(t: Table): PoolRow[] {
  const ic = columnIndex(t, 'code');
  const iname = hasColumn(t, 'name') ? columnIndex(t, 'name') : -1;
  const ip = POOL_COLUMNS.map((c) => columnIndex(t, c));
  const seen = new Set<number>();
  const rows = t.rows.map((row, r) => {
    const code = Number(row[ic]);
    if (row[ic] === '' || !Number.isInteger(code)) throw new InputError(`${t.source}: row ${r + 1}, column "code": expected an integer land-use code, got ${JSON.stringify(row[ic])}`);
    if (seen.has(code)) throw new InputError(`${t.source}: row ${r + 1}: duplicate code ${code}`);
    seen.add(code);
    const v = ip.map((i, k) => {
      const s = row[i];
      const x = s === '' ? NaN : Number(s);
      if (!Number.isFinite(x)) throw new InputError(`${t.source}: row ${r + 1} (code ${code}), column "${POOL_COLUMNS[k]}": expected a number (t/ha), got ${JSON.stringify(s)}`);
      if (x < 0) throw new InputError(`${t.source}: row ${r + 1} (code ${code}), column "${POOL_COLUMNS[k]}": a negative carbon density ${s}, expected >= 0 t/ha`);
      return x;
    });
    return { code, name: iname >= 0 ? row[iname] : String(code), c_above: v[0], c_below: v[1], c_soil: v[2], c_dead: v[3] };
  });
  if (rows.length === 0) throw new InputError(`${t.source}: no pool rows`);
  return rows;
}

/** Soil carbon density from annual precipitation (seed 004 eq. 10): C_PS = 3.3968 P + 3996.1. */
export function soilDensityFromPrecip(p: number): number {
  return 3.3968 * p + 3996.1;
}

/** Correction factor K = C_PS(local) / C_PS(national) (seed 004 eq. 11). */
export function precipitationK(localP: number, nationalP: number): number {
  for (const [n, v] of [['--precip-local', localP], ['--precip-national', nationalP]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new ConfigError(`${n}: expected an annual precipitation >= 0 mm, got ${v}`);
  }
  return soilDensityFromPrecip(localP) / soilDensityFromPrecip(nationalP);
}

/** Pools with c_soil multiplied by K (the other pools unchanged). */
export function correctSoil(pools: PoolRow[], k: number): PoolRow[] {
  return pools.map((p) => ({ ...p, c_soil: p.c_soil * k }));
}

/**
 * Seed 004's derivation of the four pools from a (corrected) soil density: the total splits
 * into fixed shares of biomass, soil and dead matter (construction land 21 % / 79 % / 0,
 * other land 26 % / 72 % / 2 %; Xi et al. 2013), and biomass into above + below with the
 * below/above ratio (seed 004 Table 5).
 */
export function poolsFromSoil(soil: number, shares: { biomass: number; soil: number; dead: number }, belowAboveRatio: number): Omit<PoolRow, 'code' | 'name'> {
  if (!(shares.soil > 0)) throw new ConfigError(`soil share must be > 0, got ${shares.soil}`);
  const total = soil / shares.soil;
  const biomass = total * shares.biomass;
  const above = biomass / (1 + belowAboveRatio);
  return { c_above: above, c_below: biomass - above, c_soil: soil, c_dead: total * shares.dead };
}

export interface StorageInput {
  landuse: Raster;
  landuseName: string;
  future?: Raster;
  futureName?: string;
  pools: PoolRow[];
  poolsName: string;
  pixelAreaHa: number;
}

export interface StorageClassRow {
  code: number;
  name: string;
  density: number;
  cells: number;
  areaHa: number;
  storageT: number;
  futureCells?: number;
  futureStorageT?: number;
}

export interface StorageResult {
  storageT: number;
  futureStorageT?: number;
  changeT?: number;
  byClass: StorageClassRow[];
  /** t/ha per cell (float64, NoData CARBON_NODATA). */
  perHa: Raster<Float64Array>;
  futurePerHa?: Raster<Float64Array>;
  changePerHa?: Raster<Float64Array>;
}

function densityMap(lu: Raster, name: string, pools: Map<number, number>, poolsName: string): { map: Float64Array; counts: Map<number, number> } {
  checkIntegerRaster(lu, name, 'land-use');
  const codes = codesIn(lu);
  const missing = codes.filter((c) => !pools.has(c));
  if (missing.length > 0) throw new InputError(`${name}: land-use codes ${listCodes(missing)} have no row in ${poolsName}`);
  const { min: cmin, size } = lutRange(codes, name);
  const lut = new Float64Array(size);
  for (const c of codes) lut[c - cmin] = pools.get(c)!;
  const cnt = new Float64Array(lut.length);
  const d = lu.data;
  const nd = lu.grid.nodata;
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const c = d[i];
    if (isNoData(c, nd)) {
      out[i] = CARBON_NODATA;
      continue;
    }
    out[i] = lut[c - cmin];
    cnt[c - cmin]++;
  }
  const counts = new Map<number, number>();
  for (const c of codes) counts.set(c, cnt[c - cmin]);
  return { map: out, counts };
}

/** Baseline storage, optional future storage and change; totals = sum(count x density) x pixel area. */
export function carbonStorage(input: StorageInput): StorageResult {
  if (!(input.pixelAreaHa > 0)) throw new ConfigError(`pixel area: expected > 0 ha, got ${input.pixelAreaHa}`);
  const dens = new Map(input.pools.map((p) => [p.code, totalDensity(p)]));
  const names = new Map(input.pools.map((p) => [p.code, p.name]));
  const pa = input.pixelAreaHa;
  const base = densityMap(input.landuse, input.landuseName, dens, input.poolsName);
  const grid = { ...input.landuse.grid, nodata: CARBON_NODATA };
  const total = (counts: Map<number, number>) => {
    let s = 0;
    for (const [c, n] of counts) s += n * dens.get(c)!;
    return s * pa;
  };
  const res: StorageResult = {
    storageT: total(base.counts),
    byClass: [],
    perHa: { grid, dtype: 'float64', data: base.map },
  };
  let fut: ReturnType<typeof densityMap> | null = null;
  if (input.future) {
    const fname = input.futureName ?? 'future';
    checkSameGrid(input.landuse.grid, input.landuseName, input.future.grid, fname);
    fut = densityMap(input.future, fname, dens, input.poolsName);
    res.futureStorageT = total(fut.counts);
    res.changeT = res.futureStorageT - res.storageT;
    res.futurePerHa = { grid, dtype: 'float64', data: fut.map };
    // InVEST: the change raster is NoData where either map is NoData
    const ch = new Float64Array(base.map.length);
    for (let i = 0; i < ch.length; i++) {
      const a = base.map[i], b = fut.map[i];
      ch[i] = a === CARBON_NODATA || b === CARBON_NODATA ? CARBON_NODATA : b - a;
    }
    res.changePerHa = { grid, dtype: 'float64', data: ch };
  }
  const codes = [...new Set([...base.counts.keys(), ...(fut ? fut.counts.keys() : [])])].sort((a, b) => a - b);
  res.byClass = codes.map((code) => {
    const n = base.counts.get(code) ?? 0;
    const row: StorageClassRow = { code, name: names.get(code)!, density: dens.get(code)!, cells: n, areaHa: n * pa, storageT: n * pa * dens.get(code)! };
    if (fut) {
      const m = fut.counts.get(code) ?? 0;
      row.futureCells = m;
      row.futureStorageT = m * pa * dens.get(code)!;
    }
    return row;
  });
  return res;
}

export interface ValuationOptions {
  /** Price per t C (any currency). */
  price: number;
  /** Annual discount rate, percent. */
  discountRate: number;
  /** Annual change in the price of carbon, percent. */
  priceChange: number;
  /** Years between the baseline and the future map (T >= 1). */
  years: number;
}

/** InVEST valuation of a storage change dC (t C): V * sum_{t<T} 1/((1+r/100)^t (1+c/100)^t) * dC / T. */
export function valuation(changeT: number, o: ValuationOptions): number {
  if (!Number.isInteger(o.years) || o.years < 1) throw new ConfigError(`--years: expected an integer >= 1, got ${o.years}`);
  if (!Number.isFinite(o.price)) throw new ConfigError(`--price: expected a finite number, got ${o.price}`);
  if (!(o.discountRate > -100)) throw new ConfigError(`--discount-rate: expected a percentage > -100, got ${o.discountRate}`);
  if (!(o.priceChange > -100)) throw new ConfigError(`--price-change: expected a percentage > -100, got ${o.priceChange}`);
  let s = 0;
  for (let t = 0; t < o.years; t++) s += 1 / ((1 + o.discountRate / 100) ** t * (1 + o.priceChange / 100) ** t);
  return (o.price * s * changeT) / o.years;
}
