/**
 * `--zones` as a polygon layer: commands that take a zone raster also take polygon units
 * (GeoJSON / shapefile) with `--zones-id ATTR`; the units are rasterised onto the command's grid
 * first, as `landcarbon prepare zones` does (gdal_rasterize's cell-centre rule), into a
 * temporary folder removed when the command ends.
 */
import { Option } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { isVectorPath } from '../io/vector/read.js';
import { zonesStep } from '../pipeline/steps/prepare.js';
import { parseBudget } from '../tiling/blocks.js';

export function zonesIdOption(): Option {
  return new Option('--zones-id <field>', 'when --zones is a polygon layer (.geojson, .shp): the attribute holding the unit id; rasterised by cell centre as gdal_rasterize');
}

/** The zone raster to use: `zones` itself, or the polygons rasterised onto `like` (call cleanup() when done). */
export async function zonesRaster(zones: string | undefined, zonesId: string | undefined, like: string, o: { memory?: string; blockRows?: string }): Promise<{ path: string | undefined; cleanup: () => void }> {
  if (zones === undefined) {
    if (zonesId !== undefined) throw new ConfigError('--zones-id: goes with --zones naming a polygon layer');
    return { path: undefined, cleanup: () => {} };
  }
  if (!isVectorPath(zones)) {
    if (zonesId !== undefined) throw new ConfigError(`--zones-id: ${zones} is a raster (its cells are the unit ids); --zones-id names an attribute of a polygon layer`);
    return { path: zones, cleanup: () => {} };
  }
  if (zonesId === undefined) throw new ConfigError(`--zones: ${zones} is a polygon layer; give --zones-id, the attribute holding the unit id`);
  const dir = mkdtempSync(join(tmpdir(), 'landcarbon-zones-'));
  const path = join(dir, 'zones.tif');
  try {
    const r = await zonesStep({ units: zones, like, id: zonesId, out: path, ...parseBudget(o) });
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // removed after the command's session has closed its record of the folder (it writes one there)
  const rm = () => rmSync(dir, { recursive: true, force: true });
  return {
    path,
    cleanup: () => {
      setImmediate(rm);
      process.once('exit', rm);
    },
  };
}
