/**
 * Zone adjacency over row tiles in WebAssembly (assembly/adjacency.ts). Reference:
 * ./adjacency.ref.ts (= zoneAdjacency in src/models/stats/weights.ts), same result.
 *
 * Steps: dense zone indices per cell (TS pass, written straight into the shared memory) ->
 * one task per row strip, each with its own zeroed nz x nz u8 bitmap (a strip reads the first
 * row of the next strip but writes only its bitmap) -> OR of the bitmaps -> sorted pairs.
 * OR is order-independent, so the pairs are identical for any thread count and tile size.
 * More than DENSE_MAX_ZONES zones: the reference's hash-set path is used instead (stated).
 *
 * Example: zones [1 1 2 / 3 4 2 / 3 3 5] rook -> 1-2 1-3 1-4 2-4 2-5 3-4 3-5; queen adds 2-3, 4-5.
 */
import type { RasterArray } from '../io/grid.js';
import { Engine } from '../tiling/engine.js';
import { DENSE_MAX_ZONES, pairsFromBitmap, zoneAdjacency, zoneIndex, type Contiguity, type ZoneAdjacency } from '../models/stats/weights.js';

export interface AdjacencyOptions {
  /** Rows per task (default: height split evenly over the engine's threads). */
  tileRows?: number;
}

export async function zoneAdjacencyKernel(engine: Engine, data: RasterArray, width: number, height: number, nodata: number | null, rule: Contiguity, opts: AdjacencyOptions = {}): Promise<ZoneAdjacency> {
  const arena = engine.arena;
  const mark = arena.mark();
  try {
    const ziBlock = arena.alloc<Int32Array>('int32', width * height, 'zone index raster');
    const { codes, cells } = zoneIndex(data, width, height, nodata, ziBlock.view());
    const nz = codes.length;
    if (nz > DENSE_MAX_ZONES) return zoneAdjacency(data, width, height, nodata, rule);
    if (nz < 2 || height === 0) return { codes, pairs: new Int32Array(0), cells };
    // tiles: bounded so that the bitmaps stay within 256 MiB in total
    const maxTiles = Math.max(1, Math.min(64, Math.floor((256 * 2 ** 20) / (nz * nz))));
    const rows = Math.max(1, opts.tileRows ?? Math.ceil(height / Math.max(1, engine.threads)));
    const nTiles = Math.min(maxTiles, Math.ceil(height / rows));
    const tileRows = Math.ceil(height / nTiles);
    const bitmaps = [];
    const tasks = [];
    for (let t = 0; t * tileRows < height; t++) {
      const b = arena.alloc<Uint8Array>('uint8', nz * nz, 'adjacency bitmap');
      b.view().fill(0);
      bitmaps.push(b);
      tasks.push({ fn: 'zone_adjacency', args: [ziBlock.ptr, width, height, t * tileRows, Math.min(height, (t + 1) * tileRows), rule === 'queen' ? 1 : 0, nz, b.ptr] });
    }
    await engine.run(tasks);
    const or = new Uint8Array(nz * nz);
    for (const b of bitmaps) {
      const v = b.view();
      for (let k = 0; k < or.length; k++) or[k] |= v[k];
    }
    return { codes, pairs: pairsFromBitmap(or, nz), cells };
  } finally {
    arena.release(mark);
  }
}
