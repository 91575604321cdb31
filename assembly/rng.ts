// Counter-based random numbers: a pure function of (seed, stream, index).
//
// Rule: key = mix64(seed ^ mix64(stream + G)); out = mix64(key + index * G), with
// G = 0x9E3779B97F4A7C15 and mix64 the SplitMix64 finaliser (Stafford's variant 13):
//   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z ^ (z >> 31).
// For a fixed key this is exactly SplitMix64's output sequence (Steele, Lea & Flood 2014),
// which passes BigCrush; the key derivation decorrelates streams (e.g. CA iterations).
// u32 = high 32 bits of out; f64 = (out >> 11) * 2^-53, uniform on [0, 1).
// Source of the mixer: Java's SplittableRandom / Vigna's splitmix64.c. No state, no allocation:
// results depend only on the arguments, so any tiling or thread count gives the same numbers.

// @ts-ignore: decorator
@inline export const GOLDEN: u64 = 0x9E3779B97F4A7C15;

// @ts-ignore: decorator
@inline export function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/** Per-(seed, stream) key; hoist it out of loops. */
// @ts-ignore: decorator
@inline export function rngKey(seed: u64, stream: u64): u64 {
  return mix64(seed ^ mix64(stream + GOLDEN));
}

// @ts-ignore: decorator
@inline export function rngU64(key: u64, index: u64): u64 {
  return mix64(key + index * GOLDEN);
}

// @ts-ignore: decorator
@inline export function rngF64(key: u64, index: u64): f64 {
  return <f64>(rngU64(key, index) >> 11) * 1.1102230246251565e-16; // 2^-53
}

// @ts-ignore: decorator
@inline export function rngU32(key: u64, index: u64): u32 {
  return <u32>(rngU64(key, index) >> 32);
}

/** Fills out[0..n) with u32 for indices start..start+n (testing and bulk use). */
export function rng_fill_u32(seed: u64, stream: u64, start: f64, n: i32, out: usize): void {
  const key = rngKey(seed, stream);
  const s = <u64>start;
  for (let i = 0; i < n; i++) {
    store<u32>(out + (<usize>i << 2), rngU32(key, s + <u64>i));
  }
}

/** Fills out[0..n) with f64 in [0,1) for indices start..start+n. */
export function rng_fill_f64(seed: u64, stream: u64, start: f64, n: i32, out: usize): void {
  const key = rngKey(seed, stream);
  const s = <u64>start;
  for (let i = 0; i < n; i++) {
    store<f64>(out + (<usize>i << 3), rngF64(key, s + <u64>i));
  }
}
