import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  let out = '', err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'landcarbon', ...argv]);
    return { code, out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

describe('landcarbon sample', () => {
  it('writes the region and prints grid, class shares and units', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-sample-cli-'));
    try {
      const r = await capture(['sample', '--out', dir, '--size', '80', '--seed', '4', '--png']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain('grid: 80 x 80 @ 1250 m, EPSG:32650 (WGS 84 / UTM zone 50N), seed 4');
      expect(r.out).toMatch(/6 built-up +\d+\.\d\d% +\d+\.\d\d% +\d+\.\d\d%/);
      expect(r.out).toMatch(/units: \d+ in \d cities/);
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      expect(m.size).toBe(80);
      expect(m.files).toHaveLength(15);
      for (const f of m.files) expect(existsSync(join(dir, f.file)), f.file).toBe(true);
      expect(existsSync(join(dir, 'landuse_2020.png'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad --size exits 2 with a message naming the option', async () => {
    const r = await capture(['sample', '--out', join(tmpdir(), 'never'), '--size', '12']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('landcarbon sample: --size: expected an integer in [64, 65536], got 12\n');
  });

  it('--png above the structure size exits 2 before generating anything', async () => {
    const r = await capture(['sample', '--out', join(tmpdir(), 'never'), '--size', '4096', '--png']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('landcarbon sample: --png: previews are written up to --size 2048 (a whole map in memory), got --size 4096\n');
  });
});
