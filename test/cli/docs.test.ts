// README and --help speak to a user who has only this package (issue 11 item 18): papers by
// author and year, never "seed 000" or ../shared paths; every README example runs on files that
// `landcarbon sample` writes or that an earlier example line makes; the balance scheme-file
// format is in the README and in the scheme messages.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { YEARS } from '../../fixtures/sample.js';
import { SAMPLE_STUDY_FILES } from '../../src/pipeline/sample-study.js';
import { loadScheme, SCHEME_FORMAT } from '../../src/models/schemes.js';

const ROOT = join(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const INTERNAL = /seed 00\d|\.\.\/shared|shared\/data/i;

describe('README and --help', () => {
  it('never say "seed 000" or ../shared/data', async () => {
    expect(README.split('\n').filter((l) => INTERNAL.test(l))).toEqual([]);
    const program = await buildProgram();
    const bad: string[] = [];
    const walk = (c: Command, path: string): void => {
      const help = c.helpInformation();
      for (const l of help.split('\n')) if (INTERNAL.test(l)) bad.push(`${path}: ${l.trim()}`);
      for (const s of c.commands) walk(s, `${path} ${s.name()}`);
    };
    walk(program, 'landcarbon');
    expect(bad).toEqual([]);
  });

  it('every file an example reads is made by `landcarbon sample` or by an earlier example line', () => {
    const block = /\*\*Examples on the sample region\.\*\*[\s\S]*?```sh\n([\s\S]*?)```/.exec(README);
    expect(block).not.toBeNull();
    const lines = block![1].trim().split('\n');
    expect(lines.find((l) => l.startsWith('landcarbon sample --out s'))).toBeDefined();
    const sampleSrc = readFileSync(join(ROOT, 'fixtures/sample.ts'), 'utf8');
    const made = new Set([...sampleSrc.matchAll(/file: '([^']+)'/g)].map((m) => `s/${m[1]}`));
    for (const y of YEARS) made.add(`s/landuse_${y}.tif`);
    made.add('s/units.csv');
    for (const f of SAMPLE_STUDY_FILES) made.add(`s/${f}`); // written beside the rasters by `landcarbon sample`
    let commands = 0;
    for (const l of lines) {
      const words = l.match(/'[^']*'|\S+/g)!;
      // inputs: paths under s/ or out/ that are not written by this line
      const outs = new Set<string>();
      words.forEach((w, i) => { if ((words[i - 1] === '--out' || words[i - 1] === '>') && w) outs.add(w); });
      for (const w of words.flatMap((x) => x.split(','))) {
        if (!/^(s|out)\//.test(w) || outs.has(w)) continue;
        const known = made.has(w) || [...made].some((m) => w.startsWith(m + '/'));
        expect(known, `${w} in: ${l}`).toBe(true);
      }
      for (const o of outs) made.add(o);
      // files a command writes inside its --out DIR
      if (l.includes('carbon emissions')) for (const f of ['by_unit.csv', 'by_class.csv']) made.add(`${[...outs][0]}/${f}`);
      if (l.startsWith('landcarbon network')) made.add(`${[...outs][0]}/edges.csv`);
      if (l.startsWith('landcarbon ')) commands++;
    }
    // the chain: sample, info, zonal, markov, suitability, simulate, accuracy, carbon x2, balance, grey, network, centrality, stats
    expect(commands).toBeGreaterThanOrEqual(14);
  });

  it('documents the balance scheme-file format, also in its messages', () => {
    for (const s of ['id: sinks', 'zones:', '{zone: carbon sink, when: ["cs > ce"]}', '`<index> <op> <number | index>`']) expect(README).toContain(s);
    expect(() => loadScheme(join(ROOT, 'no-such-scheme.yaml'))).toThrow(SCHEME_FORMAT);
    expect(SCHEME_FORMAT).toContain('zones: [{zone: NAME, when: ["esc > 1", "ecc <= 1", ...]}, ...]');
  });
});
