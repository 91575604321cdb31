import { describe, it, expect } from 'vitest';
import { readScenario, scenarioArrays } from '../../src/models/scenario.js';
import { scenarioPath } from '../../src/cli/simulate.js';

const codes = [1, 2, 3, 4, 5, 6]; // cropland, forest, grassland, construction, water, unutilised

describe('built-in scenarios (Qin et al., Beibu Gulf: Table 2 weights, Table 3 matrices, rows = current)', () => {
  const load = (name: string) => {
    const sc = readScenario(scenarioPath(name)!);
    return { sc, a: scenarioArrays(sc, codes, 'map') };
  };
  it('resolve by name and carry Table 2 weights', () => {
    for (const n of ['seed004-urbanized', 'seed004-agricultural', 'seed004-ecological']) {
      const { sc, a } = load(n);
      expect(sc.neighbourhood).toBe(3);
      expect(a.weights).toEqual([0.2, 0.01, 0.3, 1, 0.4, 0.5]);
      expect(sc.maxIterations).toBe(300);
    }
    expect(() => scenarioPath('seed004-nonsense')).toThrow(/--scenario seed004-nonsense: no such file, and not a built-in scenario \(built-ins: .*seed004-ecological/);
  });
  it('rows = current class: the paper\'s own sentences hold', () => {
    const K = 6, at = (m: number[], from: number, to: number) => m[(from - 1) * K + (to - 1)];
    // agricultural priority: "all land use types, except for construction land, can be converted into cropland"
    const ag = load('seed004-agricultural').a.allowed;
    expect([2, 3, 5, 6].map((c) => at(ag, c, 1))).toEqual([1, 1, 1, 1]);
    expect(at(ag, 4, 1)).toBe(0);
    // construction land never converts in any scenario (row 4 = [0 0 0 1 0 0])
    for (const n of ['seed004-urbanized', 'seed004-agricultural', 'seed004-ecological']) {
      const m = load(n).a.allowed;
      expect(m.slice(3 * K, 4 * K)).toEqual([0, 0, 0, 1, 0, 0]);
    }
    // ecological priority: cropland may become anything (row A all 1), forest only stays forest
    const ec = load('seed004-ecological').a.allowed;
    expect(ec.slice(0, K)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(ec.slice(K, 2 * K)).toEqual([0, 1, 0, 0, 0, 0]);
  });
});
