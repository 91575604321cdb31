/**
 * `prepare` steps: vector and DEM inputs turned into rasters on the land-use grid.
 *   zonesStep     polygon units -> zone raster (gdal_rasterize's cell-centre rule) + unit table
 *   distanceStep  features (vector or raster) -> Euclidean distance raster (gdal_proximity's definition)
 *   slopeStep     DEM -> slope in degrees (Horn 1981, as gdaldem slope)
 * Called by `landcarbon prepare ...` and by the study runner.
 */
import { InputError } from '../../errors.js';
import { readRasterInfo } from '../../io/geotiff.js';
import { describeGrid, type DType, type Grid } from '../../io/grid.js';
import { writeCsv } from '../../io/table.js';
import { converter, gridCrsDef, type CrsDef } from '../../io/vector/crs.js';
import { readVector, type Geometry, type VectorFeature, type VectorLayer } from '../../io/vector/read.js';
import { Burner, burnable, clockwise, invGeoTransform, outlineCells, type Burnable } from '../../io/vector/rasterize.js';
import { openBlockOutput, planBlocks, runBlocks, writerBytes } from '../../tiling/blocks.js';

export interface BlockOpts {
  memory: number;
  maxRows?: number;
}

/** Positions of a ring as checked [x, y] numbers. */
function ringOf(raw: unknown, where: string): number[][] {
  if (!Array.isArray(raw)) throw new InputError(`${where}: a ring is ${JSON.stringify(raw)} (expected an array of [x, y] positions)`);
  const ring = raw.map((p, k) => {
    if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw new InputError(`${where}: position ${k} is ${JSON.stringify(p)} (expected [x, y] finite numbers)`);
    }
    return [p[0] as number, p[1] as number];
  });
  if (ring.length < 4) throw new InputError(`${where}: a ring has ${ring.length} positions (expected at least 4, the first repeated last; RFC 7946 §3.1.6)`);
  return ring;
}

/** Rings of a Polygon / MultiPolygon (a GeometryCollection of them too); anything else is an error naming the feature. */
export function polygonRings(g: Geometry | null, where: string): number[][][] {
  if (!g) throw new InputError(`${where}: the geometry is empty (null); expected a Polygon or MultiPolygon`);
  if (g.type === 'Polygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) throw new InputError(`${where}: the Polygon is empty; expected at least one ring`);
    return g.coordinates.map((r) => ringOf(r, where));
  }
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) throw new InputError(`${where}: the MultiPolygon is empty; expected at least one polygon`);
    return (g.coordinates as unknown[]).flatMap((p) => {
      if (!Array.isArray(p) || p.length === 0) throw new InputError(`${where}: a polygon of the MultiPolygon is empty`);
      return p.map((r) => ringOf(r, where));
    });
  }
  if (g.type === 'GeometryCollection' && Array.isArray(g.geometries) && g.geometries.length) return g.geometries.flatMap((x) => polygonRings(x, where));
  throw new InputError(`${where}: geometry type ${g.type} (expected Polygon or MultiPolygon: units are areas)`);
}

export interface PixelMapper {
  /** layer CRS -> grid CRS (map coordinates) */
  map: (xy: number[]) => number[];
  /** grid map coordinates -> pixel/line */
  pixel: (xy: number[]) => number[];
  from: string;
  to: string;
}

/** The layer's coordinates -> the grid's CRS (proj4 when they differ) -> pixel space. */
export function pixelMapper(layer: VectorLayer, grid: Grid, gridName: string): PixelMapper {
  let conv: ((xy: number[]) => number[]) | null = null;
  let from = 'the grid CRS (no CRS recorded)', to = 'no CRS';
  if (layer.crs === null) {
    if (grid.crs) throw new InputError(`${layer.source}: no .prj beside it, so its CRS is unknown (expected a .prj; the grid ${gridName} is in ${gridCrsDef(grid.crs, gridName).label})`);
  } else {
    const dst: CrsDef = gridCrsDef(grid.crs, gridName);
    conv = converter(layer.crs, dst);
    from = layer.crs.label;
    to = dst.label;
  }
  const inv = invGeoTransform(grid.transform);
  const map = (xy: number[]): number[] => {
    const p = conv ? conv(xy) : xy;
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new InputError(`${layer.source}: position [${xy.join(', ')}] does not project from ${from} to ${to} (outside the projection's domain?)`);
    return p;
  };
  // GDALApplyGeoTransform with the inverse transform
  const pixel = (p: number[]): number[] => [inv[0] + p[0] * inv[1] + p[1] * inv[2], inv[3] + p[0] * inv[4] + p[1] * inv[5]];
  return { map, pixel, from, to };
}

/** A unit id: a positive integer (number, or a string of digits such as ADCODE "110101"). */
function unitId(v: unknown, where: string, field: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 4294967295) {
    throw new InputError(`${where}: ${field} = ${JSON.stringify(v)} (expected a whole number in [1, 4294967295]: zone rasters hold integer ids, 0 is NoData)`);
  }
  return n;
}

function checkField(layer: VectorLayer, field: string, option: string): void {
  if (!layer.fields.includes(field)) {
    throw new InputError(`${layer.source}: ${option} attribute ${JSON.stringify(field)} not found (has: ${layer.fields.join(', ') || 'no attributes'})`);
  }
}

export interface UnitRow {
  id: number;
  name: string;
  cells: number;
  attributes: Record<string, unknown>;
}

export interface ZonesStepInput extends BlockOpts {
  units: string;
  like: string;
  id: string;
  name?: string;
  out: string;
  /** Unit table (CSV: id, name, cells, other attributes). */
  table?: string;
  /** gdal_rasterize -at: every cell a unit's outline touches, as well as those whose centre is inside. */
  allTouched?: boolean;
}

export interface ZonesStepResult {
  units: UnitRow[];
  dtype: DType;
  cells: number;
  /** Units that cover no cell centre (outside the grid or smaller than a cell): reported, not silent. */
  warnings: string[];
  crs: { from: string; to: string };
}

export function zoneFeatures(layer: VectorLayer, idField: string, nameField?: string): Array<{ f: VectorFeature; id: number; name: string }> {
  checkField(layer, idField, 'id');
  if (nameField !== undefined) checkField(layer, nameField, 'name');
  if (layer.features.length === 0) throw new InputError(`${layer.source}: the layer has no features (expected polygon units)`);
  const seen = new Map<number, number>();
  return layer.features.map((f) => {
    const where = `${layer.source}: feature ${f.index}`;
    const id = unitId(f.properties[idField], where, idField);
    const prev = seen.get(id);
    if (prev !== undefined) throw new InputError(`${where}: ${idField} = ${id} also in feature ${prev} (expected unique unit ids)`);
    seen.set(id, f.index);
    const nv = nameField === undefined ? '' : f.properties[nameField];
    return { f, id, name: nv === null || nv === undefined ? '' : String(nv) };
  });
}

export async function zonesStep(i: ZonesStepInput): Promise<ZonesStepResult> {
  const info = await readRasterInfo(i.like);
  const grid = info.grid;
  const layer = await readVector(i.units);
  const feats = zoneFeatures(layer, i.id, i.name);
  const mapper = pixelMapper(layer, grid, i.like);
  const items: Burnable[] = [];
  for (const { f, id } of feats) {
    const rings = polygonRings(f.geometry, `${layer.source}: feature ${f.index} (${i.id} ${id})`).map((r) => clockwise(r.map(mapper.map)).map(mapper.pixel));
    const b = burnable(rings, id);
    if (b) {
      if (i.allTouched) b.cells = outlineCells(rings, grid.width, grid.height);
      items.push(b);
    }
  }
  const maxId = Math.max(...feats.map((u) => u.id));
  const dtype: DType = maxId <= 65535 ? 'uint16' : 'uint32';
  const { width, height } = grid;
  const plan = planBlocks({ width, height, memory: i.memory, maxRows: i.maxRows, bytesPerCell: dtype === 'uint16' ? 2 : 4, fixedBytes: writerBytes(width, 1, dtype), what: 'prepare zones' });
  const outGrid: Grid = { ...grid, nodata: 0 };
  const out = openBlockOutput(i.out, { grid: outGrid, dtype });
  const burner = new Burner(items, width, height);
  const counts = new Map<number, number>();
  await runBlocks(plan, [out], async (b) => {
    const a = dtype === 'uint16' ? new Uint16Array(b.rows * width) : new Uint32Array(b.rows * width);
    burner.burnRows(b.row0, b.rows, a);
    for (let k = 0; k < a.length; k++) if (a[k] !== 0) counts.set(a[k], (counts.get(a[k]) ?? 0) + 1);
    // no unit on the grid: refuse before the output is renamed into place (runBlocks discards it)
    if (b.index === plan.blocks.length - 1 && counts.size === 0) {
      throw new InputError(`${layer.source}: no unit covers a cell centre of ${i.like} (${describeGrid(grid)}; units reprojected from ${mapper.from} to ${mapper.to}); expected units that overlap the grid`);
    }
    await out.write(b, [a]);
  });
  const cells = [...counts.values()].reduce((s, c) => s + c, 0);
  const units: UnitRow[] = feats.map(({ f, id, name }) => {
    const attributes: Record<string, unknown> = {};
    for (const k of layer.fields) if (k !== i.id && k !== i.name) attributes[k] = f.properties[k];
    return { id, name, cells: counts.get(id) ?? 0, attributes };
  });
  const warnings = units.filter((u) => u.cells === 0).map((u) => `${layer.source}: unit ${u.id}${u.name ? ` (${u.name})` : ''} covers no cell centre of ${i.like} (outside the grid, smaller than a cell, or hidden by a later unit); it is in the table with 0 cells`);
  if (i.table) {
    const extra = layer.fields.filter((k) => k !== i.id && k !== i.name);
    writeCsv(i.table, ['id', 'name', 'cells', ...extra], units.map((u) => [u.id, u.name, u.cells, ...extra.map((k) => cellText(u.attributes[k]))]));
  }
  return { units, dtype, cells, warnings, crs: { from: mapper.from, to: mapper.to } };
}

function cellText(v: unknown): string | number {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'string') return v;
  return JSON.stringify(v);
}
