/**
 * The vector side of a study run (issue 13): polygon units rasterised onto the land-use grid
 * (step prepare-zones), distance drivers from features (steps prepare-distance-<name>), and
 * the per-unit tables of every map (steps by-unit-<label>: CSV, and GeoJSON with the unit
 * polygons when the units are polygons, ready for QGIS). Every piece is a runner step, hashed
 * and resumable like the others.
 */
import { existsSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readCsv, writeCsv } from '../io/table.js';
import { parsePoolTable, totalDensity } from '../models/carbon/storage.js';
import { converter, WGS84 } from '../io/vector/crs.js';
import { readVector, vectorFiles, isVectorPath, type Geometry } from '../io/vector/read.js';
import { zoneUnits, type UnitInput } from '../models/balance.js';
import { loadScheme } from '../models/schemes.js';
import { parseBudget } from '../tiling/blocks.js';
import type { Runner } from './runner.js';
import type { Study } from './study.js';
import type { MapCarbon } from './plan.js';
import { zonesStep } from './steps/prepare.js';
import { distanceStep } from './steps/prepare-raster.js';

export interface PreparedVectors {
  /** The study with zone raster and driver rasters in place of the vector inputs. */
  study: Study;
  /** Unit names from the polygons' name attribute. */
  names: Map<number, string>;
  notes: string[];
  /** The polygon units, when the units are polygons. */
  polygons: { file: string; id: string } | null;
}

export async function prepareVectors(r: Runner, study: Study, P: (...p: string[]) => string): Promise<PreparedVectors> {
  const grid = study.landuse.epochs[0].file;
  const budget = parseBudget({});
  const notes: string[] = [];
  const names = new Map<number, string>();
  let units = study.units;
  let polygons: PreparedVectors['polygons'] = null;
  if (isVectorPath(study.units.zones)) {
    if (!study.units.id) throw new ConfigError(`${study.units.zones}: polygon units need units.id (the attribute holding the unit id)`);
    const zones = P('prepare', 'zones.tif'), table = P('prepare', 'units.csv');
    const src = study.units.zones, id = study.units.id;
    const nameAttr = study.units.name;
    const x = await r.step({
      name: 'prepare-zones',
      title: `rasterise the polygon units onto the land-use grid (${study.units.allTouched ? 'all touched cells, as gdal_rasterize -at' : 'cell centres, as gdal_rasterize'})`,
      inputs: [...vectorFiles(src), grid],
      params: { id, name: nameAttr ?? null, allTouched: study.units.allTouched ?? false },
      outputs: [zones, table],
      run: async () => {
        const layer = await readVector(src);
        const hasName = nameAttr !== undefined && layer.fields.includes(nameAttr);
        const z = await zonesStep({ units: src, like: grid, id, name: hasName ? nameAttr : undefined, out: zones, table, allTouched: study.units.allTouched ?? false, ...budget });
        return { units: z.units.map((u) => ({ id: u.id, name: u.name, cells: u.cells })), warnings: z.warnings, crs: z.crs };
      },
    });
    for (const u of x.units) if (u.name) names.set(u.id, u.name);
    notes.push(`Units: ${x.units.length} polygons of ${src} rasterised onto the land-use grid (${x.crs.from} -> ${x.crs.to}); ${x.units.filter((u) => u.cells > 0).length} cover cells.`);
    for (const w of x.warnings) notes.push(`Warning: ${w}`);
    units = { ...units, zones };
    polygons = { file: src, id };
  }
  const drivers: Study['drivers'] = [];
  for (const d of study.drivers) {
    if (!d.distanceTo) {
      drivers.push(d);
      continue;
    }
    const out = P('prepare', `distance_${d.name.replace(/[^A-Za-z0-9_-]/g, '_')}.tif`);
    const to = d.distanceTo;
    const vector = isVectorPath(to);
    const x = await r.step({
      name: `prepare-distance-${d.name.replace(/[^A-Za-z0-9_-]/g, '_')}`,
      title: `distance to ${to} (driver ${d.name}, as gdal_proximity)`,
      inputs: [...(vector ? vectorFiles(to) : [to]), grid],
      params: { values: d.values ?? null },
      outputs: [out],
      run: async () => {
        const y = await distanceStep({ to, like: grid, values: vector ? undefined : d.values, out, ...budget });
        return { targets: y.targets, max: y.max };
      },
    });
    notes.push(`Driver ${d.name}: distance to ${x.targets} target cells of ${to}, at most ${+x.max.toPrecision(6)} map units.`);
    drivers.push({ name: d.name, file: out });
  }
  return { study: { ...study, units, drivers }, names, notes, polygons };
}

/** JSON-safe number (Infinity and NaN as null) for GeoJSON properties. */
const finite = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

/**
 * tables/by_unit_<label>.csv for every map: unit, name, area_ha, ce, cs, budget, then per scheme
 * <scheme>_zone, _reason, _ccr, _cbi, _ecc, _esc, the area of each class (area_ha_<class>), and
 * with a pool table the storage (t C) and mean carbon density (t C/ha, kg C/m2); with polygon
 * units also by_unit_<label>.geojson (the polygons in WGS 84 with their attributes and these columns).
 */
export async function writeUnitTables(
  r: Runner,
  P: (...p: string[]) => string,
  carbon: MapCarbon[],
  s: Study,
  unitIds: number[],
  unitNames: Record<string, string>,
  areaKm2: (u: number) => number,
  unitInputs: (c: MapCarbon, withLinkage: boolean) => UnitInput[],
  linkageOf: Map<string, Map<number, number>>,
  polygons: PreparedVectors['polygons'],
  areas: { classCellsOf: Map<string, Map<number, Map<number, number>>>; pixelAreaHa: number },
): Promise<string[]> {
  const pools = s.carbon.pools ? parsePoolTable(readCsv(s.carbon.pools)) : null;
  const density = new Map((pools ?? []).map((p) => [p.code, totalDensity(p)]));
  const files: string[] = [];
  for (const c of carbon) {
    const csv = P('tables', `by_unit_${c.label}.csv`);
    const geo = P('tables', `by_unit_${c.label}.geojson`);
    const schemes = s.balance.schemes.filter((x) => x !== 'bth' || linkageOf.has(c.label));
    const inputs = schemes.map((x) => ({ scheme: x, units: unitInputs(c, x === 'bth') }));
    const cells = areas.classCellsOf.get(c.label) ?? new Map<number, Map<number, number>>();
    const classArea = unitIds.map((u) => s.landuse.classes.map((k) => (cells.get(u)?.get(k.code) ?? 0) * areas.pixelAreaHa));
    await r.step({
      name: `by-unit-${c.label}`,
      title: `per-unit table ${c.label.replace('_', ' ')}`,
      inputs: [...schemes.filter((x) => existsSync(x)), ...(polygons ? vectorFiles(polygons.file) : []), ...(s.carbon.pools ? [s.carbon.pools] : [])],
      params: { byUnit: c.byUnit, unit: c.unit, names: unitIds.map((u) => unitNames[u]), area: unitIds.map(areaKm2), inputs, classArea },
      outputs: polygons ? [csv, geo] : [csv],
      run: async () => {
        const zoned = inputs.map((x) => {
          const z = zoneUnits(x.units, loadScheme(x.scheme));
          return new Map(z.map((u) => [Number(u.unit), u]));
        });
        const tag = (x: string) => (existsSync(x) ? x.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') : x).replace(/[^A-Za-z0-9_-]/g, '_');
        const columns = [
          'unit', 'name', 'area_ha', `ce_${c.unit}`, `cs_${c.unit}`, `budget_${c.unit}`,
          ...schemes.flatMap((x) => ['zone', 'reason', 'ccr', 'cbi', 'ecc', 'esc'].map((k) => `${tag(x)}_${k}`)),
          ...s.landuse.classes.map((k) => `area_ha_${k.name}`),
          ...(pools ? ['storage_tC', 'density_tC_per_ha', 'density_kgC_per_m2'] : []),
        ];
        const index = new Map(unitIds.map((u, i) => [u, i]));
        const rows = c.byUnit.map((b) => {
          const ca = classArea[index.get(b.unit) ?? -1] ?? s.landuse.classes.map(() => 0);
          const area = ca.reduce((a, x) => a + x, 0);
          // InVEST storage of the map in this unit: area x (above + below + soil + dead), t C
          const storage = s.landuse.classes.reduce((a, k, j) => a + ca[j] * (density.get(k.code) ?? 0), 0);
          return [
            b.unit, unitNames[b.unit] ?? String(b.unit), area, b.ce, b.cs, b.budget,
            ...zoned.flatMap((m) => {
              const z = m.get(b.unit);
              return z ? [z.zone, z.reason, z.ccr, z.cbi, z.ecc, z.esc] : ['', '', '', '', '', ''];
            }),
            ...ca,
            // t/ha x 1000 kg / 10 000 m2 = kg/m2 x 10
            ...(pools ? [storage, area > 0 ? storage / area : '', area > 0 ? storage / area / 10 : ''] : []),
          ];
        });
        writeCsv(csv, columns, rows);
        if (polygons) {
          const layer = await readVector(polygons.file);
          const conv = layer.crs ? converter(layer.crs, WGS84) : null;
          const byId = new Map(rows.map((row) => [Number(row[0]), row]));
          const features = layer.features.map((f) => {
            const id = Number(f.properties[polygons.id]);
            const row = byId.get(id);
            const props: Record<string, unknown> = { ...f.properties };
            columns.slice(1).forEach((k, j) => (props[k] = row ? finite(row[j + 1]) : null));
            return { type: 'Feature', properties: props, geometry: conv ? mapGeometry(f.geometry, conv) : f.geometry };
          });
          writeFileAtomic(geo, JSON.stringify({ type: 'FeatureCollection', features }) + '\n');
        }
        return null;
      },
    });
    files.push(csv, ...(polygons ? [geo] : []));
  }
  return files;
}

function mapGeometry(g: Geometry | null, f: (xy: number[]) => number[]): Geometry | null {
  if (!g) return g;
  const deep = (c: unknown): unknown => (Array.isArray(c) && typeof c[0] === 'number' ? f(c as number[]) : Array.isArray(c) ? c.map(deep) : c);
  if (g.type === 'GeometryCollection') return { type: g.type, geometries: (g.geometries ?? []).map((x) => mapGeometry(x, f)!) };
  return { type: g.type, coordinates: deep(g.coordinates) };
}
