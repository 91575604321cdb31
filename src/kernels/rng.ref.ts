/**
 * TypeScript reference of assembly/rng.ts (same rule, same bits). 64-bit arithmetic is done
 * on 32-bit halves so the reference is fast enough for reference kernels; `rngSpecU64` is the
 * plain BigInt statement of the rule used to test both.
 */
const M64 = (1n << 64n) - 1n;
const G = 0x9e3779b97f4a7c15n;

function mixBig(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

/** The rule in BigInt: out = mix64(mix64(seed ^ mix64(stream + G)) + index * G). */
export function rngSpecU64(seed: bigint, stream: bigint, index: bigint): bigint {
  const key = mixBig((seed & M64) ^ mixBig((stream + G) & M64));
  return mixBig((key + index * G) & M64);
}

// ---- fast 32-bit-halves implementation -------------------------------------------------

/** 64-bit product of two 64-bit values (hi, lo as uint32), low 64 bits -> [hi, lo]. */
function mul64(ah: number, al: number, bh: number, bl: number, out: Uint32Array): void {
  // al*bl full 64-bit via 16-bit limbs
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  const hi = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  out[0] = hi;
  out[1] = lo >>> 0;
}

const tmp = new Uint32Array(2);
// constants as [hi, lo]
const C1H = 0xbf58476d, C1L = 0x1ce4e5b9;
const C2H = 0x94d049bb, C2L = 0x133111eb;
const GH = 0x9e3779b9, GL = 0x7f4a7c15;

/** mix64 on [hi, lo] (in place in `v`). */
function mix(v: Uint32Array): void {
  let h = v[0], l = v[1];
  // z ^= z >> 30
  l = (l ^ ((l >>> 30) | (h << 2))) >>> 0;
  h = (h ^ (h >>> 30)) >>> 0;
  mul64(h, l, C1H, C1L, tmp);
  h = tmp[0]; l = tmp[1];
  // z ^= z >> 27
  l = (l ^ ((l >>> 27) | (h << 5))) >>> 0;
  h = (h ^ (h >>> 27)) >>> 0;
  mul64(h, l, C2H, C2L, tmp);
  h = tmp[0]; l = tmp[1];
  // z ^= z >> 31
  l = (l ^ ((l >>> 31) | (h << 1))) >>> 0;
  h = (h ^ (h >>> 31)) >>> 0;
  v[0] = h; v[1] = l;
}

function add64(ah: number, al: number, bh: number, bl: number, out: Uint32Array): void {
  const lo = al + bl;
  const carry = lo > 0xffffffff ? 1 : 0;
  out[0] = (ah + bh + carry) >>> 0;
  out[1] = lo >>> 0;
}

/** A (seed, stream) key, precomputed once per stream. seed and stream are < 2^53. */
export class RngKey {
  readonly hi: number;
  readonly lo: number;
  constructor(seed: number | bigint, stream: number | bigint) {
    const s = BigInt(seed) & M64;
    const st = BigInt(stream) & M64;
    const v = new Uint32Array(2);
    // mix64(stream + G)
    add64(Number(st >> 32n), Number(st & 0xffffffffn), GH, GL, v);
    mix(v);
    v[0] ^= Number(s >> 32n);
    v[1] ^= Number(s & 0xffffffffn);
    mix(v);
    this.hi = v[0];
    this.lo = v[1];
  }
}

const w = new Uint32Array(2);

/** High and low 32 bits of the 64-bit output for `index` (0 <= index < 2^53), into w. */
function out64(key: RngKey, index: number): Uint32Array {
  const ih = Math.floor(index / 4294967296) >>> 0;
  const il = index >>> 0;
  mul64(ih, il, GH, GL, w);
  add64(key.hi, key.lo, w[0], w[1], w);
  mix(w);
  return w;
}

export function rngU32(key: RngKey, index: number): number {
  return out64(key, index)[0];
}

/** (out >> 11) * 2^-53 */
export function rngF64(key: RngKey, index: number): number {
  const v = out64(key, index);
  return (v[0] * 2097152 + (v[1] >>> 11)) * 1.1102230246251565e-16;
}
