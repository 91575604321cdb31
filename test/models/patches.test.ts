import { describe, it, expect } from 'vitest';
import { patchStats } from '../../src/models/patches.js';

describe('patchStats (8-connected)', () => {
  it('counts patches, mean and largest size by hand', () => {
    // 5 x 4, 9 = NoData
    // 1 1 2 2 1
    // 2 1 2 9 1
    // 2 2 1 2 2
    // 1 9 2 1 1
    const m = [1, 1, 2, 2, 1, 2, 1, 2, 9, 1, 2, 2, 1, 2, 2, 1, 9, 2, 1, 1];
    const r = patchStats(m, 5, 4, 9);
    // class 1: {(0,0),(1,0),(1,1),(2,2) diag,(3,3) diag, (4,3)} = 6 cells; {(4,0),(4,1)} = 2 ... (4,1)-(3,2)? (3,2) is 2; (4,1) diag (3,2)=2 no.
    //   (2,2) diag (1,1) yes; (3,3) diag (2,2) yes; (4,3) next to (3,3). Also (0,3) alone: 1 cell.
    //   => patches 3: sizes 6, 2, 1 -> mean 3, largest 6
    // class 2: (2,0),(3,0),(2,1),(3,2)? (2,1) diag (3,2) yes, (4,2) next to (3,2), (2,3) diag (3,2) yes;
    //   (0,1),(0,2),(1,2): (1,2) diag (2,1) yes -> all one patch of 3+3+1 = (2,0),(3,0),(2,1),(3,2),(4,2),(2,3),(0,1),(0,2),(1,2) = 9
    expect(r).toEqual([
      { code: 1, patches: 3, cells: 9, meanSize: 3, largest: 6 },
      { code: 2, patches: 1, cells: 9, meanSize: 9, largest: 9 },
    ]);
  });
  it('a checkerboard is one patch per class (diagonals connect); 4-neighbour stripes are separate rows', () => {
    const W = 6, H = 5;
    const cb = Array.from({ length: W * H }, (_, i) => ((i % W) + Math.floor(i / W)) % 2);
    expect(patchStats(cb, W, H, null).map((c) => c.patches)).toEqual([1, 1]);
    const stripes = Array.from({ length: W * H }, (_, i) => Math.floor(i / W) % 2);
    // rows 0, 2, 4 of class 0 are not adjacent: 3 patches of 6; rows 1, 3 of class 1: 2 patches
    expect(patchStats(stripes, W, H, null)).toEqual([
      { code: 0, patches: 3, cells: 18, meanSize: 6, largest: 6 },
      { code: 1, patches: 2, cells: 12, meanSize: 6, largest: 6 },
    ]);
  });
  it('reports listed codes with no cells as 0 patches, NaN is never a class', () => {
    expect(patchStats(Float32Array.from([NaN, 3, 3, NaN]), 2, 2, -1, [3, 5])).toEqual([
      { code: 3, patches: 1, cells: 2, meanSize: 2, largest: 2 },
      { code: 5, patches: 0, cells: 0, meanSize: 0, largest: 0 },
    ]);
  });
});
