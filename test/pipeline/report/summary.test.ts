import { describe, it, expect } from 'vitest';
import { choiceSummary } from '../../../src/pipeline/report/build.js';
import { chooseScenario, type UnitInput } from '../../../src/models/balance.js';
import type { ScenarioChoice } from '../../../src/pipeline/report/result.js';

/** The report's ScenarioChoice from the model's own comparison (the path the study takes: comparison.csv). */
function compare(tables: Record<string, UnitInput[]>): ScenarioChoice {
  const c = chooseScenario(Object.entries(tables).map(([name, units]) => ({ name, units })));
  return {
    year: 2030,
    reason: c.reason,
    rows: c.scenarios.map((s) => ({ scenario: s.scenario, netEmissions: s.netEmissions, unitsEscGt1: s.unitsEscAbove1, lowestEmissions: c.lowestEmissions.includes(s.scenario), mostEscGt1: c.mostEscAbove1.includes(s.scenario), chosen: c.choice === s.scenario })),
  };
}

const u = (unit: string, ce: number, cs: number, gdp: number): UnitInput => ({ unit, ce, cs, gdp, area: 1 });
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&gt;/g, '>');

describe('report summary: the scenario choice in words', () => {
  it('best on both criteria: names it and both reasons', () => {
    const s = text(choiceSummary(compare({ natural: [u('a', 100, 10, 50), u('b', 100, 10, 50)], green: [u('a', 50, 10, 80), u('b', 120, 10, 20)] }), 2, 't CO2/yr'));
    expect(s).toContain('Recommended scenario for 2030: green.');
    expect(s).toContain('It has the lowest net emissions (150 t CO2/yr, 30 t or 16.67 % less than natural) and the most units with ESC > 1 (1 of 2).');
    expect(s).toContain('Decided by: green has the lowest net emissions');
  });

  it('a tie on units with ESC > 1: says so and that net emissions decided', () => {
    const s = text(choiceSummary(compare({ natural: [u('a', 100, 10, 50), u('b', 100, 10, 50)], green: [u('a', 90, 10, 50), u('b', 90, 10, 50)] }), 2, 't CO2/yr'));
    expect(s).toContain('Recommended scenario for 2030: green.');
    expect(s).toContain('units with ESC > 1 tie (0 in natural, green), so net emissions decided.');
    expect(s).toContain('Decided by: tie on units with ESC > 1');
  });

  it('a tie on both criteria: no recommendation, "it is a tie"', () => {
    const t = [u('a', 100, 10, 50), u('b', 80, 10, 50)];
    const s = text(choiceSummary(compare({ natural: t, green: t.map((x) => ({ ...x })) }), 2, 't CO2/yr'));
    expect(s).toContain('No scenario is recommended for 2030: it is a tie.');
    expect(s).toContain('natural, green have the same net emissions (160 t CO2/yr)');
    expect(s).toContain('Decided by: tie: natural, green are equal on both criteria');
  });

  it('criteria that disagree: no recommendation, which scenario is best on which', () => {
    const s = text(choiceSummary(compare({ natural: [u('a', 100, 30, 50), u('b', 100, 0, 50)], green: [u('a', 90, 10, 50), u('b', 90, 10, 50)] }), 2, 't CO2/yr'));
    expect(s).toContain('No scenario is recommended for 2030: the criteria disagree.');
    expect(s).toContain('green has the lowest net emissions (160 t CO2/yr), but natural has the most units with ESC > 1 (1).');
    expect(s).toContain('Decided by: criteria disagree');
  });
});
