// `centrality --merge sum|max|first` and `--nodes FILE` (issue 11 item 15) against networkx
// (test/golden/networkx_merge.py -> networkx_merge.json).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { parseCsv } from '../../src/io/table.js';
import { mergeDuplicateEdges } from '../../src/models/edges.js';

const G = JSON.parse(readFileSync(join(import.meta.dirname, '../golden/networkx_merge.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'lc-merge-'));
const edges = join(dir, 'edges.csv'), nodes = join(dir, 'nodes.csv');
writeFileSync(edges, G.edges_csv);
writeFileSync(nodes, G.nodes_csv);

describe('centrality on the network command\'s own edges.csv', () => {
  it('--undirected without --merge: exit 2 naming the duplicate and the option that fixes it', async () => {
    const r = await cli('centrality', '--edges', edges, '--undirected', '--out', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`landcarbon centrality: ${edges}: edge 2 (8 -> 5) duplicates edge 1 (5 -> 8) in an undirected graph; pass --merge sum|max|first to combine duplicate edges\n`);
  });

  for (const rule of ['sum', 'max', 'first']) {
    it(`--merge ${rule} --nodes: networkx values, isolated node z counted`, async () => {
      const out = join(dir, `c-${rule}.csv`);
      const r = await cli('centrality', '--edges', edges, '--nodes', nodes, '--undirected', '--merge', rule, '--weight', 'distance_km', '--out', out, '--threads', '1');
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`5 nodes, ${G.rules[rule].edges} edges (undirected, weights "distance_km"; 2 duplicate rows merged (${rule}))`);
      const t = parseCsv(readFileSync(out, 'utf8'), out);
      expect(t.rows.map((x) => x[0])).toEqual(G.nodes);
      const g = G.rules[rule];
      t.rows.forEach((row, i) => {
        expect(Number(row[1])).toBe(g.degree[i] / 4); // degree centrality: degree / (n - 1), n = 5 with z
        expect(Number(row[3])).toBeCloseTo(g.closeness[i], 12);
        expect(Number(row[5])).toBeCloseTo(g.betweenness[i], 12);
      });
    });
  }

  it('--nodes: an edge naming a node not in the list is an error; --merge is validated', async () => {
    writeFileSync(join(dir, 'few.csv'), 'unit\n5\n8\n');
    const r = await cli('centrality', '--edges', edges, '--nodes', join(dir, 'few.csv'), '--undirected', '--merge', 'sum', '--out', join(dir, 'y.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${edges}: row 3, column "to": node "6" is not in ${join(dir, 'few.csv')}`);
    const bad = await cli('centrality', '--edges', edges, '--merge', 'mean', '--out', join(dir, 'y.csv'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("option '--merge <rule>' argument 'mean' is invalid. Allowed choices are sum, max, first.");
  });

  it('mergeDuplicateEdges: directed keeps both directions; weights by rule', () => {
    const m = mergeDuplicateEdges([0, 1, 0], [1, 0, 1], [2, 3, 5], false, 'sum');
    expect([...m.from]).toEqual([0, 1]);
    expect([...m.weight!]).toEqual([7, 3]); // 0->1: 2 + 5; 1->0 alone
    expect([...mergeDuplicateEdges([0, 1, 0], [1, 0, 1], [2, 3, 5], true, 'max').weight!]).toEqual([5]);
    expect([...mergeDuplicateEdges([0, 1, 0], [1, 0, 1], [2, 3, 5], true, 'first').weight!]).toEqual([2]);
  });
});
