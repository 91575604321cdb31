/**
 * A study run reaches the single commands' library code, whose messages name those commands'
 * options (`--k 9: expected 1 <= k <= 7`). Under `run` or `demo` such an option does not exist:
 * the message is put in the study's terms. An option the study file sets becomes its key path
 * (`stats.clusters 9: ...`); one the runner chooses itself becomes the quoted setting name
 * (`"knn" 4: ...`), so no message suggests an option the command lacks (issue 11, item 11).
 * `run` and `demo` pass every line they print through it: errors (src/cli/common.ts `run` with
 * studyTerms) and progress (progressLines' rewrite).
 */
import { STUDY_SPEC, type Field } from './study-file.js';

/** Single-command option -> the study-file key that sets it in a study run. */
export const STUDY_KEYS: Record<string, string> = {
  k: 'stats.clusters',
  permutations: 'stats.permutations',
  factors: 'stats.factors',
  threshold: 'network.threshold',
  weighted: 'network.weighted',
  'coefficient-unit': 'carbon.coefficient_unit',
  coefficients: 'carbon.coefficients',
  pools: 'carbon.pools',
  scheme: 'balance.schemes',
  seed: 'simulation.seed',
  'max-iterations': 'simulation.max_iterations',
  model: 'simulation.model',
  names: 'simulation.scenarios',
  scenario: 'simulation.scenarios',
  demand: 'simulation.scenarios',
  restricted: 'restricted',
  zones: 'units.zones',
  units: 'units.table',
  id: 'units.table_id',
  drivers: 'drivers',
};

/** Every key path of the study file (for the check that STUDY_KEYS names real keys). */
export function studyKeyPaths(): string[] {
  const out: string[] = [];
  const walk = (f: Field, path: string) => {
    if (path) out.push(path);
    if (f.kind === 'object') for (const [k, sub] of Object.entries(f.fields)) walk(sub, path ? `${path}.${k}` : k);
  };
  walk(STUDY_SPEC, '');
  return out;
}

/** Rewrites each `--name` of `msg` that `has(name)` rejects into the study's terms. */
export function inStudyTerms(msg: string, has: (option: string) => boolean): string {
  return msg.replace(/(?<![\w-])--([a-z][a-z0-9-]*)/g, (all, name: string) => {
    if (has(name) || (name.startsWith('no-') && has(name.slice(3)))) return all;
    return STUDY_KEYS[name] ?? `"${name}"`;
  });
}
