/**
 * Seeded synthetic benchmark rasters, generated straight into the engine's shared memory
 * (module instantiation and data generation are excluded from timings).
 */
import { RngKey, rngU32 } from '../src/kernels/rng.ref.js';
import { Engine } from '../src/tiling/engine.js';
import { Block } from '../src/wasm/arena.js';

export interface ZonalBenchData {
  size: number;
  zones: Block<Uint16Array>;
  classes: Block<Uint8Array>;
  value: Block<Float32Array>;
}

/**
 * `units` zones as a grid of rectangles (u16, NoData 0 on ~1 % of cells), 7 land-use codes in
 * 16 x 16 patches (u8, NoData 255 where the zone is NoData), one f32 value raster.
 */
export function zonalBenchData(engine: Engine, size: number, seed = 1, units = 2000): ZonalBenchData {
  const n = size * size;
  const zones = engine.arena.alloc<Uint16Array>('uint16', n, 'bench zones');
  const classes = engine.arena.alloc<Uint8Array>('uint8', n, 'bench classes');
  const value = engine.arena.alloc<Float32Array>('float32', n, 'bench values');
  const z = zones.view(), c = classes.view(), v = value.view();
  const ny = Math.round(Math.sqrt(units * 0.8));
  const nx = Math.ceil(units / ny);
  const key = new RngKey(seed, 0);
  const patch = new Uint8Array(((size >> 4) + 1) ** 2);
  for (let i = 0; i < patch.length; i++) patch[i] = 1 + (rngU32(key, i) % 7);
  const pw = (size >> 4) + 1;
  for (let r = 0; r < size; r++) {
    const zr = Math.floor((r * ny) / size) * nx;
    const pr = (r >> 4) * pw;
    for (let col = 0; col < size; col++) {
      const i = r * size + col;
      let zone = 1 + ((zr + Math.floor((col * nx) / size)) % units);
      const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
      if (h % 100 === 0) zone = 0;
      z[i] = zone;
      c[i] = zone === 0 ? 255 : patch[pr + (col >> 4)];
      v[i] = (h >>> 8) / 65536;
    }
  }
  return { size, zones, classes, value };
}
