import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planBlocks, openBlockOutput, readBlock, runBlocks, withoutHalo, writerBytes } from '../../src/tiling/blocks.js';
import { defaultMemory, parseMemory, MiB, GiB } from '../../src/tiling/memory.js';
import { readRaster, writeGeoTIFF } from '../../src/io/geotiff.js';
import type { Grid } from '../../src/io/grid.js';
import { existsSync, readdirSync } from 'node:fs';

const tmp = mkdtempSync(join(tmpdir(), 'lc-blocks-'));

describe('parseMemory', () => {
  it('reads binary units', () => {
    expect(parseMemory('512M')).toBe(512 * MiB);
    expect(parseMemory('4G')).toBe(4 * GiB);
    expect(parseMemory('1.5g')).toBe(1.5 * GiB);
    expect(parseMemory('4GiB')).toBe(4 * GiB);
    expect(parseMemory('2048MB')).toBe(2 * GiB);
    expect(parseMemory(String(64 * MiB))).toBe(64 * MiB);
  });
  it('rejects bad sizes with a message naming the option', () => {
    expect(() => parseMemory('lots')).toThrow(/--memory: expected a size like 512M, 4G or 1.5G .* got "lots"/);
    expect(() => parseMemory('-1G')).toThrow(/--memory: expected a size like/);
    expect(() => parseMemory('4X')).toThrow(/--memory: expected a size like/);
    expect(() => parseMemory('1M')).toThrow(/--memory: expected at least 16M, got 1M/);
  });
  it('default: half the RAM, between 16 MiB and 32 GiB', () => {
    const d = defaultMemory();
    expect(d).toBeGreaterThanOrEqual(16 * MiB);
    expect(d).toBeLessThanOrEqual(32 * GiB);
  });
});

describe('planBlocks', () => {
  it('rows from the budget: (memory - fixed) / (width x bytesPerCell) - 2 halo, rounded down to multipleOf', () => {
    // 100 MiB - 4 MiB = 96 MiB; a row is 1000 x 8 = 8000 bytes -> 12582 rows - 2 = 12580 -> multiple of 256: 12544
    const p = planBlocks({ width: 1000, height: 50000, memory: 100 * MiB, bytesPerCell: 8, fixedBytes: 4 * MiB, halo: 1, multipleOf: 256 });
    expect(p.rows).toBe(12544);
    expect(p.blocks.length).toBe(Math.ceil(50000 / 12544));
    expect(p.blocks[0]).toEqual({ index: 0, row0: 0, rows: 12544, haloTop: 0, haloBottom: 1 });
    expect(p.blocks[1].haloTop).toBe(1);
    expect(p.blocks.at(-1)!.haloBottom).toBe(0);
    expect(p.blocks.reduce((s, b) => s + b.rows, 0)).toBe(50000);
    expect(p.peakBytes).toBeLessThanOrEqual(100 * MiB);
  });
  it('maxRows forces small blocks; a raster smaller than one block is one block', () => {
    expect(planBlocks({ width: 10, height: 23, memory: GiB, bytesPerCell: 4, maxRows: 5 }).blocks.map((b) => b.rows)).toEqual([5, 5, 5, 5, 3]);
    expect(planBlocks({ width: 10, height: 23, memory: GiB, bytesPerCell: 4 }).blocks.length).toBe(1);
  });
  it('a budget too small for one block is a ConfigError saying how much is needed', () => {
    expect(() => planBlocks({ width: 20000, height: 20000, memory: 16 * MiB, bytesPerCell: 40, multipleOf: 256, what: 'carbon emissions' })).toThrow(
      /carbon emissions: --memory 16 MiB is too small for a 20000-column raster: one block of 256 row\(s\) needs 195.3 MiB \(40 bytes per cell\); give --memory 197M or more/,
    );
  });
});

describe('runBlocks', () => {
  const grid: Grid = { width: 7, height: 11, transform: [0, 1, 0, 0, 0, -1], crs: null, nodata: null };
  const data = Float32Array.from({ length: 77 }, (_, i) => i * 0.5);
  const src = join(tmp, 'src.tif');

  it('a 3x1 vertical sum with halo gives the same file for any block size', async () => {
    await writeGeoTIFF(src, { grid, dtype: 'float32', data });
    const outs: Buffer[] = [];
    for (const maxRows of [1, 2, 3, 11]) {
      const plan = planBlocks({ width: 7, height: 11, memory: GiB, bytesPerCell: 8, halo: 1, maxRows });
      const path = join(tmp, `sum_${maxRows}.tif`);
      const out = openBlockOutput(path, { grid, dtype: 'float32', compress: 'deflate' });
      await runBlocks(plan, [out], async (b) => {
        const r = await readBlock(src, b, 7);
        const a = r.data as Float32Array;
        const o = new Float32Array(b.rows * 7);
        for (let k = 0; k < b.rows; k++) {
          const rr = k + b.haloTop; // row in the read window
          for (let c = 0; c < 7; c++) {
            let s = a[rr * 7 + c];
            if (rr > 0) s += a[(rr - 1) * 7 + c];
            if (rr + 1 < a.length / 7) s += a[(rr + 1) * 7 + c];
            o[k * 7 + c] = s;
          }
        }
        expect(withoutHalo(a, b, 7)[0]).toBe(data[b.row0 * 7]);
        await out.write(b, [o]);
      });
      const back = (await readRaster(path)).data as Float32Array;
      // row 0 col 0: 0 + 3.5 = 3.5 ; row 5 col 2: cells 30, 37, 44 -> (30 + 37 + 44) * 0.5 = 55.5
      expect(back[0]).toBe(3.5);
      expect(back[5 * 7 + 2]).toBe(55.5);
      const { readFileSync } = await import('node:fs');
      outs.push(readFileSync(path));
    }
    for (const b of outs) expect(b.equals(outs[0])).toBe(true);
  });

  it('a failing block leaves no output file', async () => {
    const plan = planBlocks({ width: 7, height: 11, memory: GiB, bytesPerCell: 8, maxRows: 4 });
    const path = join(tmp, 'fail', 'x.tif');
    const out = openBlockOutput(path, { grid, dtype: 'float32' });
    await expect(
      runBlocks(plan, [out], async (b) => {
        if (b.index === 1) throw new Error('boom');
        await out.write(b, [new Float32Array(b.rows * 7)]);
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(tmp, 'fail'))).toEqual([]);
  });

  it('writerBytes: one tile row of every band and its compressed copy', () => {
    // 2 x 3 bands x 256 rows x 1000 cols x 4 bytes
    expect(writerBytes(1000, 3, 'float32')).toBe(2 * 3 * 256 * 1000 * 4);
  });
});
