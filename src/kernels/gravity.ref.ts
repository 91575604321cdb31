/**
 * Plain TypeScript reference of assembly/gravity.ts (seed 000 eq. 3, methods.md section 9):
 *   R_ij = k_ij * cbrt(G_i P_i C_i) * cbrt(G_j P_j C_j) / d_ij^2,  k_ij = C_i / (C_i + C_j),
 * R_ij = 0 when C_i + C_j = 0 (both masses are then 0). d = great-circle distance in km,
 * haversine on a sphere of radius 6371.0088 km (IUGG mean radius), hav evaluated from the chord
 * c between unit vectors as c^2/4: d = 2 R asin(c / 2). Same operation order as the kernel, and
 * the same asin (fdlibm's rational approximation written out, asinHav) for h < 0.5, i.e.
 * d < 6,671 km: the kernel and this reference agree bit for bit there; beyond, each uses its
 * library asin (may differ in the last bit).
 */

/** IUGG mean Earth radius R1, km. */
export const EARTH_RADIUS_KM = 6371.0088;

/** Unit vectors (x, y, z) of lon/lat in degrees, interleaved f64[3n]. */
export function unitVectors(lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>): Float64Array {
  const n = lonDeg.length;
  const xyz = new Float64Array(3 * n);
  const rad = Math.PI / 180;
  for (let i = 0; i < n; i++) {
    const la = latDeg[i] * rad;
    const lo = lonDeg[i] * rad;
    const cl = Math.cos(la);
    xyz[3 * i] = cl * Math.cos(lo);
    xyz[3 * i + 1] = cl * Math.sin(lo);
    xyz[3 * i + 2] = Math.sin(la);
  }
  return xyz;
}

/** Gravity masses m_i = cbrt(G_i * P_i * C_i). */
export function gravityMasses(gdp: ArrayLike<number>, pop: ArrayLike<number>, emis: ArrayLike<number>): Float64Array {
  const m = new Float64Array(gdp.length);
  for (let i = 0; i < m.length; i++) m[i] = Math.cbrt(gdp[i] * pop[i] * emis[i]);
  return m;
}

const pS0 = 1.66666666666666657415e-1;
const pS1 = -3.25565818622400915405e-1;
const pS2 = 2.01212532134862925881e-1;
const pS3 = -4.00555345006794114027e-2;
const pS4 = 7.91534994289814532176e-4;
const pS5 = 3.47933107596021167570e-5;
const qS1 = -2.40339491173441421878;
const qS2 = 2.02094576023350569471;
const qS3 = -6.88283971605453293030e-1;
const qS4 = 7.70381505559019352791e-2;

/** asin(h) for h in [0, 1]: fdlibm's h + h R(h^2) below 0.5 (< 1 ulp), Math.asin above. */
export function asinHav(h: number): number {
  if (h < 0.5) {
    const z = h * h;
    const p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
    const q = 1 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
    return h + h * (p / q);
  }
  return Math.asin(h);
}

/** Great-circle distance (km) between units i and j from their unit vectors (kernel formula). */
export function distanceKm(xyz: Float64Array, i: number, j: number): number {
  const dx = xyz[3 * i] - xyz[3 * j];
  const dy = xyz[3 * i + 1] - xyz[3 * j + 1];
  const dz = xyz[3 * i + 2] - xyz[3 * j + 2];
  let h = 0.5 * Math.sqrt(dx * dx + dy * dy + dz * dz);
  if (h > 1) h = 1;
  return 2 * EARTH_RADIUS_KM * asinHav(h);
}

/** Textbook haversine on lon/lat degrees (for tests and documentation). */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const s1 = Math.sin(((lat2 - lat1) * rad) / 2);
  const s2 = Math.sin(((lon2 - lon1) * rad) / 2);
  const a = s1 * s1 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * s2 * s2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** R_ij, same operation order as the kernel. */
export function pairGravity(xyz: Float64Array, mass: ArrayLike<number>, emis: ArrayLike<number>, i: number, j: number): number {
  const cs = emis[i] + emis[j];
  if (cs === 0) return 0;
  const d = distanceKm(xyz, i, j);
  return ((emis[i] / cs) * (mass[i] * mass[j])) / (d * d);
}
