/**
 * Carbon emission network step (seed 000; methods.md section 9): gravity edges between units,
 * linkage areas, centrality and key units, written to a directory. The units come from a table
 * file or from rows the runner built in code (GDP and population forecasts, emissions).
 * Called by `landcarbon network` and the study runner.
 */
import type { Threshold } from '../../kernels/gravity.js';
import { readRaster } from '../../io/geotiff.js';
import { buildNetwork, NetworkOptions, NetworkResult, readUnits, Units, writeNetwork, zoneCentroids } from '../../models/network.js';
import { Engine } from '../../tiling/engine.js';

export interface NetworkStepInput {
  /** Unit table (id,[name,]gdp,population,emissions[,lon,lat]) or parsed units. */
  units: string | Units;
  /** Zone raster: centroids from it instead of the lon/lat columns. */
  zones?: string;
  threshold: Threshold;
  out: string;
  threads: number;
  weighted?: boolean;
  keyFraction?: number;
  paths?: NetworkOptions['paths'];
}

export interface NetworkStepResult {
  units: Units;
  network: NetworkResult;
  files: string[];
  seconds: number;
}

export async function networkStep(i: NetworkStepInput): Promise<NetworkStepResult> {
  const units = typeof i.units === 'string' ? readUnits(i.units) : i.units;
  let lon = units.lon;
  let lat = units.lat;
  if (i.zones) {
    const z = zoneCentroids(await readRaster(i.zones), i.zones, units);
    lon = z.lon;
    lat = z.lat;
  }
  const engine = new Engine({ threads: i.threads });
  try {
    const t0 = performance.now();
    const r = await buildNetwork(units, lon, lat, { threshold: i.threshold, engine, weighted: !!i.weighted, keyFraction: i.keyFraction ?? 0.1, paths: i.paths ?? 'exact' });
    const files = await writeNetwork(i.out, units, r);
    return { units, network: r, files, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await engine.close();
  }
}
