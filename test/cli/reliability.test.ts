/**
 * Issue 11, items 1, 3, 4, 5 and 6, reproduced with the commands of the report:
 *  1 an output that is an input (same path, another spelling, a symlink, a hard link, a file of
 *    an output folder, a year map of simulate) is refused before any work: exit 2, one line;
 *  3 single-band inputs refuse a multi-band raster, naming the band count;
 *  4 each output folder gets landcarbon-run.json; files of the previous run of the same
 *    command that this run did not write are removed (only those, and only when unchanged);
 *    a replaced GeoTIFF's .aux.xml sidecar is removed;
 *  5 SIGINT / SIGTERM on a real child process: no temporary file left, the manifest says
 *    "interrupted", one line on stderr, exit 130 / 143;
 *  6 outputs that cannot be written (parent is a file, no permission, read-only file system)
 *    are exit 2 with one line, before any work.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cli } from './helpers.js';
import { makeFixture, sha, hashTree, temps, type Fixture } from './fixture.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');
let F: Fixture;
beforeAll(async () => {
  F = await makeFixture('lc-rel-');
});

function oneLine(err: string): string {
  const lines = err.trim().split('\n');
  expect(lines, err).toHaveLength(1);
  return lines[0];
}

/** Runs the CLI and checks exit 2, one stderr line, and every file under the fixture unchanged. */
async function refused(...args: string[]): Promise<string> {
  const before = hashTree(F.dir);
  const r = await cli(...args);
  expect(r.code, r.err).toBe(2);
  const line = oneLine(r.err);
  const after = hashTree(F.dir);
  expect([...after.keys()].map((f) => relative(F.dir, f)).sort()).toEqual([...before.keys()].map((f) => relative(F.dir, f)).sort());
  for (const [f, h] of before) expect(after.get(f), f).toBe(h);
  return line;
}

function manifest(dir: string): { runs: Array<{ key: string; status: string; outputs: Array<{ file: string; sha256?: string | null }>; inputs: Array<{ path: string }>; version: string; parameters: unknown }> } {
  return JSON.parse(readFileSync(join(dir, 'landcarbon-run.json'), 'utf8'));
}

describe('item 1: an output that resolves to an input is refused, exit 2', () => {
  it('simulate --landuse in/lu.tif ... --out in/lu.tif', async () => {
    const line = await refused('simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--out', F.p('landuse_2010.tif'), '--quiet');
    expect(line).toMatch(/--out .*landuse_2010\.tif: is the same file as the input --landuse .*landuse_2010\.tif; inputs are never overwritten/);
  });

  it('suitability --drivers in/dem.tif,in/slope.tif --out in/dem.tif', async () => {
    const line = await refused('suitability', '--landuse', F.p('landuse_2010.tif'), '--drivers', `${F.p('dem.tif')},${F.p('slope.tif')}`, '--out', F.p('dem.tif'));
    expect(line).toMatch(/--out .*dem\.tif: is the same file as the input --drivers .*dem\.tif/);
  });

  it('zonal --zones z.tif ... --out z.tif, also spelled in/./z.tif, through a symlink and a hard link', async () => {
    await refused('zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', F.p('zones.tif'));
    const other = join(F.dir, 'in', '.', '..', 'in', 'zones.tif');
    expect(await refused('zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', other)).toContain('--zones');
    const links = join(F.dir, 'links');
    mkdirSync(links, { recursive: true });
    symlinkSync(F.p('zones.tif'), join(links, 'sym.tif'));
    linkSync(F.p('landuse_2020.tif'), join(links, 'hard.tif'));
    expect(await refused('zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', join(links, 'sym.tif'))).toContain('--zones');
    expect(await refused('zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', join(links, 'hard.tif'))).toContain('--classes');
  });

  it('a file the command writes into its --out folder is an input: refused before any work', async () => {
    const out = join(F.dir, 'emis-guard');
    mkdirSync(out, { recursive: true });
    copyFileSync(F.p('landuse_2020.tif'), join(out, 'emissions.tif'));
    const line = await refused('carbon', 'emissions', '--landuse', join(out, 'emissions.tif'), '--coefficients', F.coefficients, '--out', out);
    expect(line).toMatch(/--out .*emissions\.tif: is the same file as the input --landuse/);
  });

  it('simulate: an earlier year map (<stem>_<year>.tif) that is an input is refused before iterating', async () => {
    const d = join(F.dir, 'simyear');
    mkdirSync(d, { recursive: true });
    copyFileSync(F.p('landuse_2010.tif'), join(d, 'sim_2015.tif'));
    const r = await refused('simulate', '--landuse', join(d, 'sim_2015.tif'), '--prob', F.prob, '--demand', F.demand, '--out', join(d, 'sim.tif'));
    expect(r).toMatch(/--out .*sim_2015\.tif: is the same file as the input --landuse/);
  });

  it('the output folder itself is an input file', async () => {
    expect(await refused('carbon', 'storage', '--landuse', F.p('landuse_2020.tif'), '--pools', F.pools, '--out', F.pools)).toMatch(/--out .*pools\.csv: cannot write: .* is a file, not a directory/);
  });
});

describe('item 3: single-band inputs refuse a multi-band raster, naming the band count', () => {
  const cases: Array<[string, () => string[]]> = [
    ['zonal --zones', () => ['zonal', '--zones', F.multiband, '--classes', F.p('landuse_2020.tif'), '--out', join(F.dir, 'mb', 'z.csv')]],
    ['zonal --classes', () => ['zonal', '--zones', F.p('zones.tif'), '--classes', F.multiband, '--out', join(F.dir, 'mb', 'z.csv')]],
    ['markov --from', () => ['markov', '--from', F.multiband, '--to', F.p('landuse_2010.tif'), '--years', '2000,2010', '--target-year', '2020']],
    ['accuracy --simulated', () => ['accuracy', '--start', F.p('landuse_2000.tif'), '--observed', F.p('landuse_2010.tif'), '--simulated', F.multiband]],
    ['simulate --landuse', () => ['simulate', '--landuse', F.multiband, '--prob', F.prob, '--demand', F.demand, '--out', join(F.dir, 'mb', 's.tif')]],
    ['simulate --restricted', () => ['simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--restricted', F.multiband, '--out', join(F.dir, 'mb', 's.tif')]],
    ['carbon emissions --landuse', () => ['carbon', 'emissions', '--landuse', F.multiband, '--coefficients', F.coefficients, '--out', join(F.dir, 'mb', 'e')]],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const line = await refused(...args());
      expect(line).toMatch(/lu3\.tif: 3 bands, expected a single-band raster/);
      expect(existsSync(join(F.dir, 'mb'))).toBe(false);
    });
  }
});

describe('item 4: output-folder manifest, stale files, sidecars', () => {
  it('a second carbon emissions without --zones removes the first run\'s by_unit.csv, and only it', async () => {
    const out = join(F.dir, 'emis');
    let r = await cli('carbon', 'emissions', '--landuse', F.p('landuse_2020.tif'), '--coefficients', F.coefficients, '--zones', F.p('zones.tif'), '--out', out, '--threads', '1');
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(out, 'by_unit.csv'))).toBe(true);
    const m1 = manifest(out);
    expect(m1.runs).toHaveLength(1);
    expect(m1.runs[0].status).toBe('complete');
    expect(m1.runs[0].version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(m1.runs[0].outputs.map((o) => o.file).sort()).toEqual(['by_class.csv', 'by_unit.csv', 'emissions.tif', 'summary.json']);
    const byClass = m1.runs[0].outputs.find((o) => o.file === 'by_class.csv')!;
    expect(byClass.sha256).toBe(sha(join(out, 'by_class.csv')));
    expect(m1.runs[0].inputs.map((i) => i.path)).toEqual(expect.arrayContaining([F.p('landuse_2020.tif'), F.coefficients, F.p('zones.tif')]));
    writeFileSync(join(out, 'notes.txt'), 'mine\n'); // the user's own file: never touched
    writeFileSync(join(out, 'emissions.tif.aux.xml'), '<PAMDataset/>'); // GDAL's statistics of the old map
    r = await cli('carbon', 'emissions', '--landuse', F.p('landuse_2010.tif'), '--coefficients', F.coefficients, '--out', out, '--threads', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/note: removed 1 file\(s\) of an earlier run that this run did not write, in .*emis: by_unit\.csv/);
    expect(existsSync(join(out, 'by_unit.csv'))).toBe(false);
    expect(existsSync(join(out, 'emissions.tif.aux.xml'))).toBe(false);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
    const m2 = manifest(out);
    expect(m2.runs[0].outputs.map((o) => o.file).sort()).toEqual(['by_class.csv', 'emissions.tif', 'summary.json']);
  });

  it('a stale file changed since its run is kept and reported, not removed', async () => {
    const out = join(F.dir, 'emis2');
    expect((await cli('carbon', 'emissions', '--landuse', F.p('landuse_2020.tif'), '--coefficients', F.coefficients, '--zones', F.p('zones.tif'), '--out', out, '--threads', '1')).code).toBe(0);
    writeFileSync(join(out, 'by_unit.csv'), 'edited by the user\n');
    utimesSync(join(out, 'by_unit.csv'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const r = await cli('carbon', 'emissions', '--landuse', F.p('landuse_2020.tif'), '--coefficients', F.coefficients, '--out', out, '--threads', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/note: kept 1 file\(s\) of an earlier run that changed since .*by_unit\.csv/);
    expect(readFileSync(join(out, 'by_unit.csv'), 'utf8')).toBe('edited by the user\n');
  });

  it('simulate to fewer years removes the earlier run\'s extra year map; other commands\' files in the folder stay', async () => {
    const d = join(F.dir, 'sims');
    const two = await cli('simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', F.demand, '--out', join(d, 'sim.tif'), '--quiet', '--threads', '1', '--max-iterations', '5', '--tolerance', '1');
    expect(two.code, two.err).toBe(0);
    expect(existsSync(join(d, 'sim_2015.tif'))).toBe(true);
    const z = await cli('zonal', '--zones', F.p('zones.tif'), '--classes', join(d, 'sim.tif'), '--out', join(d, 'z.csv'), '--quiet');
    expect(z.code, z.err).toBe(0);
    const one = join(F.dir, 'demand1.csv');
    const lines = readFileSync(F.demand, 'utf8').trim().split('\n');
    writeFileSync(one, `${lines[0]}\n${lines[2]}\n`);
    const r = await cli('simulate', '--landuse', F.p('landuse_2010.tif'), '--prob', F.prob, '--demand', one, '--out', join(d, 'sim.tif'), '--quiet', '--threads', '1', '--max-iterations', '5', '--tolerance', '1');
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(d, 'sim_2015.tif'))).toBe(false);
    expect(existsSync(join(d, 'z.csv'))).toBe(true); // zonal's table is not simulate's to remove
    const keys = manifest(d).runs.map((x) => x.key).sort();
    expect(keys).toEqual(['simulate --out sim.tif', 'zonal --out z.csv']);
  });
});

describe('item 5: SIGINT / SIGTERM on a real child process', () => {
  /** Starts `sample`, waits until a temporary file exists (writing has begun), sends `sig`. */
  async function interrupt(sig: 'SIGINT' | 'SIGTERM'): Promise<{ out: string; code: number | null; err: string }> {
    const out = join(F.dir, `sig-${sig}`);
    const child = spawn(process.execPath, [BIN, 'sample', '--out', out, '--size', '400'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += String(b)));
    const done = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    const t0 = Date.now();
    while (Date.now() - t0 < 100_000) {
      if (existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill(sig);
    return { out, code: await done, err };
  }

  it('sample interrupted by SIGINT and by SIGTERM (two children at once): no .tmp left, manifest "interrupted", one line, exit 130 / 143', async () => {
    const runs = await Promise.all([interrupt('SIGINT'), interrupt('SIGTERM')]);
    for (const [r, sig, code] of [[runs[0], 'SIGINT', 130], [runs[1], 'SIGTERM', 143]] as const) {
      expect(r.code, r.err).toBe(code);
      expect(temps(r.out)).toEqual([]);
      expect(oneLine(r.err)).toMatch(new RegExp(`^landcarbon sample: interrupted by ${sig}: removed [1-9]\\d* unfinished temporary file\\(s\\); not written: .*\\.tif`));
      expect(manifest(r.out).runs[0].status).toBe('interrupted');
      expect(existsSync(join(r.out, 'manifest.json'))).toBe(false); // the region's own manifest is written last
    }
  });
});

describe('item 6: outputs that cannot be written: exit 2, one line, before any work', () => {
  it('parent is a file: zonal --out in/lu.tif/z.csv; carbon --out in/coefficients.csv', async () => {
    expect(await refused('zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', join(F.p('landuse_2020.tif'), 'z.csv')))
      .toMatch(/--out .*landuse_2020\.tif\/z\.csv: cannot write: .*landuse_2020\.tif is a file, not a directory/);
    expect(await refused('carbon', 'emissions', '--landuse', F.p('landuse_2020.tif'), '--coefficients', F.coefficients, '--out', F.coefficients))
      .toMatch(/--out .*coefficients\.csv: cannot write: .*coefficients\.csv exists and is a file, not a directory/);
  });

  it('a folder without write permission (/proc/sys) with a missing parent', async () => {
    const r = await cli('zonal', '--zones', F.p('zones.tif'), '--classes', F.p('landuse_2020.tif'), '--out', '/proc/sys/landcarbon/z.csv');
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toMatch(/--out \/proc\/sys\/landcarbon\/z\.csv: cannot write: (no permission to write in|cannot create a file in) \/proc\/sys/);
  });

  const unshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
  it.runIf(unshare)('read-only file system (a read-only tmpfs in a private mount namespace): simulate fails before iterating', () => {
    const ro = join(F.dir, 'ro');
    mkdirSync(ro, { recursive: true });
    const cmd = `mount -t tmpfs -o ro none '${ro}' && exec '${process.execPath}' '${BIN}' simulate --landuse '${F.p('landuse_2010.tif')}' --prob '${F.prob}' --demand '${F.demand}' --out '${ro}/sub/sim.tif' --threads 1`;
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', cmd], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/landcarbon simulate: --out .*ro\/sub\/sim\.tif: cannot write: .*ro is on a read-only file system$/);
  });
  if (!unshare) console.log('skipped: the read-only file-system case needs `unshare -rm` (user namespaces), not available here');
});
