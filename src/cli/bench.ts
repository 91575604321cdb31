/**
 * `landcarbon bench <kernel> [--size N] [--threads T] [--impl ref|wasm|simd] [--json]`
 * Runs one kernel benchmark on seeded synthetic data (module instantiation and data
 * generation excluded) and prints one JSON line, so speed can be compared against outside
 * programs in one run. Kernels: zonal, ca, mlp, casa, paths (--nodes/--edges), demand (one
 * FLUS demand-enforcement iteration, 10 % of cells proposing).
 */
import { Command, Option } from 'commander';
import { checkInt, ConfigError } from '../errors.js';
import { run, NO_FILES } from './common.js';

type BenchFn = (o: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** kernel -> [module in dist/bench, exported function, defaults] */
const KERNELS: Record<string, [string, string, Record<string, unknown>]> = {
  zonal: ['zonal.js', 'benchZonal', { size: 8192, impl: 'wasm' }],
  ca: ['ca.js', 'benchCa', { size: 4096, impl: 'simd' }],
  mlp: ['mlp.js', 'benchMlp', { size: 4096, impl: 'simd' }],
  casa: ['carbon.js', 'benchCasa', { size: 4096, impl: 'wasm' }],
  paths: ['paths.js', 'benchPaths', { nodes: 1000, edges: 50000, impl: 'wasm' }],
  demand: ['demand.js', 'benchDemandCase', { size: 4096, impl: 'wasm' }],
  forest: ['forest.js', 'benchForest', { size: 1024, trees: 20, impl: 'wasm' }],
};

export function register(program: Command): void {
  program
    .command('bench')
    .description(`run one kernel benchmark and print its throughput as one JSON line (${Object.keys(KERNELS).join(', ')})`)
    .argument('<kernel>', 'kernel to run')
    .option('--size <n>', 'raster side in cells (default per kernel: zonal 8192, ca/mlp/casa/demand 4096)')
    .option('--threads <n>', 'worker threads', '1')
    .addOption(new Option('--impl <impl>', 'implementation').choices(['ref', 'wasm', 'simd']))
    .option('--nodes <n>', 'paths: number of nodes')
    .option('--edges <n>', 'paths: number of directed edges')
    .option('--trees <n>', 'forest: number of trees (default 20)')
    .addOption(new Option('--pattern <p>', 'ca: land-use map of the synthetic data (patchy = land-use-like blocks, random = every neighbourhood mixed)').choices(['patchy', 'random']))
    .option('--seed <s>', 'seed of the synthetic data', '1')
    .option('--runs <n>', 'timed runs (the best is reported)')
    .option('--json', 'print JSON only (the default output is already one JSON line)')
    .action(
      run('bench', NO_FILES, async (kernel: string, o: Record<string, string | undefined>) => {
        const k = KERNELS[kernel];
        if (!k) throw new ConfigError(`unknown kernel "${kernel}", expected one of ${Object.keys(KERNELS).join(', ')}`);
        const [file, fn, defaults] = k;
        const opts: Record<string, unknown> = { ...defaults, threads: checkInt('--threads', o.threads, 1, 256), seed: checkInt('--seed', o.seed, 0) };
        if (o.size !== undefined) opts.size = checkInt('--size', o.size, 1, 1 << 20);
        // the CA benchmark names its scalar WASM path 'scalar'
        if (o.impl !== undefined) opts.impl = kernel === 'ca' && o.impl === 'wasm' ? 'scalar' : o.impl;
        if (o.nodes !== undefined) opts.nodes = checkInt('--nodes', o.nodes, 2);
        if (o.edges !== undefined) opts.edges = checkInt('--edges', o.edges, 1);
        if (o.trees !== undefined) {
          if (kernel !== 'forest') throw new ConfigError(`--trees applies to the forest benchmark, not ${kernel}`);
          opts.trees = checkInt('--trees', o.trees, 1, 10000);
        }
        if (o.pattern !== undefined) {
          if (kernel !== 'ca') throw new ConfigError(`--pattern applies to the ca benchmark, not ${kernel}`);
          opts.pattern = o.pattern;
        }
        if (o.runs !== undefined) opts.runs = checkInt('--runs', o.runs, 1, 1000);
        const mod = (await import(new URL(`../../bench/${file}`, import.meta.url).href)) as Record<string, BenchFn>;
        if (typeof mod[fn] !== 'function') throw new ConfigError(`kernel "${kernel}" has no benchmark in this build`);
        const result = await mod[fn](opts);
        process.stdout.write(JSON.stringify({ kernel, ...result }) + '\n');
      }),
    );
}
