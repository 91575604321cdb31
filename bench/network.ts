/**
 * Benchmark of the carbon emission network at township/county scale: seeded synthetic units
 * (centroids uniform in 100-120 E, 22-42 N; GDP, population, emissions log-uniform), gravity +
 * threshold + linkage areas + centrality (exact, degree only, or sampled), timed per stage.
 *
 *   node dist/bench/network.js --units 40000 --threshold top:0.1% --paths degree [--threads 2]
 *   node dist/bench/network.js --units 3000 --threshold top:1% --paths exact
 * Prints one JSON line (seconds per stage, edges, linkage areas, peak RSS).
 */
import { fileURLToPath } from 'node:url';
import { parseThreshold } from '../src/kernels/gravity.js';
import { RngKey, rngF64 } from '../src/kernels/rng.ref.js';
import { buildNetwork, NetworkOptions, Units } from '../src/models/network.js';
import { Engine } from '../src/tiling/engine.js';

export function syntheticUnits(n: number, seed = 1): Units {
  const key = new RngKey(BigInt(seed), 0x4e57);
  const r = (i: number, k: number) => rngF64(key, 8 * i + k);
  const f = (fn: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => fn(i));
  const ids = Array.from({ length: n }, (_, i) => String(i + 1));
  return {
    source: `synthetic(${n})`,
    ids,
    names: ids,
    lon: f((i) => 100 + 20 * r(i, 0)),
    lat: f((i) => 22 + 20 * r(i, 1)),
    gdp: f((i) => 10 ** (1 + 3 * r(i, 2))),
    population: f((i) => 10 ** (0.5 + 2 * r(i, 3))),
    emissions: f((i) => 10 ** (2 * r(i, 4))),
  };
}

export interface BenchNetworkOptions {
  units: number;
  threshold?: string;
  paths?: NetworkOptions['paths'];
  threads?: number;
  weighted?: boolean;
}

export async function benchNetwork(o: BenchNetworkOptions) {
  const u = syntheticUnits(o.units);
  const engine = new Engine({ threads: o.threads ?? 2 });
  try {
    await engine.warmUp();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await buildNetwork(u, u.lon, u.lat, { threshold: parseThreshold(o.threshold ?? 'top:1%'), engine, paths: o.paths ?? 'exact', weighted: o.weighted });
    const seconds = (performance.now() - t0) / 1000;
    const c1 = process.cpuUsage(c0);
    return {
      bench: 'network',
      units: o.units,
      threshold: o.threshold ?? 'top:1%',
      paths: typeof o.paths === 'object' ? `sample:${o.paths.sample}` : o.paths ?? 'exact',
      threads: engine.threads,
      edges: r.edges.from.length,
      requested: r.edges.requested,
      passes: r.edges.passes,
      linkageAreas: Math.max(0, ...r.linkage),
      seconds,
      stages: r.timings,
      cpuSeconds: (c1.user + c1.system) / 1e6,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      wasmMemoryMiB: Math.round(engine.memory.buffer.byteLength / 2 ** 20),
    };
  } finally {
    await engine.close();
  }
}

async function main(): Promise<void> {
  const arg = (name: string, def: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : def;
  };
  const pm = arg('--paths', 'exact');
  const paths: NetworkOptions['paths'] = pm.startsWith('sample:') ? { sample: Number(pm.slice(7)), seed: 0 } : (pm as 'exact' | 'degree');
  const r = await benchNetwork({ units: Number(arg('--units', '3000')), threshold: arg('--threshold', 'top:1%'), paths, threads: Number(arg('--threads', '2')), weighted: process.argv.includes('--weighted') });
  process.stdout.write(JSON.stringify(r) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exitCode = 1;
  });
}
