/**
 * Accuracy and Markov transition counting benchmark (plain TypeScript, single pass over typed
 * arrays). Seeded synthetic maps: 6 classes in 64x64 blocks, ~5 % of cells changed in O and in
 * M, the first 1 % of rows NoData. Compared with a plain sum over one uint8 array (the memory
 * floor of a JS loop on this machine at the time of the run).
 *
 *   node dist/bench/accuracy.js [size=8192] [runs=3]     -> one JSON line per measurement
 */
import { performance } from 'node:perf_hooks';
import { writeFileSync, mkdirSync } from 'node:fs';
import { accuracy } from '../src/models/accuracy.js';
import { transitions } from '../src/models/markov.js';

export interface AccuracyBench {
  kernel: string;
  size: number;
  cells: number;
  seconds: number;
  mcells_per_s: number;
  runs: number;
}

export function accuracyBenchData(size: number, seed = 1): { S: Uint8Array; O: Uint8Array; M: Uint8Array } {
  const n = size * size;
  const S = new Uint8Array(n), O = new Uint8Array(n), M = new Uint8Array(n);
  let x = seed >>> 0;
  const ndRows = Math.ceil(size / 100);
  for (let i = 0; i < n; i++) {
    const r = (i / size) | 0, c = i % size;
    const s = 1 + (((r >> 6) * 7 + (c >> 6) * 3) % 6);
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    S[i] = r < ndRows ? 255 : s;
    O[i] = (x >>> 8) % 20 === 0 ? 1 + ((x >>> 12) % 6) : s;
    M[i] = (x >>> 16) % 20 === 0 ? 1 + ((x >>> 20) % 6) : s;
  }
  return { S, O, M };
}

function best(runs: number, f: () => void): number {
  let b = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    f();
    b = Math.min(b, (performance.now() - t) / 1000);
  }
  return b;
}

export function benchAccuracy(size = 8192, runs = 3): AccuracyBench[] {
  const { S, O, M } = accuracyBenchData(size);
  const cells = size * size;
  const nodata = { start: 255, observed: 255, simulated: 255 };
  const codes = [1, 2, 3, 4, 5, 6];
  let sink = 0;
  const rows: [string, () => void][] = [
    ['sum-u8 (floor)', () => { let a = 0; for (let i = 0; i < S.length; i++) a += S[i]; sink += a; }],
    ['accuracy (codes given)', () => { sink += accuracy({ start: S, observed: O, simulated: M, nodata, codes }).n; }],
    ['accuracy (codes found)', () => { sink += accuracy({ start: S, observed: O, simulated: M, nodata }).n; }],
    ['markov transitions', () => { sink += transitions(S, O, { codes, nodataFrom: 255, nodataTo: 255 }).validCells; }],
  ];
  const out = rows.map(([kernel, f]) => {
    const seconds = best(runs, f);
    return { kernel, size, cells, seconds, mcells_per_s: cells / seconds / 1e6, runs };
  });
  if (sink === -1) console.log(sink);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = Number(process.argv[2] ?? 8192);
  const runs = Number(process.argv[3] ?? 3);
  const res = benchAccuracy(size, runs);
  for (const r of res) console.log(JSON.stringify(r));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/accuracy.json', JSON.stringify(res, null, 2) + '\n');
}
