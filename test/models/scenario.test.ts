import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScenario, parseScenario, scenarioArrays } from '../../src/models/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-scenario-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GOOD = `
classes:
  - { code: 1, name: forest }
  - { code: 2, name: built }
  - { code: 3, name: other }
neighbourhood: 5
weights: { forest: 0.5, built: 1, 3: 0.25 }
conversion:
  rows: current
  matrix:
    - [1, 1, 1]
    - [0, 1, 0]
    - [1, 1, 1]
restricted: restr.tif
demand: demand.csv
maxIterations: 50
tolerance: 0.0001
seed: 42
update: sync
`;

describe('scenario file', () => {
  it('reads YAML: classes, weights by name or code, matrix rows = current class, paths relative to the file', () => {
    const sc = readScenario(file('s.yaml', GOOD));
    expect(sc.neighbourhood).toBe(5);
    expect(sc.restricted).toBe(join(dir, 'restr.tif'));
    expect(sc.demand).toBe(join(dir, 'demand.csv'));
    const a = scenarioArrays(sc, [1, 2, 3], 'lu.tif');
    expect(a.weights).toEqual([0.5, 1, 0.25]);
    expect(a.inertia).toEqual([1, 1, 1]);
    expect(a.allowed).toEqual([1, 1, 1, 0, 1, 0, 1, 1, 1]);
    expect(a.names).toEqual(['forest', 'built', 'other']);
    expect(sc.seed).toBe(42);
    expect(sc.tolerance).toBe(0.0001);
    expect(sc.acceptFraction).toBeUndefined(); // default 0.1 applies in the model
  });

  it('rows: future (seed 004 Table 3 orientation) is transposed', () => {
    const sc = readScenario(file('f.json', JSON.stringify({
      classes: [{ code: 1, name: 'forest' }, { code: 2, name: 'built' }],
      conversion: { rows: 'future', matrix: [[1, 0], [1, 1]] }, // row built: from forest 1 -> forest may become built
    })));
    // rows = current: forest -> [forest 1, built 1]; built -> [forest 0, built 1]
    expect(scenarioArrays(sc, [1, 2], 'lu.tif').allowed).toEqual([1, 1, 0, 1]);
  });

  const bad: Array<[string, string, string]> = [
    ['no rows', GOOD.replace('rows: current', ''), 'conversion.rows: must say what the rows are, "current" (rows = current class, columns = future class) or "future"'],
    ['wrong size', GOOD.replace('    - [1, 1, 1]\n    - [0, 1, 0]\n    - [1, 1, 1]', '    - [1, 1, 1]\n    - [0, 1, 0]'), 'conversion.matrix: expected 3 rows (one per class), got 2'],
    ['short row', GOOD.replace('[0, 1, 0]', '[0, 1]'), 'conversion.matrix row 2 (built): expected 3 values, got 2'],
    ['not 0/1', GOOD.replace('[0, 1, 0]', '[0.5, 1, 0]'), 'conversion.matrix row 2 (built), column 1 (forest): expected 0 or 1, got 0.5'],
    ['diagonal 0', GOOD.replace('[0, 1, 0]', '[0, 0, 0]'), 'conversion.matrix row 2 (built): the diagonal must be 1'],
    ['unknown class in weights', GOOD.replace('3: 0.25', 'water: 0.25'), 'weights: "water" is not a class (classes: 1 forest, 2 built, 3 other)'],
    ['weight out of range', GOOD.replace('built: 1,', 'built: 1.5,'), 'weights.built: expected a number in [0, 1], got 1.5'],
    ['even neighbourhood', GOOD.replace('neighbourhood: 5', 'neighbourhood: 4'), 'neighbourhood: expected an odd integer in 3..11, got 4'],
    ['duplicate code', GOOD.replace('{ code: 3, name: other }', '{ code: 2, name: other }'), 'classes: code 2 appears twice'],
    ['unknown key', GOOD + 'iterations: 5\n', 'unknown key "iterations"'],
    ['bad update', GOOD.replace('update: sync', 'update: async'), 'update: expected "sync" or "flus", got "async"'],
    ['bad tolerance', GOOD.replace('tolerance: 0.0001', 'tolerance: 2'), 'tolerance: expected a fraction of valid cells in [0, 1], got 2'],
    ['bad seed', GOOD.replace('seed: 42', 'seed: -3'), 'seed: expected an integer >= 0 (at most 2^53 - 1), got -3'],
    ['bad acceptFraction', GOOD + 'acceptFraction: 0\n', 'acceptFraction: expected a fraction in (0, 1], got 0'],
  ];
  for (const [name, text, msg] of bad) {
    it(`rejects: ${name}`, () => {
      const p = file(`${name.replace(/\W/g, '_')}.yaml`, text);
      expect(() => readScenario(p)).toThrow(`${p}: ${msg}`);
    });
  }

  it('rejects a map class the scenario does not list, naming the file', () => {
    const sc = parseScenario({ classes: [{ code: 1, name: 'a' }] }, 'sc.yaml');
    expect(() => scenarioArrays(sc, [1, 7], 'lu.tif')).toThrow('sc.yaml: classes: code(s) 7 of lu.tif are missing');
  });

  it('rejects unreadable and malformed files', () => {
    expect(() => readScenario(join(dir, 'nope.yaml'))).toThrow(`${join(dir, 'nope.yaml')}: cannot read scenario (ENOENT)`);
    const p = file('bad.json', '{ "classes": [');
    expect(() => readScenario(p)).toThrow(`${p}: not valid JSON`);
  });
});
