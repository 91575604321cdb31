import { describe, it, expect } from 'vitest';
import { chooseScenario, computeIndices, summariseZones, UnitInput, unitsFromTable, zoneUnits } from '../../src/models/balance.js';
import { compileScheme, loadScheme, parseCondition } from '../../src/models/schemes.js';
import { parseCsv, toCsv } from '../../src/io/table.js';
import { zoneRows } from '../../src/pipeline/steps/balance.js';

// CE = 20, CS = 10, G = 100
const U: UnitInput[] = [
  { unit: 'A', ce: 10, cs: 2, gdp: 50 },
  { unit: 'B', ce: 5, cs: 6, gdp: 30 },
  { unit: 'C', ce: 5, cs: 2, gdp: 20 },
];

describe('balance indices', () => {
  it('hand-computed CCR, CBI, ECC, ESC', () => {
    const [a, b, c] = computeIndices(U);
    expect(a.ccr).toBe(0.2); // 2/10
    expect(a.cbi).toBe(5); // 10/2
    expect(a.ecc).toBe(1); // (50/100)/(10/20)
    expect(a.esc).toBeCloseTo(0.4, 15); // (2/10)/(10/20)
    expect(b.ecc).toBeCloseTo(1.2, 15); // 0.3/0.25
    expect(b.esc).toBeCloseTo(2.4, 15); // 0.6/0.25
    expect(c.ecc).toBeCloseTo(0.8, 15); // 0.2/0.25
    expect(c.esc).toBeCloseTo(0.8, 15);
    expect(b.budget).toBe(-1); // 5 - 6
  });

  it('CE_i = 0 takes the limit CE_i -> 0: CCR, ECC, ESC = +inf when their numerator is > 0, said in the reason; 0/0 stays undefined; CS_i = 0 leaves CBI undefined', () => {
    const ix = computeIndices([...U, { unit: 'D', ce: 0, cs: 3, gdp: 1 }, { unit: 'E', ce: 2, cs: 0, gdp: 1 }, { unit: 'F', ce: 0, cs: 0, gdp: 0 }]);
    const d = ix[3];
    expect(d.ccr).toBe(Infinity);
    expect(d.ecc).toBe(Infinity);
    expect(d.esc).toBe(Infinity);
    expect(d.cbi).toBe(0);
    expect(d.undefinedReason).toBe('ccr = +inf, ecc = +inf, esc = +inf (limit CE_i -> 0, CE_i = 0)');
    expect(ix[4].cbi).toBeNull();
    expect(ix[4].esc).toBe(0);
    expect(ix[4].undefinedReason).toBe('cbi undefined: CS_i = 0');
    const f = ix[5];
    expect([f.ccr, f.cbi, f.ecc, f.esc]).toEqual([null, null, null, null]);
    expect(f.undefinedReason).toBe('ccr undefined: CE_i = CS_i = 0; cbi undefined: CS_i = 0; ecc undefined: CE_i = 0 and GDP_i = 0; esc undefined: CE_i = 0 and CS_i = 0');
    for (const u of ix) for (const v of [u.ccr, u.cbi, u.ecc, u.esc]) if (v !== null) expect(Number.isNaN(v)).toBe(false);
  });

  it('a net source (CS_i < 0, NEP_i < 0: Fan et al. 2024 Table 2) gets negative CCR, CBI, ESC and a positive budget (carbon deficit)', () => {
    const ix = computeIndices([...U, { unit: 'N', ce: 4, cs: -2, gdp: 10 }]); // CE = 24, CS = 8
    const n = ix[3];
    expect(n.budget).toBe(6);
    expect(n.ccr).toBe(-0.5);
    expect(n.cbi).toBe(-2);
    expect(n.esc).toBeCloseTo((-2 / 8) / (4 / 24), 15);
    expect(zoneUnits([...U, { unit: 'N', ce: 4, cs: -2, gdp: 10 }], loadScheme('mryrua'))[3].zone).toBe('high-carbon optimisation'); // cs < ce, esc < 1, ecc (10/110)/(4/24) < 1
    // a region that is a net source overall: ESC undefined, with the reason
    const all = computeIndices([{ unit: 'a', ce: 1, cs: -3 }, { unit: 'b', ce: 1, cs: 1 }]);
    expect(all[0].esc).toBeNull();
    expect(all[0].undefinedReason).toContain('esc undefined: total CS < 0 (the region is a net source)');
  });
});

describe('zoning schemes', () => {
  it('suzhou (seed 003): ECC x ESC quadrants; ECC exactly 1 is unclassified (tie at the threshold)', () => {
    const z = zoneUnits(U, loadScheme('suzhou'));
    expect(z[0].zone).toBe('unclassified');
    expect(z[0].reason).toContain('tie at the threshold (ecc = 1)');
    expect(z[1].zone).toBe('low-carbon economic'); // ecc 1.2, esc 2.4
    expect(z[2].zone).toBe('high-carbon optimisation'); // 0.8, 0.8
    const more = zoneUnits(
      [
        { unit: 'p', ce: 1, cs: 1, gdp: 3 }, // ecc 3/5/(1/4)... see below
        { unit: 'q', ce: 1, cs: 3, gdp: 1 },
        { unit: 'r', ce: 1, cs: 0.5, gdp: 0.5 },
        { unit: 's', ce: 1, cs: 0.5, gdp: 0.5 },
      ],
      loadScheme('suzhou'),
    );
    // CE = 4, CS = 5, G = 5: p ecc = (3/5)/(1/4) = 2.4, esc = (1/5)/(1/4) = 0.8 -> source control
    // q ecc = 0.8, esc = 2.4 -> sink functional; r, s ecc = 0.4, esc = 0.4 -> high-carbon optimisation
    expect(more.map((u) => u.zone)).toEqual(['carbon source control', 'carbon sink functional', 'high-carbon optimisation', 'high-carbon optimisation']);
  });

  it('suzhou: CE_i = 0 with CS_i, GDP_i > 0 is classified by the limit (ECC = ESC = +inf > 1), said in the reason; 0/0 is unclassified with its reason', () => {
    const z = zoneUnits([...U, { unit: 'D', ce: 0, cs: 1, gdp: 1 }, { unit: 'F', ce: 0, cs: 0, gdp: 1 }], loadScheme('suzhou'));
    expect(z[3].zone).toBe('low-carbon economic');
    expect(z[3].reason).toBe('classified by the limit CE_i -> 0 (CE_i = 0): ecc = +inf, esc = +inf');
    expect(z[4].zone).toBe('unclassified');
    expect(z[4].reason).toBe('esc undefined (ecc = +inf (limit CE_i -> 0, CE_i = 0); ccr undefined: CE_i = CS_i = 0; cbi undefined: CS_i = 0; esc undefined: CE_i = 0 and CS_i = 0)');
    // the zoned table writes the limit as Infinity (pandas and R read it as infinity)
    expect(zoneRows(z)[3].slice(0, 5)).toEqual(['D', Infinity, 0, Infinity, Infinity]);
    expect(toCsv(['u', 'esc'], [['D', z[3].esc]])).toBe('u,esc\nD,Infinity\n');
  });

  it("reproduces seed 003's share layout: 36/29/14/18 of 97 units = 37.11 / 29.90 / 14.43 / 18.56 %", () => {
    // every unit ce = 1, so ECC_i = 97 g_i / G and ESC_i = 97 cs_i / CS; high g = 2, low 0.5
    // (G/97 = 146/97 = 1.505), high cs = 2, low 0.5 (CS/97 = 123.5/97 = 1.273)
    const units: UnitInput[] = [];
    const add = (n: number, g: number, cs: number) => {
      for (let i = 0; i < n; i++) units.push({ unit: `u${units.length}`, ce: 1, cs, gdp: g, area: 1 });
    };
    add(36, 2, 2); add(29, 2, 0.5); add(14, 0.5, 2); add(18, 0.5, 0.5);
    const s = loadScheme('suzhou');
    const sum = summariseZones(zoneUnits(units, s), s, units.map((u) => u.area));
    expect(sum.map((z) => [z.zone, z.count, +z.countShare.toFixed(2), +z.areaShare!.toFixed(2)])).toEqual([
      ['low-carbon economic', 36, 37.11, 37.11],
      ['carbon source control', 29, 29.9, 29.9],
      ['carbon sink functional', 14, 14.43, 14.43],
      ['high-carbon optimisation', 18, 18.56, 18.56],
    ]);
  });

  it('area shares use the area column', () => {
    const s = loadScheme('suzhou');
    const units = [
      { unit: 'b', ce: 5, cs: 6, gdp: 30, area: 30 },
      { unit: 'c', ce: 5, cs: 2, gdp: 20, area: 10 },
      { unit: 'a', ce: 10, cs: 2, gdp: 50, area: 60 },
    ];
    const sum = summariseZones(zoneUnits(units, s), s, units.map((u) => u.area));
    expect(sum.find((z) => z.zone === 'low-carbon economic')!.areaShare).toBe(30);
    expect(sum.find((z) => z.zone === 'unclassified')!.areaShare).toBe(60);
  });

  it('mryrua (seed 002): CS vs CE first, then ESC and ECC; CS = CE and ESC = 1 are unclassified', () => {
    const s = loadScheme('mryrua');
    // CE = 20, CS = 10 (units A, B, C above): B cs 6 > ce 5 & esc 2.4 -> sink functional
    const z = zoneUnits(U, s);
    expect(z[1].zone).toBe('carbon sink functional');
    expect(z[2].zone).toBe('high-carbon optimisation'); // cs < ce, esc 0.8, ecc 0.8
    expect(z[0].zone).toBe('unclassified'); // ecc exactly 1
    // 4 units, CE = 8, CS = 8, G = 8
    const v = zoneUnits(
      [
        { unit: 'w', ce: 1, cs: 1.5, gdp: 4 }, // cs < ce? no: 1.5 > 1, esc = (1.5/8)/(1/8) = 1.5 -> sink functional
        { unit: 'x', ce: 2, cs: 1.5, gdp: 3 }, // esc 0.75, ecc 1.5 -> carbon intensity control
        { unit: 'y', ce: 2, cs: 3, gdp: 0.5 }, // cs > ce, esc 1.5 -> sink functional
        { unit: 'z', ce: 3, cs: 2, gdp: 0.5 }, // esc 0.667, ecc 0.1667 -> high-carbon optimisation
      ],
      s,
    );
    expect(v.map((u) => u.zone)).toEqual(['carbon sink functional', 'carbon intensity control', 'carbon sink functional', 'high-carbon optimisation']);
    const lc = zoneUnits(
      [
        { unit: 'k', ce: 2, cs: 1.9, gdp: 6 }, // CE 4, CS 2.9, G 8: esc = (1.9/2.9)/(0.5) = 1.31, ecc = 0.75/0.5 = 1.5
        { unit: 'm', ce: 2, cs: 1, gdp: 2 }, // esc 0.69, ecc 0.5
      ],
      s,
    );
    expect(lc[0].zone).toBe('low-carbon economic');
    const lo = zoneUnits(
      [
        { unit: 'k', ce: 2, cs: 1.9, gdp: 2 }, // esc 1.31, ecc 0.5 -> low-carbon optimisation
        { unit: 'm', ce: 2, cs: 1, gdp: 6 },
      ],
      s,
    );
    expect(lo[0].zone).toBe('low-carbon optimisation');
    const eq = zoneUnits([{ unit: 'e', ce: 1, cs: 1, gdp: 1 }, { unit: 'f', ce: 1, cs: 3, gdp: 1 }], s);
    expect(eq[0].zone).toBe('unclassified'); // CS = CE: no rule
    expect(eq[0].reason).toContain('tie at the threshold (cs = ce');
  });

  it('bth (seed 000): ESC = 1 counts as ESC <= 1; linkage splits each side', () => {
    const s = loadScheme('bth');
    // two units ce 1, cs 1: ESC = (1/2)/(1/2) = 1 exactly
    const z = zoneUnits([
      { unit: 'a', ce: 1, cs: 1, linkage: 1 },
      { unit: 'b', ce: 1, cs: 1, linkage: 0 },
    ], s);
    expect(z.map((u) => u.zone)).toEqual(['emission linkage control', 'low-carbon control']);
    const y = zoneUnits([
      { unit: 'a', ce: 1, cs: 3, linkage: 1 }, // esc 1.5
      { unit: 'b', ce: 1, cs: 3, linkage: 0 }, // esc 1.5
      { unit: 'c', ce: 2, cs: 0, linkage: 0 }, // esc 0
    ], s);
    expect(y.map((u) => u.zone)).toEqual(['ecological conservation', 'carbon sink balance', 'low-carbon control']);
  });

  it('bth without a linkage column is a config error naming the column', () => {
    expect(() => zoneUnits([{ unit: 'a', ce: 1, cs: 1 }], loadScheme('bth'))).toThrow('scheme bth: uses index "linkage" but unit "a" has no "linkage" value (add a "linkage" column to the unit table)');
  });

  it('user schemes: conditions over named indices, first match wins, validated', () => {
    const s = compileScheme({ id: 'mine', zones: [{ zone: 'sink', when: ['budget < 0'] }, { zone: 'source', when: ['ccr <= 0.3'] }] }, 'mine.yaml');
    const z = zoneUnits(U, s);
    expect(z.map((u) => u.zone)).toEqual(['source', 'sink', 'unclassified']);
    expect(z[2].reason).toBe('no rule of scheme mine matches (budget = 3, ccr = 0.4)'); // C: 5 - 2, 2/5
    expect(() => parseCondition('esc >> 1', 'f')).toThrow('f: cannot parse condition "esc >> 1"');
    expect(() => parseCondition('esc > 1x', 'f')).toThrow('right side "1x" is neither a number nor an index name');
    expect(() => compileScheme({ id: 'x', zones: [] }, 'x.json')).toThrow('x.json: "zones" must be a non-empty list');
    expect(() => compileScheme({ id: 'x', zones: [{ zone: 'unclassified', when: ['esc > 1'] }] }, 'x.json')).toThrow('"unclassified" is reserved');
    expect(() => loadScheme('nope')).toThrow('--scheme: "nope" is neither a built-in scheme (suzhou, mryrua, bth) nor a readable scheme file');
  });
});

describe('unit tables', () => {
  it('reads unit,ce,cs,gdp,area,linkage and extra numeric columns', () => {
    const u = unitsFromTable(parseCsv('unit,ce,cs,gdp,area,linkage,pop\na,1,2,3,4,1,7\n', 't.csv'));
    expect(u[0]).toEqual({ unit: 'a', ce: 1, cs: 2, gdp: 3, area: 4, linkage: 1, extra: { pop: 7 } });
  });
  it('non-numeric GDP', () => {
    expect(() => unitsFromTable(parseCsv('unit,ce,cs,gdp\na,1,2,abc\n', 't.csv'))).toThrow('t.csv: row 1 (unit "a"), column "gdp": expected a number, got "abc"');
  });
  it('negative area', () => {
    expect(() => unitsFromTable(parseCsv('unit,ce,cs,gdp,area\na,1,2,3,-5\n', 't.csv'))).toThrow('t.csv: row 1 (unit "a"), column "area": a negative area -5, expected >= 0');
  });
  it('negative cs (a net source) read; negative ce, bad linkage, duplicate unit, missing column', () => {
    expect(unitsFromTable(parseCsv('unit,ce,cs\na,1,-2\n', 't.csv'))[0].cs).toBe(-2); // a net source (NEP < 0)
    expect(() => unitsFromTable(parseCsv('unit,ce,cs\na,-1,2\n', 't.csv'))).toThrow('column "ce": a negative ce -1, expected >= 0');
    expect(() => unitsFromTable(parseCsv('unit,ce,cs,linkage\na,1,2,2\n', 't.csv'))).toThrow('column "linkage": expected 0 or 1, got 2');
    expect(() => unitsFromTable(parseCsv('unit,ce,cs\na,1,2\na,1,2\n', 't.csv'))).toThrow('t.csv: row 2: duplicate unit "a"');
    expect(() => unitsFromTable(parseCsv('unit,ce\na,1\n', 't.csv'))).toThrow('t.csv: missing column "cs"');
  });
});

describe('scenario choice (seed 000)', () => {
  it('picks the scenario with lower net emissions and more units with ESC > 1, reporting both', () => {
    const nd: UnitInput[] = [{ unit: 'a', ce: 10, cs: 1 }, { unit: 'b', ce: 10, cs: 1 }, { unit: 'c', ce: 1, cs: 2 }];
    const ep: UnitInput[] = [{ unit: 'a', ce: 9, cs: 2 }, { unit: 'b', ce: 8, cs: 1 }, { unit: 'c', ce: 1, cs: 2 }];
    // ND net 21 - 4 = 17, ESC: a (1/4)/(10/21) = 0.525, c (2/4)/(1/21) = 10.5 -> 1 unit
    // EP net 18 - 5 = 13, ESC: a (2/5)/(9/18) = 0.8, b 0.25, c (0.4)/(1/18) = 7.2 -> 1 unit
    const c = chooseScenario([{ name: 'ND', units: nd }, { name: 'EP', units: ep }]);
    expect(c.scenarios.map((s) => [s.scenario, s.netEmissions, s.unitsEscAbove1])).toEqual([['ND', 17, 1], ['EP', 13, 1]]);
    expect(c.lowestEmissions).toEqual(['EP']);
    expect(c.mostEscAbove1).toEqual(['ND', 'EP']);
    expect(c.choice).toBe('EP');
  });
  it('no choice when the criteria disagree', () => {
    const a: UnitInput[] = [{ unit: 'a', ce: 5, cs: 1 }, { unit: 'b', ce: 5, cs: 1 }];
    const b: UnitInput[] = [{ unit: 'a', ce: 10, cs: 4 }, { unit: 'b', ce: 1, cs: 1 }];
    // a: net 8, ESC 1 and 1 -> 0 units > 1; b: net 6? 11 - 5 = 6, ESC b = (1/5)/(1/11) = 2.2 -> 1
    const c = chooseScenario([{ name: 'A', units: a }, { name: 'B', units: b }]);
    expect(c.choice).toBe('B');
    const d = chooseScenario([{ name: 'A', units: a }, { name: 'C', units: [{ unit: 'a', ce: 20, cs: 1 }, { unit: 'b', ce: 1, cs: 1 }] }]);
    // C: net 19, ESC b = (1/2)/(1/21) = 10.5 -> 1 unit; A: net 8, 0 units
    expect(d.choice).toBeNull();
    expect(d.reason).toBe('criteria disagree: lowest net emissions A; most units with ESC > 1 C');
  });
});
