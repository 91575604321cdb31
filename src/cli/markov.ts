/**
 * `landcarbon markov --from A.tif --to B.tif --years T0,T1 --target-year Y[,Y2,...]
 *  [--classes 1=forest,2=built,...] [--scenario natural|ecological|FILE.json] [--out demand.csv] [--json]`
 *
 * Markov land-use demand (methods.md section 1): transition counts and matrix between the two
 * maps (cells valid in both), optional scenario adjustment with row renormalisation, projection
 * of the T1 composition to each target year (non-multiple years interpolated and reported),
 * integer demand by largest remainders. --out writes the demand table read by `simulate`.
 */
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { checkSameGrid } from '../io/grid.js';
import { readRaster } from '../io/geotiff.js';
import { writeDemandCsv } from '../models/demand.js';
import {
  BUILTIN_SCENARIOS,
  ClassDef,
  MarkovDemand,
  Scenario,
  markovDemand,
  parseClassTable,
  parseScenario,
  transitions,
} from '../models/markov.js';
import { run } from './common.js';
import { noteRead } from '../io/session.js';

interface Opts {
  from: string;
  to: string;
  years: string;
  targetYear: string;
  classes?: string;
  scenario: string;
  out?: string;
  json?: boolean;
}

function parseYears(s: string, option: string, count?: number): number[] {
  const parts = s.split(',').map((p) => p.trim());
  const ys = parts.map((p) => {
    if (!/^-?\d+$/.test(p)) throw new ConfigError(`${option}: expected whole years separated by commas, got ${JSON.stringify(s)}`);
    return Number(p);
  });
  if (count !== undefined && ys.length !== count) throw new ConfigError(`${option}: expected ${count} years, got ${JSON.stringify(s)}`);
  return ys;
}

/** Built-in scenario name or a JSON file {name?, adjustments, classes?}. */
export function loadScenario(spec: string): { scenario: Scenario; classes?: ClassDef[] } {
  const builtin = BUILTIN_SCENARIOS[spec];
  if (builtin) return { scenario: builtin };
  if (!/\.json$/i.test(spec)) {
    throw new ConfigError(`--scenario: expected ${Object.keys(BUILTIN_SCENARIOS).join(' or ')} or a .json file, got ${JSON.stringify(spec)}`);
  }
  let text: string;
  try {
    noteRead(spec);
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    throw new ConfigError(`${spec}: cannot read scenario file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${spec}: not valid JSON (${(e as Error).message})`);
  }
  return parseScenario(obj, spec);
}

function table(head: string, codes: number[], rows: { label: string; values: string[] }[]): string[] {
  const w = Math.max(9, ...codes.map((c) => String(c).length + 1), ...rows.flatMap((r) => r.values.map((v) => v.length + 1)));
  const w0 = Math.max(head.length, ...rows.map((r) => r.label.length)) + 1;
  return [head.padEnd(w0) + codes.map((c) => String(c).padStart(w)).join(''), ...rows.map((r) => r.label.padEnd(w0) + r.values.map((v) => v.padStart(w)).join(''))];
}

export function formatMarkov(md: MarkovDemand, classes?: ClassDef[]): string {
  const { codes, t0, t1 } = md;
  const tr = md.transitions;
  const name = (c: number) => classes?.find((x) => x.code === c)?.name;
  const L: string[] = [];
  if (classes) L.push('Classes: ' + codes.map((c) => `${c} = ${name(c) ?? '?'}`).join(', '));
  L.push(`Transitions ${t0} -> ${t1} (${tr.validCells} cells valid in both maps; rows ${t0}, columns ${t1})`);
  L.push(
    ...table('counts', codes, [
      ...codes.map((c, i) => ({ label: String(c), values: tr.counts[i].map(String) })),
      { label: `total ${t1}`, values: tr.to.map(String) },
    ]),
  );
  L.push('');
  L.push('Transition probabilities');
  L.push(...table('P', codes, codes.map((c, i) => ({ label: String(c), values: tr.matrix[i].map((v) => v.toFixed(6)) }))));
  if (md.applied.length > 0) {
    L.push('');
    L.push(`Scenario ${md.scenario}: ` + md.applied.map((a) => `${a.from}->${a.to} x ${a.factor}`).join(', ') + '; rows renormalised');
    L.push(...table('P adjusted', codes, codes.map((c, i) => ({ label: String(c), values: md.matrix[i].map((v) => v.toFixed(6)) }))));
  } else {
    L.push(`Scenario ${md.scenario}: no adjustments`);
  }
  L.push('');
  L.push('Projection (expected cells) and demand (largest remainders)');
  const rows: { label: string; values: string[] }[] = [{ label: `${t1} (observed)`, values: tr.to.map(String) }];
  for (const p of md.projections) {
    rows.push({ label: `${p.year} expected`, values: p.expected.map((v) => v.toFixed(2)) });
    rows.push({ label: `${p.year} demand`, values: p.demand.map(String) });
  }
  L.push(...table('year', codes, rows));
  for (const n of md.notes) L.push(`note: ${n}`);
  for (const w of md.warnings) L.push(`warning: ${w.message}`);
  return L.join('\n') + '\n';
}

export function markovJson(md: MarkovDemand, classes?: ClassDef[], out?: string): Record<string, unknown> {
  const tr = md.transitions;
  return {
    years: [md.t0, md.t1],
    codes: md.codes,
    classes: classes ? Object.fromEntries(classes.map((c) => [String(c.code), c.name])) : null,
    valid_cells: tr.validCells,
    counts: tr.counts,
    matrix: tr.matrix,
    composition: { t0: tr.from, t1: tr.to },
    scenario: md.scenario,
    adjusted_matrix: md.matrix,
    adjustments: md.applied,
    projections: md.projections.map((p) => ({
      year: p.year,
      steps: p.steps,
      interpolated: p.interpolated,
      weight: p.weight ?? null,
      lower: p.lower ?? null,
      upper: p.upper ?? null,
      expected: p.expected,
      demand: p.demand,
    })),
    notes: md.notes,
    warnings: md.warnings,
    out: out ?? null,
  };
}

export function register(program: Command): void {
  program
    .command('markov')
    .description('Markov land-use demand: transition matrix between two maps, scenario adjustment, projection and integer demand')
    .requiredOption('--from <A.tif>', 'land-use map at t0')
    .requiredOption('--to <B.tif>', 'land-use map at t1 (same grid)')
    .requiredOption('--years <t0,t1>', 'years of the two maps, e.g. 1985,1991')
    .requiredOption('--target-year <years>', 'target year(s) >= t1, comma-separated, increasing')
    .option('--classes <code=name,...>', 'class names for scenarios, e.g. 1=cropland,2=forest,3=built (also fixes the class codes)')
    .option('--scenario <name|file.json>', 'natural, ecological (seed 000) or a JSON file {adjustments:[{from,to,factor}], classes?}', 'natural')
    .option('--out <demand.csv>', 'write the demand table (year,<code>,...) for `landcarbon simulate`')
    .option('--json', 'print one JSON object instead of tables')
    .action(
      run('markov', (o: Opts) => ({ inputs: { '--from': o.from, '--to': o.to, '--scenario': existsSync(o.scenario) ? o.scenario : undefined }, outputs: { '--out': o.out } }), async (o: Opts) => {
        const [t0, t1] = parseYears(o.years, '--years', 2);
        if (t1 <= t0) throw new ConfigError(`--years: t1 (${t1}) must be after t0 (${t0})`);
        const targets = parseYears(o.targetYear, '--target-year');
        const sc = loadScenario(o.scenario);
        const classes = o.classes ? parseClassTable(o.classes) : sc.classes;
        if (sc.scenario.adjustments.length > 0 && !classes) {
          const byName = sc.scenario.adjustments.some((a) => [a.from, a.to].flat().some((r) => typeof r === 'string' && !/^-?\d+$/.test(r)));
          if (byName) {
            throw new ConfigError(`--scenario ${o.scenario}: names classes, so the class names are needed: give --classes code=name,... (e.g. 1=cropland,2=forest,3=built)`);
          }
        }
        const a = await readRaster(o.from);
        const b = await readRaster(o.to);
        checkSameGrid(a.grid, o.from, b.grid, o.to);
        const tr = transitions(a.data, b.data, {
          codes: classes?.map((c) => c.code),
          nodataFrom: a.grid.nodata,
          nodataTo: b.grid.nodata,
          nameFrom: o.from,
          nameTo: o.to,
          width: a.grid.width,
        });
        const md = markovDemand(tr, { t0, t1, targetYears: targets, scenario: sc.scenario, classes });
        if (o.out) {
          writeDemandCsv(o.out, { years: md.projections.map((p) => p.year), codes: md.codes, counts: md.projections.map((p) => p.demand) });
        }
        if (o.json) {
          process.stdout.write(JSON.stringify(markovJson(md, classes, o.out)) + '\n');
          return;
        }
        process.stdout.write(formatMarkov(md, classes));
        if (o.out) process.stdout.write(`demand written to ${o.out}\n`);
      }),
    );
}
