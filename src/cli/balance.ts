/**
 * `landcarbon balance --table T.csv --scheme suzhou|mryrua|bth|FILE --out Z.csv`
 * Per-unit CCR, CBI, ECC, ESC and the zone of a scheme (methods.md section 7). With two or
 * more --table options: scenario comparison (seed 000's low-carbon choice); --out is then a
 * directory receiving <scenario>.csv per table and comparison.csv.
 */
import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { readCsv, writeCsv } from '../io/table.js';
import { chooseScenario, summariseZones, unitsFromTable, zoneUnits, ZonedUnit, ZoneSummary } from '../models/balance.js';
import { loadScheme } from '../models/schemes.js';
import { run, type IoSpec } from './common.js';

const ZCOLS = ['unit', 'ccr', 'cbi', 'ecc', 'esc', 'zone', 'reason', 'ce', 'cs', 'budget'];

function zRows(z: ZonedUnit[]): (string | number | null)[][] {
  return z.map((u) => [u.unit, u.ccr, u.cbi, u.ecc, u.esc, u.zone, u.reason, u.ce, u.cs, u.budget]);
}

function summaryLines(title: string, s: ZoneSummary[]): string[] {
  const total = s.reduce((a, b) => a + b.count, 0);
  const lines = [`${title}: ${total} units`];
  for (const z of s) {
    lines.push(`  ${z.zone.padEnd(26)} ${String(z.count).padStart(5)}  ${z.countShare.toFixed(2).padStart(6)} % of units` + (z.areaShare !== null ? `  ${z.areaShare.toFixed(2).padStart(6)} % of area` : ''));
  }
  return lines;
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

interface BalanceOpts { table: string[]; scheme: string; out: string; names?: string; json?: boolean }

/** One table: --out is the zoned table; several: a directory of <name>.csv and comparison.csv. */
function balanceFiles(o: BalanceOpts): IoSpec {
  const inputs = { '--table': o.table, '--scheme': existsSync(o.scheme) ? o.scheme : undefined };
  if (o.table.length === 1) return { inputs, outputs: { '--out': o.out } };
  const names = o.names ? o.names.split(',').map((s) => s.trim()) : o.table.map((t) => basename(t, extname(t)));
  return { inputs, dirs: { '--out': { dir: o.out, files: [...names.map((n) => `${n}.csv`), 'comparison.csv'] } } };
}

export function register(program: Command): void {
  program
    .command('balance')
    .description('carbon-balance indices (CCR, CBI, ECC, ESC) and zoning per unit; scenario comparison with several tables')
    .requiredOption('--table <csv>', 'unit table: unit,ce,cs,gdp (+ linkage 0/1 for bth, + area for area shares); repeat for scenarios', collect)
    .requiredOption('--scheme <id|file>', 'suzhou (seed 003) | mryrua (seed 002) | bth (seed 000) | a scheme file (JSON/YAML)')
    .requiredOption('--out <path>', 'zoned table Z.csv (one table) or a directory (several tables)')
    .option('--names <list>', 'scenario names for several tables, comma-separated (default: file names)')
    .option('--json', 'print the summary as JSON')
    .action(
      run('balance', balanceFiles, (opts: BalanceOpts) => {
        const scheme = loadScheme(opts.scheme);
        const tables = opts.table;
        const names = opts.names ? opts.names.split(',').map((s) => s.trim()) : tables.map((t) => basename(t, extname(t)));
        if (names.length !== tables.length) throw new ConfigError(`--names: ${names.length} names for ${tables.length} tables`);
        if (new Set(names).size !== names.length) throw new ConfigError(`--names: scenario names must differ, got ${names.join(', ')}`);
        const scen = tables.map((t, i) => {
          const units = unitsFromTable(readCsv(t));
          const zoned = zoneUnits(units, scheme);
          const summary = summariseZones(zoned, scheme, units.map((u) => u.area));
          return { name: names[i], units, zoned, summary };
        });
        if (scen.length === 1) {
          writeCsv(opts.out, ZCOLS, zRows(scen[0].zoned));
          if (opts.json) process.stdout.write(JSON.stringify({ scheme: scheme.id, zones: scen[0].summary }) + '\n');
          else process.stdout.write(summaryLines(`scheme ${scheme.id}`, scen[0].summary).join('\n') + '\n');
          return;
        }
        for (const s of scen) writeCsv(join(opts.out, `${s.name}.csv`), ZCOLS, zRows(s.zoned));
        const c = chooseScenario(scen.map((s) => ({ name: s.name, units: s.units })));
        writeCsv(
          join(opts.out, 'comparison.csv'),
          ['scenario', 'units', 'total_ce', 'total_cs', 'net_emissions', 'units_esc_gt_1', 'lowest_emissions', 'most_esc_gt_1', 'choice'],
          c.scenarios.map((s) => [s.scenario, s.units, s.totalCe, s.totalCs, s.netEmissions, s.unitsEscAbove1, c.lowestEmissions.includes(s.scenario) ? 1 : 0, c.mostEscAbove1.includes(s.scenario) ? 1 : 0, c.choice === s.scenario ? 1 : 0]),
        );
        if (opts.json) {
          process.stdout.write(JSON.stringify({ scheme: scheme.id, scenarios: scen.map((s) => ({ name: s.name, zones: s.summary })), comparison: c }) + '\n');
        } else {
          const lines: string[] = [];
          for (const s of scen) lines.push(...summaryLines(`${s.name} (scheme ${scheme.id})`, s.summary));
          for (const s of c.scenarios) lines.push(`${s.scenario}: net emissions ${s.netEmissions}, units with ESC > 1: ${s.unitsEscAbove1} of ${s.units}`);
          lines.push(`low-carbon choice: ${c.choice ?? 'none'} (${c.reason})`);
          process.stdout.write(lines.join('\n') + '\n');
        }
      }),
    );
}
