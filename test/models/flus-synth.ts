/** Test helper shared by the FLUS and demand-enforcement tests (not a test file itself). */
import { RngKey, rngF64 } from '../../src/kernels/rng.ref.js';
import type { FlusInput } from '../../src/models/flus.js';

/** Patchy synthetic map: W x H, K classes in 8x8 blocks, ~2 % NoData, random suitability, optional restricted share. */
export function synth(W: number, H: number, K: number, seed: number, restrictedShare = 0): FlusInput {
  const key = new RngKey(seed, 0);
  let q = 0;
  const rnd = () => rngF64(key, q++);
  const blocks = Array.from({ length: Math.ceil(H / 8) * Math.ceil(W / 8) }, () => Math.floor(rnd() * K));
  const landuse = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) landuse[y * W + x] = rnd() < 0.02 ? 255 : blocks[(y >> 3) * Math.ceil(W / 8) + (x >> 3)];
  const prob = new Float32Array(W * H * K).map(() => Math.fround(rnd()));
  const restricted = restrictedShare > 0 ? Uint8Array.from({ length: W * H }, () => (rnd() < restrictedShare ? 1 : 0)) : null;
  return { width: W, height: H, landuse, prob, restricted };
}
