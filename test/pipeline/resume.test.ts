import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { writeSampleRegion } from '../../fixtures/sample.js';
import { writeSampleStudy } from '../../src/pipeline/sample-study.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/landcarbon.js');

let sample: string;
let study: string;

beforeAll(async () => {
  sample = mkdtempSync(join(tmpdir(), 'lc-resume-sample-'));
  await writeSampleRegion(sample, { size: 96, seed: 5 });
  writeSampleStudy(sample, 5);
  // two target years, so that simulate runs long enough to be killed in the middle
  study = join(sample, 'study.yaml');
  writeFileSync(study, readFileSync(study, 'utf8').replace('target_years: [2030]', 'target_years: [2030, 2040]'));
}, 120_000);

interface Summary { steps: { name: string; skipped: boolean }[] }

function runOnce(out: string, ...extra: string[]): Summary {
  const r = spawnSync(process.execPath, [BIN, 'run', study, '--out', out, '--threads', '1', '--quiet', ...extra], { encoding: 'utf8', cwd: ROOT });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
}

/** Every file of a run except its summaries, logs, records and manifests, with its bytes. */
function outputs(out: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) {
        if (e !== 'logs' && e !== '.landcarbon') walk(p);
      } else if (!/^summary\.|^report\.html$|landcarbon-run\.json$/.test(e)) m.set(relative(out, p), readFileSync(p));
    }
  };
  walk(out);
  return m;
}

/** runOnce without blocking the event loop (other children are being watched). */
function runAsync(out: string): Promise<Summary> {
  return new Promise((res, rej) => {
    const c = spawn(process.execPath, [BIN, 'run', study, '--out', out, '--threads', '1', '--quiet'], { cwd: ROOT });
    let err = '';
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.on('exit', (code) => (code === 0 ? res(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))) : rej(new Error(`exit ${code}: ${err}`))));
  });
}

const ran = (s: Summary) => s.steps.filter((x) => !x.skipped).map((x) => x.name);

/**
 * Starts a run that stops at the fail point between simulate's two target years (one year's
 * map written, the step not finished: see src/io/failpoint.ts), kills it there with `signal`,
 * and resolves when it exited.
 */
function killDuring(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((res) => {
    const env = { ...process.env, LANDCARBON_FAILPOINT: 'simulate:year-written' };
    const c = spawn(process.execPath, [BIN, 'run', study, '--out', out, '--threads', '1'], { cwd: ROOT, env });
    let err = '';
    let sent = false;
    c.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (!sent && err.includes('failpoint simulate:year-written')) {
        sent = true;
        c.kill(signal);
      }
    });
    c.on('exit', (code, sig) => res({ code, signal: sig, err }));
  });
}

describe('resumable runs (child processes)', () => {
  it('rerun with nothing changed skips every step with byte-identical outputs; a changed coefficient table reruns only emissions and what follows; --force reruns one step', () => {
    const out = mkdtempSync(join(tmpdir(), 'lc-resume-'));
    const first = runOnce(out);
    expect(ran(first).length).toBe(first.steps.length);
    const before = outputs(out);
    const again = runOnce(out);
    expect(ran(again)).toEqual([]);
    const after = outputs(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [f, b] of before) expect(after.get(f)!.equals(b), f).toBe(true);

    // built-up 120.37 -> 100 t CO2/ha/yr
    const coef = join(sample, 'coefficients.csv');
    writeFileSync(coef, readFileSync(coef, 'utf8').replace('120.37', '100'));
    const third = runOnce(out);
    const order = first.steps.map((x) => x.name);
    const firstEmission = order.findIndex((n) => n.startsWith('emissions-'));
    const rerun = ran(third);
    // every emissions step reran; nothing before the first one did
    for (const n of order.filter((x) => x.startsWith('emissions-'))) expect(rerun).toContain(n);
    for (const n of rerun) expect(order.indexOf(n), n).toBeGreaterThanOrEqual(firstEmission);
    for (const n of ['zonal-2020', 'suitability-2020', 'simulate-natural', 'markov-ecological', 'storage-natural', 'grey']) expect(rerun).not.toContain(n);
    // and what follows from the emissions did rerun
    for (const n of ['balance-suzhou-2020', 'choice-2030', 'network-2020', 'moran']) expect(rerun).toContain(n);

    expect(ran(runOnce(out, '--force', 'grey'))).toEqual(['grey']); // same forecasts: nothing after it changes
    const bad = spawnSync(process.execPath, [BIN, 'run', study, '--out', out, '--quiet', '--force', 'grye'], { encoding: 'utf8', cwd: ROOT });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--force: no step named grye');
  }, 600_000);

  it('a run killed by SIGTERM or SIGKILL in the middle of simulate leaves nothing finished-looking, and the rerun goes on from there', async () => {
    await Promise.all((['SIGTERM', 'SIGKILL'] as const).map(async (signal) => {
      const out = mkdtempSync(join(tmpdir(), `lc-kill-${signal}-`));
      const k = await killDuring(out, signal);
      expect(k.err).toContain('failpoint simulate:year-written');
      expect(k.code === 0).toBe(false);
      // no summary, no report, no record of the killed step, no final-year map. (simulate streams each
      // year's map when that year is done, so sim_natural_2030.tif is there, complete; with no
      // record of the step the rerun redoes it.)
      for (const f of ['summary.md', 'summary.json', 'report.html', '.landcarbon/steps/simulate-natural.json', 'simulation/sim_natural.tif']) {
        expect(existsSync(join(out, f)), f).toBe(false);
      }
      expect(existsSync(join(out, 'simulation', 'sim_natural_2030.tif')), 'the first year was written: the kill landed mid-step').toBe(true);
      const done = readdirSync(join(out, '.landcarbon', 'steps')).map((f) => f.replace(/\.json$/, ''));
      expect(done).toContain('suitability-2020');
      const s = await runAsync(out);
      const skipped = s.steps.filter((x) => x.skipped).map((x) => x.name);
      expect(skipped.sort()).toEqual(done.sort()); // the finished steps were not redone
      expect(ran(s)[0]).toBe('simulate-natural');
      expect(existsSync(join(out, 'simulation', 'sim_natural.tif'))).toBe(true);
    }));
  }, 600_000);
});
