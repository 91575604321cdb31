import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runner, canonicalJson } from '../../src/pipeline/runner.js';
import { progressLines } from '../../src/pipeline/run.js';

/** A two-step chain a -> b: b reads a's output. Returns which steps ran. */
async function chain(dir: string, opts: { k?: number; force?: string[] } = {}): Promise<string[]> {
  const ran: string[] = [];
  const r = new Runner({ dir, force: opts.force });
  const inp = join(dir, 'in.txt');
  const a = join(dir, 'a.txt');
  const b = join(dir, 'b.txt');
  const va = await r.step({
    name: 'a', title: 'double', inputs: [inp], params: { k: opts.k ?? 2 }, outputs: [a],
    run: () => {
      ran.push('a');
      const x = Number(readFileSync(inp, 'utf8')) * (opts.k ?? 2);
      writeFileSync(a, String(x));
      return { x };
    },
  });
  await r.step({
    name: 'b', title: 'plus one', inputs: [a], params: { from: va.x }, outputs: [b],
    run: (log) => {
      ran.push('b');
      log('adding one');
      writeFileSync(b, String(Number(readFileSync(a, 'utf8')) + 1));
      return null;
    },
  });
  return ran;
}

describe('Runner', () => {
  it('runs, then skips what is up to date, reruns what depends on a change, and --force one step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-runner-'));
    writeFileSync(join(dir, 'in.txt'), '5');
    expect(await chain(dir)).toEqual(['a', 'b']);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('11'); // 5 * 2 + 1
    expect(readFileSync(join(dir, 'logs', 'b.log'), 'utf8')).toContain('adding one');
    expect(await chain(dir)).toEqual([]);
    // a changed parameter of a reruns a; its output changes (5 * 3 = 15), so b reruns too
    expect(await chain(dir, { k: 3 })).toEqual(['a', 'b']);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('16');
    // a changed input file: same
    writeFileSync(join(dir, 'in.txt'), '6');
    expect(await chain(dir, { k: 3 })).toEqual(['a', 'b']);
    // forcing a reruns a only: its output is byte-identical, so b stays up to date
    expect(await chain(dir, { k: 3, force: ['a'] })).toEqual(['a']);
    // an output edited by hand is not taken as up to date
    writeFileSync(join(dir, 'b.txt'), 'edited');
    expect(await chain(dir, { k: 3 })).toEqual(['b']);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('19');
  });

  it('a failing step leaves no record: the next run runs it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-runner-'));
    const r = new Runner({ dir });
    await expect(r.step({ name: 'x', title: 'fails', inputs: [], params: {}, outputs: [], run: () => { throw new Error('boom'); } })).rejects.toThrow('boom');
    expect(existsSync(join(dir, '.landcarbon', 'steps', 'x.json'))).toBe(false);
    expect(readFileSync(join(dir, 'logs', 'x.log'), 'utf8')).toContain('failed: boom');
    // a step whose declared output is missing fails
    await expect(new Runner({ dir }).step({ name: 'y', title: 'no output', inputs: [], params: {}, outputs: [join(dir, 'nope')], run: () => null })).rejects.toThrow(/did not write/);
  });

  it('canonicalJson sorts keys, so equal parameters hash the same', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });
});

describe('progressLines', () => {
  const fake = (tty: boolean) => {
    const out: string[] = [];
    const stream = { isTTY: tty, columns: 120, write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WriteStream;
    return { out, p: progressLines(stream) };
  };
  it('on a terminal: iteration lines overwrite one status line led by the share of the gap closed; other lines scroll', () => {
    const { out, p } = fake(true);
    p.progress('simulate-natural', 'simulate 2030: iteration 1: gap forest +100 (total 200; accepted 0 of 0 proposed)');
    p.progress('simulate-natural', 'simulate 2030: iteration 11: gap forest +25 (total 50; accepted 5 of 9 proposed)');
    p.progress('simulate-natural', 'simulate 2030: demand met (12 iterations) -> x.tif');
    expect(out[0]).toMatch(/^\r\[-{20}\]   0 %  simulate-natural: simulate 2030: iteration 1/);
    expect(out[1]).toMatch(/^\r\[#{15}-{5}\]  75 %  simulate-natural: simulate 2030: iteration 11/);
    expect(out[1].length).toBe(120); // padded to the terminal width - 1, after the carriage return
    expect(out.slice(2)).toEqual(['\n', '  simulate-natural: simulate 2030: demand met (12 iterations) -> x.tif\n']);
  });
  it('not a terminal: every line plain, prefixed with its step, no bar', () => {
    const { out, p } = fake(false);
    p.progress('simulate-natural', 'simulate 2030: iteration 1: gap forest +100 (total 200; accepted 0 of 0 proposed)');
    expect(out).toEqual(['  simulate-natural: simulate 2030: iteration 1: gap forest +100 (total 200; accepted 0 of 0 proposed)\n']);
  });
});
