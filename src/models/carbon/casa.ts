/**
 * CASA NPP / NEP model (methods.md section 6; seed 002 eq. 1-9). Monthly NDVI, temperature,
 * precipitation and solar radiation rasters, a vegetation-type raster and per-type parameters
 * -> annual (sum over the given months) NPP, heterotrophic respiration R_H and NEP = NPP - R_H,
 * all in g C/m2. The per-cell math runs in the WASM kernel (assembly/casa.ts) over tiles.
 *
 * Parameters, defaults and sources:
 *   eps_max,i   per type, g C/MJ; default 0.389 (Potter et al. 1993, the global CASA value);
 *               China-specific values by type are in Zhu et al. (2006) (give them in the table)
 *   NDVI_min,i / NDVI_max,i  5 % / 95 % percentiles of the type's NDVI over all months and cells
 *               (seed 002), computed from the data unless given in the table
 *   SR_min,i / SR_max,i      5 % / 95 % percentiles of SR = (1 + NDVI)/(1 - NDVI), likewise
 *   alpha = 0.5, FPAR_min = 0.001, FPAR_max = 0.95 (seed 002)
 *   T2 numerator 1.1814 (methods.md; some versions 1.1919 or 1.184), T < -10 C => eps = 0
 *   Topt = the temperature of the month in which the cell's NDVI peaks (first such month)
 *   W = the W raster, or 0.5 + 0.5 EET/PET
 *   R_H = 0.22 (exp(0.0913 T) + ln(0.3145 R + 1)) * 30 * 46.5 % (seed 002 after Zhuang et al.)
 * Percentiles: linear interpolation between order statistics (numpy's default, type 7).
 */
import { ConfigError, InputError } from '../../errors.js';
import { checkSameGrid, isNoData, Raster } from '../../io/grid.js';
import { decimalCommaHint, columnIndex, hasColumn, Table } from '../../io/table.js';
import { CASA_DEFAULTS, CasaConstants, CasaTypeParams } from '../../kernels/casa.ref.js';
import { CasaRunner } from '../../kernels/casa.js';
import { Engine } from '../../tiling/engine.js';
import { checkIntegerRaster, codesIn, listCodes } from './common.js';

export const DEFAULT_EPS_MAX = 0.389;

export interface CasaTypeRow {
  code: number;
  name: string;
  epsMax: number;
  ndviMin?: number;
  ndviMax?: number;
  srMin?: number;
  srMax?: number;
}

export interface ResolvedCasaType extends CasaTypeRow {
  ndviMin: number;
  ndviMax: number;
  srMin: number;
  srMax: number;
  /** Valid (cell, month) NDVI samples of the type. */
  samples: number;
  source: string;
}

/** Reads code[,name][,eps_max][,ndvi_min,ndvi_max][,sr_min,sr_max]; empty cells take the default / data percentiles. */
export function parseCasaParams(t: Table): CasaTypeRow[] {
  const ic = columnIndex(t, 'code');
  const opt = (n: string) => (hasColumn(t, n) ? columnIndex(t, n) : -1);
  const iname = opt('name'), ie = opt('eps_max');
  const cols = [['ndvi_min', opt('ndvi_min')], ['ndvi_max', opt('ndvi_max')], ['sr_min', opt('sr_min')], ['sr_max', opt('sr_max')]] as const;
  const seen = new Set<number>();
  return t.rows.map((row, r) => {
    const code = Number(row[ic]);
    if (row[ic] === '' || !Number.isInteger(code)) throw new InputError(`${t.source}: row ${r + 1}, column "code": expected an integer vegetation code, got ${JSON.stringify(row[ic])}`);
    if (seen.has(code)) throw new InputError(`${t.source}: row ${r + 1}: duplicate code ${code}`);
    seen.add(code);
    const num = (i: number, name: string): number | undefined => {
      if (i < 0 || row[i] === '') return undefined;
      const v = Number(row[i]);
      if (!Number.isFinite(v)) throw new InputError(`${t.source}: row ${r + 1} (code ${code}), column "${name}": expected a number, got ${JSON.stringify(row[i])}${decimalCommaHint(row[i])}`);
      return v;
    };
    const epsMax = num(ie, 'eps_max') ?? DEFAULT_EPS_MAX;
    if (!(epsMax >= 0 && epsMax <= 5)) throw new InputError(`${t.source}: row ${r + 1} (code ${code}), column "eps_max": ${epsMax} g C/MJ is outside [0, 5]`);
    const [nmin, nmax, smin, smax] = cols.map(([n, i]) => num(i, n));
    return { code, name: iname >= 0 ? row[iname] : String(code), epsMax, ndviMin: nmin, ndviMax: nmax, srMin: smin, srMax: smax };
  });
}

/** Percentile p (0..100) of sorted values, linear interpolation (numpy type 7). */
export function percentileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface CasaMonthRasters {
  ndvi: Raster;
  temp: Raster;
  prec: Raster;
  sol: Raster;
  w?: Raster;
  eet?: Raster;
  pet?: Raster;
  /** File names for messages, by key. */
  names: Record<string, string>;
}

export interface CasaModelInput {
  vegetation: Raster;
  vegetationName: string;
  months: CasaMonthRasters[];
  params: CasaTypeRow[];
  paramsName: string;
  constants?: Partial<CasaConstants>;
  /** Percentiles for x_min / x_max (default 5 and 95, seed 002). */
  percentiles?: [number, number];
  tileRows?: number;
}

export interface CasaModelResult {
  /** Sums over the months, g C/m2; NaN = NoData. */
  npp: Float64Array;
  rh: Float64Array;
  nep: Float64Array;
  topt: Float32Array;
  types: ResolvedCasaType[];
  constants: CasaConstants;
}

type Check = 'ndvi' | 'temp' | 'nonneg' | 'pos' | 'w';

function toF32(r: Raster, name: string, check: Check): Float32Array {
  const d = r.data;
  const nd = r.grid.nodata;
  const ndv = nd === null ? null : r.dtype === 'float32' ? Math.fround(nd) : nd;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (isNoData(v, ndv)) {
      out[i] = NaN;
      continue;
    }
    let bad: string | null = null;
    switch (check) {
      case 'ndvi': if (!(v >= -1 && v < 1)) bad = 'NDVI outside [-1, 1) (SR = (1 + NDVI)/(1 - NDVI) needs NDVI < 1)'; break;
      case 'temp': if (!(v > -90 && v < 70)) bad = 'temperature outside (-90, 70) C'; break;
      case 'nonneg': if (!(v >= 0)) bad = 'negative value, expected >= 0'; break;
      case 'pos': if (!(v > 0)) bad = 'value <= 0, expected > 0 (divisor of EET/PET)'; break;
      case 'w': if (!(v >= 0 && v <= 1.5)) bad = 'W outside [0, 1.5]'; break;
    }
    if (bad) {
      const w = r.grid.width;
      throw new InputError(`${name}: ${v} at row ${Math.floor(i / w)}, column ${i % w}: ${bad}`);
    }
    out[i] = v;
  }
  return out;
}

export async function casaNep(engine: Engine, input: CasaModelInput): Promise<CasaModelResult> {
  const { vegetation, vegetationName, months } = input;
  if (months.length === 0) throw new ConfigError('casa: no months given');
  checkIntegerRaster(vegetation, vegetationName, 'vegetation-type');
  const grid = vegetation.grid;
  const { width, height } = grid;
  const n = width * height;
  const water: 'w' | 'eet-pet' = months[0].w ? 'w' : 'eet-pet';
  months.forEach((m, k) => {
    for (const key of ['ndvi', 'temp', 'prec', 'sol', 'w', 'eet', 'pet'] as const) {
      const r = m[key];
      if (r) checkSameGrid(grid, vegetationName, r.grid, m.names[key] ?? `${key} month ${k + 1}`);
    }
    if (water === 'w' ? !m.w : !m.eet || !m.pet) throw new ConfigError(`month ${k + 1}: give W for every month, or EET and PET for every month`);
  });
  const [pLo, pHi] = input.percentiles ?? [5, 95];
  if (!(pLo >= 0 && pLo < pHi && pHi <= 100)) throw new ConfigError(`casa percentiles: expected 0 <= low < high <= 100, got ${pLo}, ${pHi}`);
  const c: CasaConstants = { ...CASA_DEFAULTS, ...input.constants };
  if (!(c.fparMin >= 0 && c.fparMin < c.fparMax && c.fparMax <= 1)) throw new ConfigError(`casa: FPAR bounds must satisfy 0 <= min < max <= 1, got ${c.fparMin}, ${c.fparMax}`);
  if (!(c.alpha >= 0 && c.alpha <= 1)) throw new ConfigError(`casa: alpha must be in [0, 1], got ${c.alpha}`);

  // vegetation types
  const codes = codesIn(vegetation);
  const byCode = new Map(input.params.map((p) => [p.code, p]));
  const missing = codes.filter((x) => !byCode.has(x));
  if (missing.length > 0) throw new InputError(`${vegetationName}: vegetation codes ${listCodes(missing)} have no row in ${input.paramsName}`);
  const rows = input.params.filter((p) => codes.includes(p.code));
  const tix = new Map(rows.map((p, i) => [p.code, i]));
  const typeIndex = new Int32Array(n);
  const vd = vegetation.data;
  const vnd = grid.nodata;
  for (let i = 0; i < n; i++) typeIndex[i] = isNoData(vd[i], vnd) ? -1 : tix.get(vd[i])!;

  // Month inputs are converted to f32 with NaN NoData (and validated) one month at a time,
  // so only the NDVI samples for the percentiles are held for all months at once.
  const convert = (m: CasaMonthRasters) => ({
    ndvi: toF32(m.ndvi, m.names.ndvi, 'ndvi'),
    temp: toF32(m.temp, m.names.temp, 'temp'),
    prec: toF32(m.prec, m.names.prec, 'nonneg'),
    sol: toF32(m.sol, m.names.sol, 'nonneg'),
    w: m.w ? toF32(m.w, m.names.w, 'w') : undefined,
    eet: m.eet ? toF32(m.eet, m.names.eet, 'nonneg') : undefined,
    pet: m.pet ? toF32(m.pet, m.names.pet, 'pos') : undefined,
  });

  // pass 1: validate every month; Topt = temperature of the month with the highest NDVI
  // (first on ties); count the NDVI samples per type
  const nt = rows.length;
  const topt = new Float32Array(n).fill(NaN);
  const best = new Float32Array(n).fill(-Infinity);
  const cnt = new Int32Array(nt);
  for (const mr of months) {
    const m = convert(mr);
    for (let i = 0; i < n; i++) {
      const v = m.ndvi[i];
      if (v > best[i]) {
        best[i] = v;
        topt[i] = m.temp[i];
      }
      if (typeIndex[i] >= 0 && v === v) cnt[typeIndex[i]]++;
    }
  }
  // pass 2: the NDVI samples per type (f32), for the percentiles
  const vals = Array.from({ length: nt }, (_, t) => new Float32Array(cnt[t]));
  const fill = new Int32Array(nt);
  for (const mr of months) {
    const nd = toF32(mr.ndvi, mr.names.ndvi, 'ndvi');
    for (let i = 0; i < n; i++) {
      const t = typeIndex[i];
      if (t >= 0 && nd[i] === nd[i]) vals[t][fill[t]++] = nd[i];
    }
  }
  const types: ResolvedCasaType[] = rows.map((p, t) => {
    const v = Float64Array.from(vals[t].sort());
    vals[t] = new Float32Array(0);
    const srv = Float64Array.from(v, (x) => (1 + x) / (1 - x)); // SR is increasing in NDVI: already sorted
    const q = (arr: Float64Array, pct: number) => percentileSorted(arr, pct);
    const r: ResolvedCasaType = {
      ...p,
      ndviMin: p.ndviMin ?? q(v, pLo),
      ndviMax: p.ndviMax ?? q(v, pHi),
      srMin: p.srMin ?? q(srv, pLo),
      srMax: p.srMax ?? q(srv, pHi),
      samples: v.length,
      source: [
        p.ndviMin !== undefined || p.ndviMax !== undefined ? 'NDVI bounds from the table' : `NDVI ${pLo}/${pHi} % percentiles of ${v.length} samples`,
        p.srMin !== undefined || p.srMax !== undefined ? 'SR bounds from the table' : `SR ${pLo}/${pHi} % percentiles`,
      ].join('; '),
    };
    if (v.length === 0 && (r.ndviMin !== r.ndviMin || r.srMin !== r.srMin)) {
      throw new InputError(`${vegetationName}: vegetation code ${p.code} has no valid NDVI in any month, so its NDVI/SR percentiles are undefined (give ndvi_min, ndvi_max, sr_min, sr_max in ${input.paramsName})`);
    }
    if (!(r.ndviMax > r.ndviMin) || !(r.srMax > r.srMin)) {
      throw new InputError(`vegetation code ${p.code} (${p.name}): NDVI range [${r.ndviMin}, ${r.ndviMax}] / SR range [${r.srMin}, ${r.srMax}] is empty, so FPAR divides by zero (constant NDVI for this type?); give the bounds in ${input.paramsName}`);
    }
    return r;
  });

  const kt: CasaTypeParams[] = types.map((t) => ({ epsMax: t.epsMax, ndviMin: t.ndviMin, ndviMax: t.ndviMax, srMin: t.srMin, srMax: t.srMax }));
  const runner = new CasaRunner(engine, { width, height, topt, typeIndex, types: kt, constants: c, water, tileRows: input.tileRows });
  let sums: { npp: Float64Array; rh: Float64Array };
  try {
    for (const mr of months) await runner.month(convert(mr));
    sums = runner.sums();
  } finally {
    runner.close();
  }
  const nep = new Float64Array(n);
  for (let i = 0; i < n; i++) nep[i] = sums.npp[i] - sums.rh[i];
  return { npp: sums.npp, rh: sums.rh, nep, topt, types, constants: c };
}
