import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('package entry point', () => {
  it('the built library loads through the package name and exposes the engine and models', () => {
    const ROOT = join(import.meta.dirname, '..');
    const code = `import('landcarbon').then(async (m) => {
      const e = new m.Engine({ threads: 1 });
      const g = { width: 2, height: 1, transform: [0, 100, 0, 0, 0, -100], crs: null, nodata: null };
      const r = await m.zonalSums(e, { width: 2, height: 1,
        zones: { dtype: 'uint8', data: new Uint8Array([1, 2]), nodata: null, name: 'z' },
        classes: { dtype: 'uint8', data: new Uint8Array([5, 5]), nodata: null, name: 'c' } });
      await e.close();
      console.log(JSON.stringify({ zones: r.zoneIds, gm: typeof m.gm11, sample: typeof m.generateSampleRegion, g: g.width }));
    })`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ zones: [1, 2], gm: 'function', sample: 'function', g: 2 });
  });
});
