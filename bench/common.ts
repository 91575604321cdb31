/**
 * Small pieces the benchmark scripts share: the outside reference programs (a C file compiled
 * once per process, a numpy script on one BLAS thread), medians of paired rounds, command-line
 * flags and the script entry point.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/wasm/module.js';

const compiled = new Map<string, string | null>();

/**
 * Compiles bench/<source> with gcc and `flags` (once per process and flag set), runs it with
 * `args` and parses its one JSON line; null when gcc is missing or the program fails.
 */
export function runC(source: string, flags: string[], args: string[]): Record<string, unknown> | null {
  const id = `${source} ${flags.join(' ')}`;
  if (!compiled.has(id)) {
    const exe = join(tmpdir(), `landcarbon-${source.replace(/\W/g, '-')}-${compiled.size}-${process.pid}`);
    try {
      execFileSync('gcc', [...flags, '-o', exe, join(PACKAGE_ROOT, 'bench', source), '-lm']);
      compiled.set(id, exe);
    } catch {
      compiled.set(id, null);
    }
  }
  const exe = compiled.get(id);
  if (!exe) return null;
  try {
    return JSON.parse(execFileSync(exe, args, { encoding: 'utf8' }));
  } catch {
    return null;
  }
}

/** Runs python3 bench/<script> on one BLAS/OpenMP thread and parses its JSON line; null when python3 or numpy is missing. */
export function runNumpyScript(script: string, args: string[]): Record<string, unknown> | null {
  try {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    return JSON.parse(execFileSync('python3', [join(PACKAGE_ROOT, 'bench', script), ...args], { encoding: 'utf8', env }));
  } catch {
    return null;
  }
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median of the per-round ratios a[i] / b[i] (null unless both have the same, non-zero length). */
export function medianRatio(a: number[], b: number[]): number | null {
  return a.length === b.length && a.length > 0 ? median(a.map((x, i) => x / b[i])) : null;
}

/** `--name value` lookup over the script's arguments. */
export function flags(args = process.argv.slice(2)): (name: string) => string | undefined {
  return (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
}

/** Runs `main` when the module is the script node was started with; a failure prints its stack and exits 1. */
export function runMain(meta: ImportMeta, main: () => Promise<void>): void {
  if (meta.url !== `file://${process.argv[1]}`) return;
  main().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(1);
  });
}

/**
 * Paired rounds: every case once per round, one after the other, the order reversed every other
 * round, so each comparison is made in the same state of the machine (this VM's speed drifts by
 * up to +-25 % over seconds). A case returning null (a missing outside program) records nothing.
 * Returns each case's values in round order.
 */
export async function pairedRounds(rounds: number, cases: Record<string, () => Promise<number | null> | number | null>): Promise<Record<string, number[]>> {
  const names = Object.keys(cases);
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const n of r % 2 ? [...names].reverse() : names) {
      const v = await cases[n]();
      if (v !== null) out[n].push(v);
    }
  }
  return out;
}
