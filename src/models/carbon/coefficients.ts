/**
 * Coefficient method of land-use carbon emissions (methods.md section 6; seed 000 eq. 1,
 * seed 001 eq. 1):  E = sum_i A_i * a_i, A_i in ha (cells * pixel area), a_i in t/ha/yr,
 * positive = source, negative = sink. Per unit: CE = sum of the positive class emissions,
 * CS = |sum of the negative ones|, budget = CE - CS.
 *
 * Units are carried explicitly: the table's unit comes from its `unit` column (tC or tCO2,
 * per ha per year; an optional "/ha/yr" suffix is accepted) or from the caller; results are in
 * that unit unless another is asked for, converted with 44/12 (t CO2 = 44/12 t C).
 * Coefficients may depend on region (seed 001's six regions): rows with a `region` override the
 * region-less row of the same code for units of that region (unit table: unit,region).
 *
 * Check: seed 000 Table 5 (2035 ND) x Table 2: cropland 9,236,893 ha x 0.42 t CO2/ha
 * = 3,879,495 t = 387.95 x 10^4 t (Table 6).
 */
import { ConfigError, InputError } from '../../errors.js';
import { isNoData, Raster } from '../../io/grid.js';
import { columnIndex, hasColumn, Table } from '../../io/table.js';
import { classMap } from '../../kernels/classmap.js';
import { Engine } from '../../tiling/engine.js';
import type { Block } from '../../tiling/blocks.js';
import { CARBON_NODATA, checkIntegerRaster, codesIn, listCodes, lutRange } from './common.js';
import { checkSameGrid } from '../../io/grid.js';

export type CarbonUnit = 'tC' | 'tCO2';

/** Cells per strip of the emission map through the class-map kernel (bounds its shared memory). */
const EMISSION_STRIP_CELLS = 1 << 24;

/** t CO2 per t C. */
export const CO2_PER_C = 44 / 12;

export function parseCarbonUnit(s: string, where: string): CarbonUnit {
  const t = s.trim().replace(/\s+/g, '').replace(/\/(ha|hm2)\/(yr|a|year)$/i, '').toLowerCase();
  if (t === 'tc' || t === 'c') return 'tC';
  if (t === 'tco2' || t === 'co2') return 'tCO2';
  throw new ConfigError(`${where}: unknown carbon unit ${JSON.stringify(s)}, expected tC or tCO2 (per ha per year)`);
}

/** Factor converting an amount in `from` to `to`. */
export function unitFactor(from: CarbonUnit, to: CarbonUnit): number {
  if (from === to) return 1;
  return from === 'tC' ? CO2_PER_C : 1 / CO2_PER_C;
}

export interface CoefficientRow {
  code: number;
  name: string;
  /** t/ha/yr in the table's unit; positive source, negative sink. */
  coefficient: number;
  region: string | null;
}

export interface CoefficientTable {
  source: string;
  /** null when neither the table nor the caller states it. */
  unit: CarbonUnit | null;
  rows: CoefficientRow[];
}

/** Reads code,name,coefficient (+ region, + unit) rows; `unit` overrides/declares the table's unit. */
export function parseCoefficientTable(t: Table, unit?: CarbonUnit): CoefficientTable {
  const ic = columnIndex(t, 'code');
  const iname = hasColumn(t, 'name') ? columnIndex(t, 'name') : -1;
  const ik = columnIndex(t, 'coefficient');
  const ir = hasColumn(t, 'region') ? columnIndex(t, 'region') : -1;
  const iu = hasColumn(t, 'unit') ? columnIndex(t, 'unit') : -1;
  let tableUnit: CarbonUnit | null = null;
  const seen = new Set<string>();
  const rows = t.rows.map((row, r) => {
    const code = Number(row[ic]);
    if (row[ic] === '' || !Number.isInteger(code)) throw new InputError(`${t.source}: row ${r + 1}, column "code": expected an integer land-use code, got ${JSON.stringify(row[ic])}`);
    const k = row[ik] === '' ? NaN : Number(row[ik]);
    if (!Number.isFinite(k)) throw new InputError(`${t.source}: row ${r + 1} (code ${code}), column "coefficient": expected a number, got ${JSON.stringify(row[ik])}`);
    const region = ir >= 0 && row[ir] !== '' ? row[ir] : null;
    const key = `${code}|${region ?? ''}`;
    if (seen.has(key)) throw new InputError(`${t.source}: row ${r + 1}: duplicate coefficient for code ${code}${region ? ` in region ${JSON.stringify(region)}` : ''}`);
    seen.add(key);
    if (iu >= 0 && row[iu] !== '') {
      const u = parseCarbonUnit(row[iu], `${t.source}: row ${r + 1}, column "unit"`);
      if (tableUnit && u !== tableUnit) throw new InputError(`${t.source}: row ${r + 1}: unit ${u} differs from ${tableUnit} on earlier rows; use one unit per table`);
      tableUnit = u;
    }
    return { code, name: iname >= 0 ? row[iname] : String(code), coefficient: k, region };
  });
  if (rows.length === 0) throw new InputError(`${t.source}: no coefficient rows`);
  if (unit && tableUnit && unit !== tableUnit) {
    throw new ConfigError(`--coefficient-unit ${unit} contradicts ${t.source}, whose unit column says ${tableUnit}`);
  }
  return { source: t.source, unit: unit ?? tableUnit, rows };
}

/** Reads unit,region rows (unit ids are the integer zone ids of the zone raster). */
export function parseUnitRegions(t: Table): Map<number, string | null> {
  const iu = columnIndex(t, 'unit');
  const ir = hasColumn(t, 'region') ? columnIndex(t, 'region') : -1;
  const m = new Map<number, string | null>();
  t.rows.forEach((row, r) => {
    const u = Number(row[iu]);
    if (row[iu] === '' || !Number.isInteger(u)) throw new InputError(`${t.source}: row ${r + 1}, column "unit": expected an integer zone id, got ${JSON.stringify(row[iu])}`);
    if (m.has(u)) throw new InputError(`${t.source}: row ${r + 1}: duplicate unit ${u}`);
    m.set(u, ir >= 0 && row[ir] !== '' ? row[ir] : null);
  });
  return m;
}

/** Emission of each class from its area: area_ha * coefficient (the Table 5 x Table 2 product). */
export function classEmissions(areasHa: ArrayLike<number>, coefficients: ArrayLike<number>): number[] {
  if (areasHa.length !== coefficients.length) throw new ConfigError(`classEmissions: ${areasHa.length} areas but ${coefficients.length} coefficients`);
  return Array.from(areasHa, (a, i) => {
    if (!(a >= 0)) throw new InputError(`class ${i + 1}: a negative area ${a} ha, expected >= 0`);
    return a * coefficients[i];
  });
}

/** CE, CS, budget from class emissions. */
export function ceCs(emissions: ArrayLike<number>): { ce: number; cs: number; budget: number } {
  let ce = 0, cs = 0;
  for (let i = 0; i < emissions.length; i++) {
    const e = emissions[i];
    if (e > 0) ce += e;
    else cs -= e;
  }
  return { ce, cs, budget: ce - cs };
}

export interface EmissionsInput {
  landuse: Raster;
  landuseName: string;
  coefficients: CoefficientTable;
  /** Hectares per cell. */
  pixelAreaHa: number;
  zones?: Raster;
  zonesName?: string;
  /** Unit table: zone id -> region (null: no region). Required for region coefficients. */
  units?: Map<number, string | null>;
  unitsName?: string;
  /** Output unit; default the table's. Converting needs the table's unit. */
  outUnit?: CarbonUnit;
}

export interface ClassRow {
  code: number;
  name: string;
  cells: number;
  areaHa: number;
  emission: number;
}

export interface UnitRow {
  unit: number;
  region: string | null;
  ce: number;
  cs: number;
  budget: number;
  /** Emission per class, in `classCodes` order. */
  byClass: number[];
  /** Area (ha) per class. */
  areaByClass: number[];
}

export interface EmissionsResult {
  /** 'tC' | 'tCO2' per year, or 'table units' when the table states none. */
  unit: string;
  /** Conversion applied to the table's coefficients. */
  factor: number;
  classCodes: number[];
  byClass: ClassRow[];
  byUnit: UnitRow[] | null;
  /** Per-cell emission (t/yr), float64, NoData CARBON_NODATA. */
  map: Raster<Float64Array>;
  /** Valid land-use cells outside every zone (not in by_unit; NoData in the map when coefficients are regional). */
  cellsOutsideUnits: number;
  total: { ce: number; cs: number; budget: number };
}

/**
 * Emission raster, per-class totals and (with zones) per-unit CE, CS, budget and class
 * emissions. Per-unit sums come from exact (zone, class) cell counts x area x coefficient.
 */
export async function carbonEmissions(engine: Engine, input: EmissionsInput): Promise<EmissionsResult> {
  const { landuse } = input;
  const { width, height } = landuse.grid;
  const out = new Float64Array(width * height);
  const whole: Block = { index: 0, row0: 0, rows: height, haloTop: 0, haloBottom: 0 };
  const r = await carbonEmissionsBlocks(
    engine,
    { ...input, landuse: { grid: landuse.grid, dtype: landuse.dtype }, zones: input.zones && { grid: input.zones.grid, dtype: input.zones.dtype } },
    { blocks: [whole], read: async () => ({ landuse, zones: input.zones }), write: async (_b, m) => void out.set(m) },
  );
  return { ...r, map: { grid: { ...landuse.grid, nodata: CARBON_NODATA }, dtype: 'float64', data: out } };
}

/** Where the blocks of an emissions run come from and where the map goes (in row order). */
export interface EmissionsBlocks {
  blocks: Block[];
  read(b: Block): Promise<{ landuse: Raster; zones?: Raster }>;
  write(b: Block, map: Float64Array): Promise<void>;
}

/** Header of a raster (grid and dtype) without its data. */
export type RasterMeta = Pick<Raster, 'grid' | 'dtype'>;

/**
 * The coefficient method block by block: one pass finds the codes, a second maps, counts and
 * writes. Counts are integers, so the result is the same for any blocks.
 */
export async function carbonEmissionsBlocks(
  engine: Engine,
  input: Omit<EmissionsInput, 'landuse' | 'zones'> & { landuse: RasterMeta; zones?: RasterMeta },
  src: EmissionsBlocks,
): Promise<Omit<EmissionsResult, 'map'> & { map: { grid: Raster['grid'] } }> {
  const { landuse, landuseName, coefficients: table } = input;
  checkIntegerRaster(landuse, landuseName, 'land-use');
  if (!(input.pixelAreaHa > 0)) throw new ConfigError(`pixel area: expected > 0 ha, got ${input.pixelAreaHa}`);
  let factor = 1;
  let unitLabel: string = table.unit ?? 'table units';
  if (input.outUnit) {
    if (!table.unit) throw new ConfigError(`--unit ${input.outUnit}: ${table.source} does not state its unit (add a unit column or --coefficient-unit), so it cannot be converted`);
    factor = unitFactor(table.unit, input.outUnit);
    unitLabel = input.outUnit;
  }
  const regional = table.rows.some((r) => r.region !== null);
  const zones = input.zones;
  const zonesName = input.zonesName ?? 'zones';
  const unitsName = input.unitsName ?? 'unit table';
  if (zones) {
    checkIntegerRaster(zones, zonesName, 'zone');
    checkSameGrid(landuse.grid, landuseName, zones.grid, zonesName);
  }
  if (regional && (!zones || !input.units)) {
    throw new ConfigError(`${table.source} has region-specific coefficients: give --zones and --units (unit,region) so every unit has a region`);
  }

  // pass 1: codes present
  const seenClasses = new Set<number>();
  const seenZones = new Set<number>();
  for (const b of src.blocks) {
    const r = await src.read(b);
    for (const c of codesIn(r.landuse)) seenClasses.add(c);
    if (r.zones) for (const z of codesIn(r.zones)) seenZones.add(z);
  }
  // classes present and their coefficients
  const classCodes = [...seenClasses].sort((a, b) => a - b);
  const defaults = new Map<number, CoefficientRow>();
  const names = new Map<number, string>();
  for (const r of table.rows) {
    if (r.region === null) defaults.set(r.code, r);
    if (!names.has(r.code)) names.set(r.code, r.name);
  }
  const noRow = classCodes.filter((c) => !names.has(c));
  if (noRow.length > 0) throw new InputError(`${landuseName}: land-use codes ${listCodes(noRow)} have no row in ${table.source}`);

  // zones: ids, unit table, regions
  let zoneIds: number[] = [];
  let regions: string[] = [''];
  let zoneRegion = new Map<number, number>(); // zone id -> region index (0 = no region)
  if (zones) {
    zoneIds = [...seenZones].sort((a, b) => a - b);
    if (input.units) {
      const missing = zoneIds.filter((z) => !input.units!.has(z));
      if (missing.length > 0) throw new InputError(`${zonesName}: units ${listCodes(missing)} are missing from ${unitsName}`);
      zoneIds = [...input.units.keys()].sort((a, b) => a - b);
      if (regional) {
        const tableRegions = new Set(table.rows.filter((r) => r.region !== null).map((r) => r.region!));
        regions = ['', ...tableRegions];
        for (const z of zoneIds) {
          const reg = input.units.get(z) ?? null;
          if (reg !== null && !tableRegions.has(reg)) {
            throw new InputError(`${unitsName}: unit ${z} has region ${JSON.stringify(reg)}, which no row of ${table.source} names (regions: ${[...tableRegions].join(', ')})`);
          }
          zoneRegion.set(z, reg === null ? 0 : regions.indexOf(reg));
        }
      }
    }
  }
  const nc = classCodes.length;
  const nr = regions.length;
  // coefficient matrix region x class (t/ha/yr, output unit); NaN = no coefficient
  const coef = new Float64Array(nr * nc).fill(NaN);
  for (let ri = 0; ri < nr; ri++) {
    for (let ci = 0; ci < nc; ci++) {
      const code = classCodes[ci];
      const row = ri === 0 ? defaults.get(code) : table.rows.find((r) => r.code === code && r.region === regions[ri]) ?? defaults.get(code);
      if (row) coef[ri * nc + ci] = row.coefficient * factor;
    }
  }
  if (regional) {
    for (const z of zoneIds) {
      const ri = zoneRegion.get(z) ?? 0;
      const miss = classCodes.filter((_, ci) => Number.isNaN(coef[ri * nc + ci]));
      if (miss.length > 0) {
        throw new InputError(`${landuseName}: land-use codes ${listCodes(miss)} have no row in ${table.source} for region ${JSON.stringify(regions[ri] || '(none)')} of unit ${z} (and no region-less row)`);
      }
    }
  } else {
    const miss = classCodes.filter((_, ci) => Number.isNaN(coef[ci]));
    if (miss.length > 0) throw new InputError(`${landuseName}: land-use codes ${listCodes(miss)} have no region-less row in ${table.source}`);
  }

  // pass 2, per block: emission map, class counts and (zone, class) counts (dense LUTs over the code ranges)
  const luNd = landuse.grid.nodata;
  const { min: cmin, size: csize } = lutRange(classCodes, landuseName);
  const clut = new Int32Array(csize).fill(-1);
  classCodes.forEach((c, i) => (clut[c - cmin] = i));
  const zNd = zones?.grid.nodata ?? null;
  const { min: zmin, size: zsize } = lutRange(zoneIds, zonesName);
  const zlut = new Int32Array(zsize).fill(-1); // zone id -> region index
  const zidx = new Int32Array(zsize).fill(-1); // zone id -> index in zoneIds
  zoneIds.forEach((z, k) => {
    zlut[z - zmin] = regional ? zoneRegion.get(z) ?? 0 : 0;
    zidx[z - zmin] = k;
  });
  const counts = new Float64Array(nc);
  const zc = new Float64Array(zoneIds.length * nc);
  const pa = input.pixelAreaHa;
  const perCell = new Float64Array(nr * nc);
  for (let k = 0; k < nr * nc; k++) perCell[k] = coef[k] * pa;
  // Without regional coefficients a cell's emission depends on its class only: the map is the
  // class-map kernel (assembly/classmap.ts, same f64 values perCell[ci]), run in strips of rows
  // to bound the shared memory it uses; the loop below then only counts.
  const mapInKernel = !regional;
  const lut = new Float64Array(csize).fill(NaN);
  classCodes.forEach((c, i) => (lut[c - cmin] = perCell[i]));
  const w = landuse.grid.width;
  let outside = 0;
  for (const blk of src.blocks) {
    const r = await src.read(blk);
    const lu = r.landuse.data;
    const zd = r.zones?.data;
    const n = lu.length;
    const out = new Float64Array(n);
    if (mapInKernel && n > 0) {
      const stripRows = Math.max(1, Math.floor(EMISSION_STRIP_CELLS / w));
      for (let r0 = 0; r0 < blk.rows; r0 += stripRows) {
        const rows = Math.min(stripRows, blk.rows - r0);
        const a = r0 * w, b = (r0 + rows) * w;
        await classMap(
          engine,
          { width: w, height: rows, classes: { dtype: landuse.dtype, data: lu.subarray(a, b), nodata: luNd, name: landuseName }, lut, lutMin: cmin, outType: 'float64', nodata: CARBON_NODATA },
          { out: out.subarray(a, b) },
        );
      }
    }
    for (let i = 0; i < n; i++) {
      const c = lu[i];
      if (isNoData(c, luNd)) {
        if (!mapInKernel) out[i] = CARBON_NODATA;
        continue;
      }
      const ci = clut[c - cmin];
      let ri = 0;
      if (zd) {
        const z = zd[i];
        const zi = isNoData(z, zNd) ? -1 : zlut[z - zmin];
        if (zi === undefined || zi < 0) {
          outside++;
          if (regional) {
            out[i] = CARBON_NODATA;
            continue;
          }
        } else {
          ri = zi;
          zc[zidx[z - zmin] * nc + ci]++;
        }
      }
      if (!mapInKernel) out[i] = perCell[ri * nc + ci];
      counts[ci]++;
    }
    await src.write(blk, out);
  }

  // per-unit sums from (zone, class) counts
  let byUnit: UnitRow[] | null = null;
  let byClassEm: number[];
  if (zones) {
    byUnit = zoneIds.map((z, zi) => {
      const ri = regional ? zoneRegion.get(z) ?? 0 : 0;
      const em = new Array<number>(nc).fill(0);
      const ar = new Array<number>(nc).fill(0);
      for (let ci = 0; ci < nc; ci++) {
        const cnt = zc[zi * nc + ci];
        if (cnt === 0) continue;
        ar[ci] = cnt * pa;
        em[ci] = cnt * perCell[ri * nc + ci];
      }
      const t = ceCs(em);
      return { unit: z, region: regional ? regions[ri] || null : input.units?.get(z) ?? null, ...t, byClass: em, areaByClass: ar };
    });
    // class totals: units, plus cells outside units when coefficients are not regional
    byClassEm = classCodes.map((_, ci) => {
      let s = 0;
      for (const u of byUnit!) s += u.byClass[ci];
      return s;
    });
    if (!regional && outside > 0) {
      const inUnits = classCodes.map((_, ci) => byUnit!.reduce((a, u) => a + u.areaByClass[ci] / pa, 0));
      byClassEm = byClassEm.map((e, ci) => e + (counts[ci] - inUnits[ci]) * perCell[ci]);
    }
  } else {
    byClassEm = classCodes.map((_, ci) => counts[ci] * perCell[ci]);
  }
  const byClass: ClassRow[] = classCodes.map((code, ci) => ({ code, name: names.get(code)!, cells: counts[ci], areaHa: counts[ci] * pa, emission: byClassEm[ci] }));
  return {
    unit: unitLabel,
    factor,
    classCodes,
    byClass,
    byUnit,
    map: { grid: { ...landuse.grid, nodata: CARBON_NODATA } },
    cellsOutsideUnits: outside,
    total: ceCs(byClassEm),
  };
}
