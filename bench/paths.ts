/**
 * Benchmark of centrality on shortest paths (src/kernels/paths.ts): betweenness + in/out
 * closeness on seeded random directed graphs with n nodes and m distinct weighted edges
 * (weights uniform in [1, 100)), for the TS reference, WASM on 1 thread and WASM on N threads.
 * Module instantiation, worker start-up and the kernel's first (compiling) call are excluded; each case is run `repeat` times and
 * the best time is kept (the machine is shared).
 *
 *   node dist/bench/paths.js [--quick]      -> bench/results/paths.json
 *   benchPaths({ nodes: 1000, edges: 50000, threads: 2, impl: 'wasm' }) -> { seconds, ... }
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { machine } from './machine.js';
import { buildCsr, centrality, centralityRef, CsrGraph } from '../src/kernels/paths.js';
import { RngKey, rngF64 } from '../src/kernels/rng.ref.js';
import { Engine } from '../src/tiling/engine.js';

export interface BenchPathsOptions {
  nodes: number;
  edges: number;
  threads?: number;
  impl?: 'ref' | 'wasm';
  weighted?: boolean;
  seed?: number;
  repeat?: number;
  /** Alias of repeat (the CLI's --runs). */
  runs?: number;
}

export interface BenchPathsResult {
  bench: 'paths';
  impl: 'ref' | 'wasm';
  nodes: number;
  edges: number;
  threads: number;
  weighted: boolean;
  /** Best wall time of betweenness + in/out closeness (one call), seconds. */
  seconds: number;
  /** All repeats, seconds. */
  runs: number[];
  /** Best CPU time of the process (user + system, all threads) over the repeats, seconds. */
  cpuSeconds: number;
}

/** Seeded random directed graph: m distinct ordered pairs (no self-loops), weights in [1, 100). */
export function randomDigraph(n: number, m: number, seed = 1, weighted = true): CsrGraph {
  if (m > n * (n - 1)) throw new RangeError(`edges: at most n(n-1) = ${n * (n - 1)} for n = ${n}, got ${m}`);
  const key = new RngKey(BigInt(seed), 0x4250);
  const seen = new Set<number>();
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  const w = new Float64Array(m);
  let k = 0;
  let i = 0;
  while (k < m) {
    const a = Math.floor(rngF64(key, i++) * n);
    const b = Math.floor(rngF64(key, i++) * n);
    if (a === b || seen.has(a * n + b)) continue;
    seen.add(a * n + b);
    from[k] = a;
    to[k] = b;
    w[k] = 1 + 99 * rngF64(key, i++);
    k++;
  }
  return buildCsr(n, from, to, weighted ? w : null);
}

export async function benchPaths(opts: BenchPathsOptions): Promise<BenchPathsResult> {
  const impl = opts.impl ?? 'wasm';
  const threads = impl === 'ref' ? 1 : opts.threads ?? 1;
  const weighted = opts.weighted ?? true;
  const g = randomDigraph(opts.nodes, opts.edges, opts.seed ?? 1, weighted);
  const repeat = opts.repeat ?? opts.runs ?? 3;
  const runs: number[] = [];
  const cpu: number[] = [];
  const engine = impl === 'wasm' ? new Engine({ threads }) : null;
  try {
    if (engine) {
      // start the workers and run the kernel once on every thread (wasm functions compile on
      // first call): 64 nodes = 8 source chunks, claimed by all threads
      await engine.warmUp();
      for (let i = 0; i < 2; i++) await centrality(randomDigraph(64, 512, 2, weighted), { engine });
    }
    for (let r = 0; r < repeat; r++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      if (engine) await centrality(g, { engine });
      else centralityRef(g);
      runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
      const c1 = process.cpuUsage(c0);
      cpu.push((c1.user + c1.system) / 1e6);
    }
  } finally {
    await engine?.close();
  }
  return { bench: 'paths', impl, nodes: opts.nodes, edges: opts.edges, threads, weighted, seconds: Math.min(...runs), runs, cpuSeconds: Math.min(...cpu) };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sizes: Array<[number, number]> = [[200, 4000], [1000, 50000], [3000, 90000]];
  const results: BenchPathsResult[] = [];
  for (const [n, m] of sizes) {
    for (const [impl, threads] of [['ref', 1], ['wasm', 1], ['wasm', 2]] as const) {
      const repeat = quick ? 1 : impl === 'ref' && n >= 3000 ? 2 : 5;
      const r = await benchPaths({ nodes: n, edges: m, impl, threads, repeat });
      results.push(r);
      process.stderr.write(`paths n=${n} m=${m} ${impl} x${threads}: ${r.seconds.toFixed(3)} s\n`);
    }
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const out = join(root, 'bench', 'results', 'paths.json');
  // optional comparisons on n = 1000, m = 50,000: plain C Brandes (gcc -O3 -march=native) and igraph
  const compare: unknown[] = [];
  const exe = join(tmpdir(), `landcarbon-brandes-${process.pid}`);
  const cc = spawnSync('gcc', ['-O3', '-march=native', '-o', exe, join(root, 'bench', 'c', 'brandes.c'), '-lm'], { encoding: 'utf8' });
  if (cc.status === 0) {
    const r = spawnSync(exe, ['1000', '50000'], { encoding: 'utf8' });
    if (r.status === 0) compare.push(JSON.parse(r.stdout));
  } else process.stderr.write('gcc not available: C comparison skipped\n');
  if (!quick) {
    const csv = join(tmpdir(), `landcarbon-graph-${process.pid}.csv`);
    writeGraphCsv(1000, 50000, csv);
    const py = spawnSync('/usr/bin/python3', [join(root, 'bench', 'igraph_paths.py'), csv, '3'], { encoding: 'utf8' });
    if (py.status === 0) compare.push(JSON.parse(py.stdout));
    else process.stderr.write('python3-igraph not available: igraph comparison skipped\n');
  }
  for (const c of compare) process.stderr.write(`compare: ${JSON.stringify(c)}\n`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ machine: machine(), results, compare }, null, 2) + '\n');
  process.stderr.write(`wrote ${out}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exitCode = 1;
  });
}

/** Writes the benchmark graph as from,to,weight CSV (for bench/igraph_paths.py). */
export function writeGraphCsv(n: number, m: number, path: string, seed = 1): void {
  const g = randomDigraph(n, m, seed, true);
  const lines = ['from,to,weight'];
  for (let v = 0; v < n; v++) for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) lines.push(`${v},${g.targets[e]},${g.weights![e]}`);
  writeFileSync(path, lines.join('\n') + '\n');
}
