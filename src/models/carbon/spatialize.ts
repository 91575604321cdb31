/**
 * Sector inventory and its spatialisation (methods.md section 6; seed 003 eq. 1-7, Table 2).
 *
 * Inventory: sector totals C_s = sum over the sector's activities of amount x factor (seed 003
 * eq. 2-7 are all sums of activity levels times emission coefficients; sinks carry negative
 * factors or amounts). C = sum_s C_s (eq. 1).
 * Spatialisation: each sector total goes to the cells whose land class is one of the sector's
 * classes, in proportion to a weight raster (POI count, population, road length) or to cell
 * area ("area": every cell weight 1, seed 003's rule for agriculture, waste and sinks):
 *   x_i = C_s * w_i / sum_j w_j.
 * Exactness: the f64 sum of the sector's cell values in row-major order is exactly C_s: the
 * last cell with a positive weight takes the value that makes the sum exact (found by
 * bisection over doubles near C_s minus the sum before it; when a rounding tie makes that
 * impossible an earlier cell is nudged by one ulp first). Checked, never silently off.
 */
import { ConfigError, InputError, InternalError } from '../../errors.js';
import { checkSameGrid, isNoData, Raster } from '../../io/grid.js';
import { decimalCommaHint, columnIndex, hasColumn, Table } from '../../io/table.js';
import { CARBON_NODATA, checkIntegerRaster, codesIn, listCodes, lutRange } from './common.js';

export interface Activity {
  sector: string;
  activity: string;
  amount: number;
  factor: number;
}

/** Reads sector,activity,amount,factor (emission = amount x factor). */
export function parseInventory(t: Table): Activity[] {
  const is = columnIndex(t, 'sector');
  const ia = hasColumn(t, 'activity') ? columnIndex(t, 'activity') : -1;
  const iam = columnIndex(t, 'amount');
  const ifa = columnIndex(t, 'factor');
  const rows = t.rows.map((row, r) => {
    const sector = row[is];
    if (sector === '') throw new InputError(`${t.source}: row ${r + 1}: empty sector`);
    const num = (i: number, name: string) => {
      const v = row[i] === '' ? NaN : Number(row[i]);
      if (!Number.isFinite(v)) throw new InputError(`${t.source}: row ${r + 1} (sector ${JSON.stringify(sector)}), column "${name}": expected a number, got ${JSON.stringify(row[i])}${decimalCommaHint(row[i])}`);
      return v;
    };
    return { sector, activity: ia >= 0 ? row[ia] : '', amount: num(iam, 'amount'), factor: num(ifa, 'factor') };
  });
  if (rows.length === 0) throw new InputError(`${t.source}: no inventory rows`);
  return rows;
}

/** Sector totals (sum of amount x factor, in inventory order). */
export function sectorTotals(acts: Activity[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of acts) m.set(a.sector, (m.get(a.sector) ?? 0) + a.amount * a.factor);
  return m;
}

export interface AllocationRule {
  sector: string;
  classes: number[];
  /** 'area' or the name of a weight raster. */
  weight: string;
}

/** Reads sector,classes,weight; classes are land-use codes separated by ';' or spaces. */
export function parseAllocation(t: Table): AllocationRule[] {
  const is = columnIndex(t, 'sector');
  const ic = columnIndex(t, 'classes');
  const iw = hasColumn(t, 'weight') ? columnIndex(t, 'weight') : -1;
  const seen = new Set<string>();
  return t.rows.map((row, r) => {
    const sector = row[is];
    if (seen.has(sector)) throw new InputError(`${t.source}: row ${r + 1}: sector ${JSON.stringify(sector)} has two allocation rows; list all its classes in one row`);
    seen.add(sector);
    const parts = row[ic].split(/[;\s]+/).filter((s) => s !== '');
    const classes = parts.map((p) => {
      const v = Number(p);
      if (!Number.isInteger(v)) throw new InputError(`${t.source}: row ${r + 1} (sector ${JSON.stringify(sector)}), column "classes": ${JSON.stringify(p)} is not an integer land-use code`);
      return v;
    });
    if (classes.length === 0) throw new InputError(`${t.source}: row ${r + 1} (sector ${JSON.stringify(sector)}): no land-use classes`);
    const weight = iw >= 0 && row[iw] !== '' ? row[iw] : 'area';
    return { sector, classes, weight };
  });
}

export interface SpatializeInput {
  landuse: Raster;
  landuseName: string;
  totals: Map<string, number>;
  rules: AllocationRule[];
  rulesName: string;
  /** Weight rasters by name (values >= 0 on the cells of the sectors that use them). */
  weights?: Map<string, { raster: Raster; name: string }>;
  zones?: Raster;
  zonesName?: string;
  /** Land-class names for tables. */
  classNames?: Map<number, string>;
}

export interface SectorResult {
  sector: string;
  total: number;
  weight: string;
  classes: number[];
  cells: number;
  /** Sum of the sector's cell values in row-major order (=== total). */
  allocated: number;
  /** Per class code of the sector: allocated amount. */
  byClass: Map<number, number>;
}

export interface SpatializeResult {
  /** Per-cell total of all sectors (t/yr), float64, NoData CARBON_NODATA. */
  map: Raster<Float64Array>;
  sectors: SectorResult[];
  /** Per unit: sector amounts in `sectors` order (when zones given). */
  byUnit: { unit: number; bySector: number[]; ce: number; cs: number; budget: number }[] | null;
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** The next double above x. */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0] += x > 0 ? 1n : -1n;
  return f64[0];
}

/** The next double below x. */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

const SIGN = 1n << 63n;
const MASK = SIGN - 1n;

/** Doubles mapped to integers in the same order (so bisection can run on them). */
function orderedKey(x: number): bigint {
  f64[0] = x;
  const b = i64[0];
  return b >= 0n ? b : -(b & MASK);
}

function fromKey(k: bigint): number {
  i64[0] = k >= 0n ? k : -k | -SIGN;
  return f64[0];
}

/**
 * The x with fl(prefix + x) === total: fl(prefix + x) is monotone in x and, with
 * |x| <= ~|total|, steps by at most one ulp of the total, so the exact total is reachable;
 * found by bisection on the ordered bit patterns around total - prefix. null when rounding
 * ties make it unreachable (prefix half an ulp off): the caller then nudges an earlier cell.
 */
export function solveLast(prefix: number, total: number): number | null {
  const x0 = total - prefix;
  if (prefix + x0 === total) return x0;
  const u = Math.max(nextUp(Math.abs(total)) - Math.abs(total), Number.MIN_VALUE);
  let lo = x0 - 4 * u;
  let hi = x0 + 4 * u;
  for (let i = 0; i < 64 && prefix + lo > total; i++) lo -= hi - lo;
  for (let i = 0; i < 64 && prefix + hi < total; i++) hi += hi - lo;
  let a = orderedKey(lo);
  let b = orderedKey(hi);
  while (b - a > 1n) {
    const mid = (a + b) / 2n;
    const xm = fromKey(mid);
    const sm = prefix + xm;
    if (sm === total) return xm;
    if (sm < total) a = mid;
    else b = mid;
  }
  for (const k of [a, b]) if (prefix + fromKey(k) === total) return fromKey(k);
  return null;
}

/** Allocates every sector total to its cells; see the module comment for the rule. */
export function spatialize(input: SpatializeInput): SpatializeResult {
  const { landuse, landuseName } = input;
  checkIntegerRaster(landuse, landuseName, 'land-use');
  const grid = landuse.grid;
  const n = grid.width * grid.height;
  const lu = landuse.data;
  const luNd = grid.nodata;
  const present = new Set(codesIn(landuse));
  // every sector with a total needs a rule and vice versa
  const ruleBy = new Map(input.rules.map((r) => [r.sector, r]));
  const noRule = [...input.totals.keys()].filter((s) => !ruleBy.has(s));
  if (noRule.length > 0) throw new InputError(`${input.rulesName}: sectors ${noRule.map((s) => JSON.stringify(s)).join(', ')} of the inventory have no allocation row`);
  const noTotal = input.rules.filter((r) => !input.totals.has(r.sector)).map((r) => r.sector);
  if (noTotal.length > 0) throw new InputError(`${input.rulesName}: sectors ${noTotal.map((s) => JSON.stringify(s)).join(', ')} have no inventory rows`);
  for (const [name, w] of input.weights ?? []) checkSameGrid(grid, landuseName, w.raster.grid, w.name || name);
  let zoneIds: number[] = [];
  const zd = input.zones?.data;
  const zNd = input.zones?.grid.nodata ?? null;
  if (input.zones) {
    checkIntegerRaster(input.zones, input.zonesName ?? 'zones', 'zone');
    checkSameGrid(grid, landuseName, input.zones.grid, input.zonesName ?? 'zones');
    zoneIds = codesIn(input.zones);
  }
  const { min: zmin, size: zsize } = lutRange(zoneIds, input.zonesName ?? 'zones');
  const zlut = new Int32Array(zsize).fill(-1);
  zoneIds.forEach((z, i) => (zlut[z - zmin] = i));

  const map = new Float64Array(n);
  for (let i = 0; i < n; i++) map[i] = isNoData(lu[i], luNd) ? CARBON_NODATA : 0;
  const sectors: SectorResult[] = [];
  const nsec = input.rules.length;
  const unitSums = new Float64Array(zoneIds.length * nsec);
  const vals = new Float64Array(n);
  const cellIdx = new Int32Array(n);

  input.rules.forEach((rule, s) => {
    const total = input.totals.get(rule.sector)!;
    const cls = new Set(rule.classes);
    const absent = rule.classes.filter((c) => !present.has(c));
    let w: Raster | null = null;
    let wName = 'area';
    if (rule.weight !== 'area') {
      const e = input.weights?.get(rule.weight);
      if (!e) throw new ConfigError(`${input.rulesName}: sector ${JSON.stringify(rule.sector)} uses weight ${JSON.stringify(rule.weight)}, but no --weight ${rule.weight}=FILE was given`);
      w = e.raster;
      wName = e.name;
    }
    const wNd = w ? (w.dtype === 'float32' && w.grid.nodata !== null ? Math.fround(w.grid.nodata) : w.grid.nodata) : null;
    // cells of the sector and their weights
    let m = 0;
    let W = 0;
    for (let i = 0; i < n; i++) {
      const c = lu[i];
      if (isNoData(c, luNd) || !cls.has(c)) continue;
      let wi = 1;
      if (w) {
        wi = w.data[i];
        if (isNoData(wi, wNd) || !(wi >= 0) || !Number.isFinite(wi)) {
          throw new InputError(`${wName}: ${isNoData(wi, wNd) ? 'NoData' : wi} at row ${Math.floor(i / grid.width)}, column ${i % grid.width}, a cell of class ${c} that receives sector ${JSON.stringify(rule.sector)}; weights must be finite and >= 0 there`);
        }
      }
      cellIdx[m] = i;
      vals[m] = wi;
      m++;
      W += wi;
    }
    if (total !== 0 && !(W > 0)) {
      throw new InputError(
        `sector ${JSON.stringify(rule.sector)} (total ${total}) cannot be allocated: ${m === 0 ? `no cell of ${landuseName} has its classes ${listCodes(rule.classes)}` : `the weights (${wName}) sum to 0 on its ${m} cells`}` +
          (absent.length ? ` (classes ${listCodes(absent)} are absent from the map)` : ''),
      );
    }
    // proportional shares, then the exact-sum correction on the last cell with a positive
    // weight (later cells are exactly 0, so they do not change the row-major sum)
    let last = -1;
    for (let k = 0; k < m; k++) {
      if (vals[k] > 0) last = k;
      vals[k] = W > 0 ? (total * vals[k]) / W : 0;
    }
    if (last >= 0) {
      const prefixSum = () => {
        let p = 0;
        for (let k = 0; k < last; k++) p += vals[k];
        return p;
      };
      let x = solveLast(prefixSum(), total);
      // a rounding tie can make the exact total unreachable through the last cell alone: then
      // step one of the nearest earlier non-zero cells by +-1 or +-2 ulps and solve again
      for (let c = last - 1, tried = 0; x === null && c >= 0 && tried < 8; c--) {
        if (vals[c] === 0) continue;
        tried++;
        const orig = vals[c];
        for (const d of [1, -1, 2, -2]) {
          let v = orig;
          for (let j = 0; j < Math.abs(d); j++) v = d > 0 ? nextUp(v) : nextDown(v);
          vals[c] = v;
          x = solveLast(prefixSum(), total);
          if (x !== null) break;
        }
        if (x === null) vals[c] = orig;
      }
      if (x === null) throw new InternalError(`sector ${JSON.stringify(rule.sector)}: no cell values make the allocation sum exactly ${total}`);
      vals[last] = x;
      let check = 0;
      for (let k = 0; k < m; k++) check += vals[k];
      if (check !== total) throw new InternalError(`sector ${JSON.stringify(rule.sector)}: allocation sum ${check} != total ${total}`);
    }
    const byClass = new Map<number, number>(rule.classes.map((c) => [c, 0]));
    let allocated = 0;
    for (let k = 0; k < m; k++) {
      const i = cellIdx[k];
      const v = vals[k];
      map[i] += v;
      allocated += v;
      byClass.set(lu[i], byClass.get(lu[i])! + v);
      if (zd) {
        const z = zd[i];
        if (!isNoData(z, zNd)) unitSums[zlut[z - zmin] * nsec + s] += v;
      }
    }
    sectors.push({ sector: rule.sector, total, weight: rule.weight, classes: rule.classes, cells: m, allocated, byClass });
  });
  const byUnit = input.zones
    ? zoneIds.map((unit, zi) => {
        const bySector = Array.from(unitSums.subarray(zi * nsec, (zi + 1) * nsec));
        let ce = 0, cs = 0;
        for (const v of bySector) if (v > 0) ce += v; else cs -= v;
        return { unit, bySector, ce, cs, budget: ce - cs };
      })
    : null;
  return { map: { grid: { ...grid, nodata: CARBON_NODATA }, dtype: 'float64', data: map }, sectors, byUnit };
}
