/**
 * `landcarbon network --units U.csv [--zones Z.tif] --threshold top:1%|value:X|row-mean --out DIR`
 * Carbon emission network (seed 000; methods.md section 9): gravity edges, linkage areas,
 * centrality and key units. Writes DIR/edges.csv (from, to, gravity, distance_km),
 * DIR/centrality.csv (unit, out_degree, in_degree, out_closeness, in_closeness, betweenness,
 * roles), DIR/linkage.csv (unit, linkage_area) and DIR/edges.geojson (lines between centroids).
 */
import { Command, Option } from 'commander';
import { ConfigError, checkInt, checkNumber } from '../errors.js';
import { parseThreshold } from '../kernels/gravity.js';
import { buildNetwork, readUnits, writeNetwork, zoneCentroids, NetworkOptions } from '../models/network.js';
import { Engine } from '../tiling/engine.js';
import { parseThreads, run, threadsOption } from './common.js';

interface Opts {
  units: string;
  zones?: string;
  threshold: string;
  out: string;
  threads?: string;
  weighted?: boolean;
  keyFraction: string;
  paths: string;
  seed: string;
  json?: boolean;
}

/** `exact` | `degree` | `sample:K` */
export function parsePathsMode(s: string, seed: number): NetworkOptions['paths'] {
  if (s === 'exact' || s === 'degree') return s;
  const m = /^sample:(\d+)$/.exec(s);
  if (m) return { sample: checkInt('--paths sample', m[1], 1), seed };
  throw new ConfigError(`--paths: expected exact, degree or sample:K (e.g. sample:500), got ${JSON.stringify(s)}`);
}

export function register(program: Command): void {
  program
    .command('network')
    .description('carbon emission network: gravity edges, linkage areas, centrality and key units (seed 000)')
    .requiredOption('--units <csv>', 'unit table: id,[name,]gdp,population,emissions[,lon,lat] (lon/lat in degrees)')
    .option('--zones <tif>', 'zone raster whose values are the unit ids: centroids from it (projected CRS -> lon/lat)')
    .requiredOption('--threshold <rule>', 'top:P% of ordered pairs (seed: top:1%) | value:X (R > X, seed: 153000) | row-mean')
    .requiredOption('--out <dir>', 'output directory')
    .addOption(threadsOption())
    .option('--weighted', 'shortest paths weighted by distance_km (default: hop counts)')
    .option('--key-fraction <f>', 'share of units per key-unit role (top 10 % by default)', '0.1')
    .addOption(new Option('--paths <mode>', 'exact | degree (degree only, for very large networks) | sample:K (Brandes–Pich betweenness from K seeded sources; no closeness)').default('exact'))
    .option('--seed <n>', 'seed of the source sample', '0')
    .option('--json', 'print the summary as JSON')
    .action(
      run('network', (o: Opts) => ({
        inputs: { '--units': o.units, '--zones': o.zones },
        dirs: { '--out': { dir: o.out, files: ['edges.csv', 'centrality.csv', 'linkage.csv', 'edges.geojson'] } },
      }), async (opts: Opts) => {
        const threshold = parseThreshold(opts.threshold);
        const threads = parseThreads(opts.threads);
        const keyFraction = checkNumber('--key-fraction', opts.keyFraction, Number.MIN_VALUE, 1);
        const paths = parsePathsMode(opts.paths, checkInt('--seed', opts.seed, 0));
        const units = readUnits(opts.units);
        let lon = units.lon;
        let lat = units.lat;
        if (opts.zones) {
          const { readRaster } = await import('../io/geotiff.js');
          const z = zoneCentroids(await readRaster(opts.zones), opts.zones, units);
          lon = z.lon;
          lat = z.lat;
        }
        const engine = new Engine({ threads });
        try {
          const t0 = performance.now();
          const r = await buildNetwork(units, lon, lat, { threshold, engine, weighted: !!opts.weighted, keyFraction, paths });
          const files = await writeNetwork(opts.out, units, r);
          const areas = Math.max(0, ...r.linkage);
          const roleCount = (role: string) => r.roles.filter((x) => x.includes(role)).length;
          const summary = {
            units: r.n,
            edges: r.edges.from.length,
            threshold: opts.threshold,
            requested_edges: r.edges.requested,
            cut: r.edges.cut,
            positive_pairs: r.edges.positivePairs,
            linkage_areas: areas,
            units_in_linkage_areas: r.linkage.filter((x) => x > 0).length,
            paths: typeof paths === 'object' ? `sample:${paths.sample}` : paths,
            weighted: !!opts.weighted,
            sampling: r.centrality.sampling ? { sources: r.centrality.sampling.k, seed: r.centrality.sampling.seed, max_std_err: r.centrality.sampling.maxStdErr, mean_std_err: r.centrality.sampling.meanStdErr } : null,
            roles: { core: roleCount('core'), promotion: roleCount('promotion'), bridge: roleCount('bridge'), improvement: roleCount('improvement') },
            seconds: { ...r.timings, total: (performance.now() - t0) / 1000 },
            files,
          };
          if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
          else {
            const lines = [
              `network: ${summary.units} units, ${summary.edges} edges (${opts.threshold}${r.edges.requested !== null ? `, ${r.edges.requested} asked, cut R >= ${r.edges.cut}` : ''})`,
              `linkage areas: ${areas} (${summary.units_in_linkage_areas} units)`,
              `key units: core ${summary.roles.core}, promotion ${summary.roles.promotion}, bridge ${summary.roles.bridge}, improvement ${summary.roles.improvement}`,
            ];
            if (r.centrality.sampling) lines.push(`betweenness from ${r.centrality.sampling.k} sampled sources (seed ${r.centrality.sampling.seed}): max std. error ${r.centrality.sampling.maxStdErr}; closeness not computed`);
            if (paths === 'degree') lines.push('paths: degree only (closeness and betweenness not computed)');
            lines.push(`wrote ${files.join(', ')}`);
            process.stdout.write(lines.join('\n') + '\n');
          }
        } finally {
          await engine.close();
        }
      }),
    );
}
