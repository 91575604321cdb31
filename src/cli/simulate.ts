/**
 * `landcarbon simulate --landuse L.tif --prob prob.tif --demand demand.csv [--scenario S.yaml]
 *  [--restricted R.tif] --out sim.tif [--seed S] [--threads N] [--tile-rows R] [--update sync|flus]
 *  [--max-iterations M] [--tolerance T] [--accept-fraction F] [--demand-start-year Y] [--prob-memory T] [--quiet]`
 *
 * FLUS cellular-automaton simulation (src/models/flus.ts) to each row of the demand table in
 * turn; with --regions [--demand rows per (region, year)] every region's demand in the same run. The last year's map is --out; earlier years go beside it as <stem>_<year>.tif.
 * Progress (iteration, remaining gap per class) goes to stderr unless --quiet.
 * Inputs are read and outputs written window by window; the sync update holds the map,
 * suitability and scratch in block groups of WebAssembly memories (one when the raster fits),
 * so the raster is bounded by RAM (about 18-19 bytes per cell for K = 6 with uint16
 * suitability), not by one 4 GiB memory. --update flus holds whole float32 arrays.
 */
import { Command, Option } from 'commander';
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { PACKAGE_ROOT } from '../wasm/module.js';
import { ConfigError, checkInt, checkNumber } from '../errors.js';
import type { UpdateMode } from '../models/flus.js';
import { parseThreads, progressWriter, run, threadsOption } from './common.js';
import { parseBudget } from '../tiling/blocks.js';
import { blockRowsOption, memoryOption } from '../tiling/memory.js';
import { PLUS_DEFAULTS } from '../models/plus.js';
import { simulateStep } from '../pipeline/steps/simulate.js';


interface SimulateOptions {
  cog?: boolean;
  landuse: string;
  prob: string;
  demand?: string;
  demandStartYear?: string;
  scenario?: string;
  restricted?: string;
  out: string;
  seed?: string;
  threads?: string;
  tileRows?: string;
  update?: string;
  maxIterations?: string;
  tolerance?: string;
  acceptFraction?: string;
  model?: string;
  patchThreshold?: string;
  expansionCoefficient?: string;
  seedPercentage?: string;
  decay?: string;
  probMemory?: string;
  memory?: string;
  blockRows?: string;
  regions?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('FLUS cellular-automaton land-use simulation to a demand (deterministic for any thread count)')
    .requiredOption('--landuse <file>', 'land-use map at the start (integer class codes)')
    .requiredOption('--prob <file>', 'suitability: one Float32 band per class, ascending class code (landcarbon suitability)')
    .option('--demand <file>', 'demand table: year,<code>,<code>,... one row per target year (or lulcc V1..VK with --demand-start-year)')
    .option('--regions <file>', 'integer raster of region codes: --demand then has rows per (region, year) (region,year,<code>,...); each region meets its own demand, neighbourhoods cross borders; NoData = outside every region (keeps its class)')
    .option('--demand-start-year <year>', 'first year of a lulcc-layout demand table (V1..VK, no year column)')
    .option('--scenario <file>', 'scenario (YAML/JSON): classes, neighbourhood, weights, conversion matrix, restricted, demand, seed ...')
    .option('--restricted <file>', '0/1 raster: 1 = restricted, never changes (overrides the scenario)')
    .requiredOption('--out <file>', 'simulated map of the last demand year (earlier years: <stem>_<year>.tif beside it)')
    .option('--seed <n>', 'random seed (default: scenario seed, else 1)')
    .addOption(threadsOption())
    .option('--tile-rows <n>', 'rows per strip (speed/memory only: results do not depend on it)')
    .addOption(new Option('--update <mode>', 'sync: deterministic parallel update (default); flus: official FLUS sweep').choices(['sync', 'flus']))
    .option('--max-iterations <n>', 'iterations per target year (default: scenario, else 300)')
    .option('--tolerance <f>', 'stop when sum |gap| <= f * valid cells (default: scenario, else 0 = exact)')
    .option('--accept-fraction <f>', 'sync update: share of each class gap closed per iteration, in (0, 1] (default: scenario, else 0.1)')
    .option('--cog', 'write the maps as Cloud-Optimized GeoTIFFs (internal overviews, nearest class)')
    .addOption(new Option('--model <m>', 'flus: FLUS CA on suitability (default); plus: PLUS CARS on LEAS development probability (landcarbon plus leas)').choices(['flus', 'plus']))
    .option('--patch-threshold <f>', `plus: initial decreasing threshold, in (0, 1] (default: scenario, else ${PLUS_DEFAULTS.patchThreshold})`)
    .option('--expansion-coefficient <f>', `plus: expansion coefficient of random patch seeds, in [0, 1] (default: scenario, else ${PLUS_DEFAULTS.expansionCoefficient})`)
    .option('--seed-percentage <f>', `plus: share of cells without neighbours of a class tested as its seed per iteration, in [0, 1] (default: scenario, else ${PLUS_DEFAULTS.seedPercentage})`)
    .option('--decay <f>', `plus: decay factor of the threshold per decay step, in (0, 1) (default: scenario, else ${PLUS_DEFAULTS.decay})`)
    .addOption(new Option('--prob-memory <type>', 'suitability held in memory: float32, or uint16 (p x 65535 rounded, half the memory; changes results slightly, see README); auto: uint16 when the file is UInt16 or the float32 planes would pass 2 GiB').choices(['auto', 'float32', 'uint16']).default('auto'))
    .addOption(memoryOption())
    .addOption(blockRowsOption())
    .option('--quiet', 'no progress on stderr')
    .action(run('simulate', (o: SimulateOptions) => ({
      inputs: { '--landuse': o.landuse, '--prob': o.prob, '--demand': o.demand, '--scenario': scenarioPath(o.scenario), '--restricted': o.restricted, '--regions': o.regions },
      outputs: { '--out': o.out },
    }), simulate));
}

/** Parses the options into the step's typed input; the step (src/pipeline/steps/simulate.ts) is the one body. */
async function simulate(o: SimulateOptions): Promise<void> {
  const budget = parseBudget(o);
  await simulateStep({
    landuse: o.landuse,
    prob: o.prob,
    demand: o.demand,
    demandStartYear: o.demandStartYear !== undefined ? checkInt('--demand-start-year', o.demandStartYear, -100000, 100000) : undefined,
    scenario: scenarioPath(o.scenario),
    restricted: o.restricted,
    regions: o.regions,
    out: o.out,
    seed: o.seed !== undefined ? checkInt('--seed', o.seed, 0, Number.MAX_SAFE_INTEGER) : undefined,
    update: o.update as UpdateMode | undefined,
    maxIterations: o.maxIterations !== undefined ? checkInt('--max-iterations', o.maxIterations, 1, 1_000_000) : undefined,
    tolerance: o.tolerance !== undefined ? checkNumber('--tolerance', o.tolerance, 0, 1) : undefined,
    acceptFraction: o.acceptFraction !== undefined ? checkNumber('--accept-fraction', o.acceptFraction, Number.MIN_VALUE, 1) : undefined,
    model: o.model as 'flus' | 'plus' | undefined,
    plus: plusOptions(o),
    threads: parseThreads(o.threads),
    tileRows: o.tileRows !== undefined ? checkInt('--tile-rows', o.tileRows, 1) : undefined,
    probMemory: o.probMemory as 'auto' | 'float32' | 'uint16' | undefined,
    memory: budget.memory,
    blockRows: budget.maxRows,
    cog: !!o.cog,
    log: progressWriter(!!o.quiet),
  });
}

/**
 * A built-in scenario name (scenarios/<name>.yaml shipped with the package, e.g.
 * seed004-ecological: Qin et al.'s Beibu Gulf ecological priority settings) when no file of that
 * name exists; otherwise the path as given.
 */
export function scenarioPath(p: string | undefined): string | undefined {
  if (p === undefined || existsSync(p) || !/^[a-z0-9]+(-[a-z0-9]+)+$/.test(p)) return p;
  const f = join(PACKAGE_ROOT, 'scenarios', `${p}.yaml`);
  if (existsSync(f)) return f;
  const have = readdirSync(join(PACKAGE_ROOT, 'scenarios')).filter((n) => n.endsWith('.yaml')).map((n) => n.slice(0, -5));
  throw new ConfigError(`--scenario ${p}: no such file, and not a built-in scenario (built-ins: ${have.join(', ')})`);
}

/** PLUS CARS parameters given as options (validated here); the step falls back to the scenario's, then runPlus's defaults. */
function plusOptions(o: SimulateOptions) {
  const pick = (flag: string, v: string | undefined, scv: number | undefined, min: number, max: number, open = false) => {
    if (v === undefined) return scv;
    const x = checkNumber(flag, v, min, max);
    if (open && (x <= min || x >= max)) throw new ConfigError(`${flag}: expected a number in (${min}, ${max}), got ${x}`);
    return x;
  };
  const pt = pick('--patch-threshold', o.patchThreshold, undefined, 0, 1);
  if (o.patchThreshold !== undefined && pt === 0) throw new ConfigError('--patch-threshold: expected a number in (0, 1], got 0');
  return {
    patchThreshold: pt,
    expansionCoefficient: pick('--expansion-coefficient', o.expansionCoefficient, undefined, 0, 1),
    seedPercentage: pick('--seed-percentage', o.seedPercentage, undefined, 0, 1),
    decay: pick('--decay', o.decay, undefined, 0, 1, true),
  };
}
