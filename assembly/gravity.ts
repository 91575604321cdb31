// Modified gravity model of carbon-emission linkage (seed 000 eq. 3; methods.md section 9).
//
// Rule: R_ij = k_ij * m_i * m_j / d_ij^2, m_i = cbrt(G_i P_i C_i) (computed by the host),
// k_ij = C_i / (C_i + C_j); R_ij = 0 when C_i + C_j = 0 (then m_i = m_j = 0: the product is
// zero whatever k is). d_ij = great-circle distance in km on a sphere of radius
// 6371.0088 km (IUGG mean Earth radius) by the haversine formula d = 2 R asin(sqrt(hav)),
// with hav = sin^2(dlat/2) + cos(lat_i) cos(lat_j) sin^2(dlon/2) evaluated as c^2/4, c = the
// chord between the unit vectors (x, y, z) of the two centroids (the same quantity, one
// sqrt and one asin per pair). asin(h) for h < 0.5 (d < 6,671 km) is the fdlibm/musl rational
// approximation h + h R(h^2) (|error| < 1 ulp), written out here so that the SIMD path (two
// pairs per f64x2), the scalar path and the TS reference give bit-identical results; for
// h >= 0.5 the library asin is used (the TS reference may then differ in the last bit).
// simd != 0 selects the f64x2 path; the scalar path is kept beside it and tested equal. The host precomputes xyz, m and C per unit and guarantees
// distinct centroids (d > 0). Evaluation order (fixed, mirrored in src/models/network.ref):
//   R = ((C_i / (C_i + C_j)) * (m_i * m_j)) / (d * d)
// The matrix is never stored: a call streams the unordered pairs {i, j}, i in [r0, r1), j > i,
// and evaluates d once for both R_ij and R_ji (bit-identical to evaluating them separately:
// C_i + C_j, m_i * m_j and the chord are symmetric in IEEE arithmetic).
//   gravity_hist:   count R in [lo, hi), R > 0, into hist[(bits(R) >> shift) & 0xFFFF] (u32)
//   gravity_emit:   ordered pairs with R > 0 and R >= thr[from] (strict = 0) or R > thr[from]
//                   (strict = 1), written to outI/outJ/outR while count < cap; returns the
//                   count. Order: i ascending, then for each j > i: (i, j) then (j, i)
//   gravity_rowsum: out[i] += R_ij and out[j] += R_ji (per-task partial row sums)

// @ts-ignore: decorator
@inline const EARTH_R: f64 = 6371.0088;

// @ts-ignore: decorator
@inline function ldF(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }

// fdlibm e_asin.c coefficients (asin(x) = x + x*R(x^2), R = p/q on [0, 0.5))
// @ts-ignore: decorator
@inline const pS0: f64 = 1.66666666666666657415e-01;
// @ts-ignore: decorator
@inline const pS1: f64 = -3.25565818622400915405e-01;
// @ts-ignore: decorator
@inline const pS2: f64 = 2.01212532134862925881e-01;
// @ts-ignore: decorator
@inline const pS3: f64 = -4.00555345006794114027e-02;
// @ts-ignore: decorator
@inline const pS4: f64 = 7.91534994289814532176e-04;
// @ts-ignore: decorator
@inline const pS5: f64 = 3.47933107596021167570e-05;
// @ts-ignore: decorator
@inline const qS1: f64 = -2.40339491173441421878e+00;
// @ts-ignore: decorator
@inline const qS2: f64 = 2.02094576023350569471e+00;
// @ts-ignore: decorator
@inline const qS3: f64 = -6.88283971605453293030e-01;
// @ts-ignore: decorator
@inline const qS4: f64 = 7.70381505559019352791e-02;

// @ts-ignore: decorator
@inline function asinHav(h: f64): f64 {
  if (h < 0.5) {
    const z = h * h;
    const p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
    const q = 1.0 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
    return h + h * (p / q);
  }
  return Math.asin(h);
}

// @ts-ignore: decorator
@inline function chordKm(xi: f64, yi: f64, zi: f64, xj: f64, yj: f64, zj: f64): f64 {
  const dx = xi - xj;
  const dy = yi - yj;
  const dz = zi - zj;
  let h = 0.5 * Math.sqrt(dx * dx + dy * dy + dz * dz);
  if (h > 1.0) h = 1.0;
  return 2.0 * EARTH_R * asinHav(h);
}

/** Distances (km) of unit i to units j and j + 1, as f64x2 (same arithmetic as chordKm). */
// @ts-ignore: decorator
@inline function chordKm2(xi: v128, yi: v128, zi: v128, xyz: usize, j: i32): v128 {
  const p = xyz + (<usize>(3 * j) << 3);
  let xj = f64x2.splat(load<f64>(p));
  xj = f64x2.replace_lane(xj, 1, load<f64>(p, 24));
  let yj = f64x2.splat(load<f64>(p, 8));
  yj = f64x2.replace_lane(yj, 1, load<f64>(p, 32));
  let zj = f64x2.splat(load<f64>(p, 16));
  zj = f64x2.replace_lane(zj, 1, load<f64>(p, 40));
  const dx = f64x2.sub(xi, xj);
  const dy = f64x2.sub(yi, yj);
  const dz = f64x2.sub(zi, zj);
  const ss = f64x2.add(f64x2.add(f64x2.mul(dx, dx), f64x2.mul(dy, dy)), f64x2.mul(dz, dz));
  let h = f64x2.mul(f64x2.splat(0.5), f64x2.sqrt(ss));
  h = f64x2.pmin(f64x2.splat(1.0), h); // h > 1 ? 1 : h  (pmin(a, b) = b < a ? b : a)
  let a: v128;
  if (v128.all_true<i64>(f64x2.lt(h, f64x2.splat(0.5)))) {
    const z = f64x2.mul(h, h);
    let t = f64x2.add(f64x2.splat(pS4), f64x2.mul(z, f64x2.splat(pS5)));
    t = f64x2.add(f64x2.splat(pS3), f64x2.mul(z, t));
    t = f64x2.add(f64x2.splat(pS2), f64x2.mul(z, t));
    t = f64x2.add(f64x2.splat(pS1), f64x2.mul(z, t));
    t = f64x2.add(f64x2.splat(pS0), f64x2.mul(z, t));
    const pp = f64x2.mul(z, t);
    let u = f64x2.add(f64x2.splat(qS3), f64x2.mul(z, f64x2.splat(qS4)));
    u = f64x2.add(f64x2.splat(qS2), f64x2.mul(z, u));
    u = f64x2.add(f64x2.splat(qS1), f64x2.mul(z, u));
    const qq = f64x2.add(f64x2.splat(1.0), f64x2.mul(z, u));
    a = f64x2.add(h, f64x2.mul(h, f64x2.div(pp, qq)));
  } else {
    a = f64x2.splat(asinHav(f64x2.extract_lane(h, 0)));
    a = f64x2.replace_lane(a, 1, asinHav(f64x2.extract_lane(h, 1)));
  }
  return f64x2.mul(f64x2.splat(2.0 * EARTH_R), a);
}

// @ts-ignore: decorator
@inline function histAdd(hist: usize, r: f64, lo: f64, hi: f64, sh: u64): void {
  if (r > 0.0 && r >= lo && r < hi) {
    const p = hist + (<usize>((reinterpret<u64>(r) >> sh) & 0xFFFF) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
}

export function gravity_hist(
  n: i32, xyz: usize, mass: usize, emis: usize, r0: i32, r1: i32,
  lo: f64, hi: f64, shift: i32, hist: usize, simd: i32,
): void {
  const sh = <u64>shift;
  for (let i = r0; i < r1; i++) {
    const xi = ldF(xyz, 3 * i), yi = ldF(xyz, 3 * i + 1), zi = ldF(xyz, 3 * i + 2);
    const mi = ldF(mass, i), ci = ldF(emis, i);
    let j = i + 1;
    if (simd != 0) {
      const xv = f64x2.splat(xi), yv = f64x2.splat(yi), zv = f64x2.splat(zi);
      const civ = f64x2.splat(ci), miv = f64x2.splat(mi);
      for (; j + 1 < n; j += 2) {
        const cj = v128.load(emis + (<usize>j << 3));
        const cs = f64x2.add(civ, cj);
        const d = chordKm2(xv, yv, zv, xyz, j);
        const mm = f64x2.mul(miv, v128.load(mass + (<usize>j << 3)));
        const dd = f64x2.mul(d, d);
        const rij = f64x2.div(f64x2.mul(f64x2.div(civ, cs), mm), dd);
        const rji = f64x2.div(f64x2.mul(f64x2.div(cj, cs), mm), dd);
        if (f64x2.extract_lane(cs, 0) != 0.0) {
          histAdd(hist, f64x2.extract_lane(rij, 0), lo, hi, sh);
          histAdd(hist, f64x2.extract_lane(rji, 0), lo, hi, sh);
        }
        if (f64x2.extract_lane(cs, 1) != 0.0) {
          histAdd(hist, f64x2.extract_lane(rij, 1), lo, hi, sh);
          histAdd(hist, f64x2.extract_lane(rji, 1), lo, hi, sh);
        }
      }
    }
    for (; j < n; j++) {
      const cj = ldF(emis, j);
      const cs = ci + cj;
      if (cs == 0.0) continue;
      const d = chordKm(xi, yi, zi, ldF(xyz, 3 * j), ldF(xyz, 3 * j + 1), ldF(xyz, 3 * j + 2));
      const mm = mi * ldF(mass, j);
      const dd = d * d;
      histAdd(hist, ((ci / cs) * mm) / dd, lo, hi, sh);
      histAdd(hist, ((cj / cs) * mm) / dd, lo, hi, sh);
    }
  }
}

// @ts-ignore: decorator
@inline function emitOne(a: i32, b: i32, r: f64, t: f64, strict: i32, outI: usize, outJ: usize, outR: usize, cap: i32, cnt: i32): i32 {
  if (r > 0.0 && (strict != 0 ? r > t : r >= t)) {
    if (cnt < cap) {
      store<i32>(outI + (<usize>cnt << 2), a);
      store<i32>(outJ + (<usize>cnt << 2), b);
      store<f64>(outR + (<usize>cnt << 3), r);
    }
    return cnt + 1;
  }
  return cnt;
}

export function gravity_emit(
  n: i32, xyz: usize, mass: usize, emis: usize, r0: i32, r1: i32,
  thr: usize, strict: i32, outI: usize, outJ: usize, outR: usize, cap: i32, simd: i32,
): i32 {
  let cnt = 0;
  for (let i = r0; i < r1; i++) {
    const xi = ldF(xyz, 3 * i), yi = ldF(xyz, 3 * i + 1), zi = ldF(xyz, 3 * i + 2);
    const mi = ldF(mass, i), ci = ldF(emis, i);
    const ti = ldF(thr, i);
    let j = i + 1;
    if (simd != 0) {
      const xv = f64x2.splat(xi), yv = f64x2.splat(yi), zv = f64x2.splat(zi);
      const civ = f64x2.splat(ci), miv = f64x2.splat(mi);
      for (; j + 1 < n; j += 2) {
        const cj = v128.load(emis + (<usize>j << 3));
        const cs = f64x2.add(civ, cj);
        const d = chordKm2(xv, yv, zv, xyz, j);
        const mm = f64x2.mul(miv, v128.load(mass + (<usize>j << 3)));
        const dd = f64x2.mul(d, d);
        const rij = f64x2.div(f64x2.mul(f64x2.div(civ, cs), mm), dd);
        const rji = f64x2.div(f64x2.mul(f64x2.div(cj, cs), mm), dd);
        if (f64x2.extract_lane(cs, 0) != 0.0) {
          cnt = emitOne(i, j, f64x2.extract_lane(rij, 0), ti, strict, outI, outJ, outR, cap, cnt);
          cnt = emitOne(j, i, f64x2.extract_lane(rji, 0), ldF(thr, j), strict, outI, outJ, outR, cap, cnt);
        }
        if (f64x2.extract_lane(cs, 1) != 0.0) {
          cnt = emitOne(i, j + 1, f64x2.extract_lane(rij, 1), ti, strict, outI, outJ, outR, cap, cnt);
          cnt = emitOne(j + 1, i, f64x2.extract_lane(rji, 1), ldF(thr, j + 1), strict, outI, outJ, outR, cap, cnt);
        }
      }
    }
    for (; j < n; j++) {
      const cj = ldF(emis, j);
      const cs = ci + cj;
      if (cs == 0.0) continue;
      const d = chordKm(xi, yi, zi, ldF(xyz, 3 * j), ldF(xyz, 3 * j + 1), ldF(xyz, 3 * j + 2));
      const mm = mi * ldF(mass, j);
      const dd = d * d;
      cnt = emitOne(i, j, ((ci / cs) * mm) / dd, ti, strict, outI, outJ, outR, cap, cnt);
      cnt = emitOne(j, i, ((cj / cs) * mm) / dd, ldF(thr, j), strict, outI, outJ, outR, cap, cnt);
    }
  }
  return cnt;
}

export function gravity_rowsum(n: i32, xyz: usize, mass: usize, emis: usize, r0: i32, r1: i32, out: usize, simd: i32): void {
  for (let i = r0; i < r1; i++) {
    const xi = ldF(xyz, 3 * i), yi = ldF(xyz, 3 * i + 1), zi = ldF(xyz, 3 * i + 2);
    const mi = ldF(mass, i), ci = ldF(emis, i);
    let s = 0.0;
    let j = i + 1;
    if (simd != 0) {
      const xv = f64x2.splat(xi), yv = f64x2.splat(yi), zv = f64x2.splat(zi);
      const civ = f64x2.splat(ci), miv = f64x2.splat(mi);
      for (; j + 1 < n; j += 2) {
        const cj = v128.load(emis + (<usize>j << 3));
        const cs = f64x2.add(civ, cj);
        const d = chordKm2(xv, yv, zv, xyz, j);
        const mm = f64x2.mul(miv, v128.load(mass + (<usize>j << 3)));
        const dd = f64x2.mul(d, d);
        const rij = f64x2.div(f64x2.mul(f64x2.div(civ, cs), mm), dd);
        const rji = f64x2.div(f64x2.mul(f64x2.div(cj, cs), mm), dd);
        // same summation order as the scalar loop: lane 0 (pair j) then lane 1 (pair j + 1)
        if (f64x2.extract_lane(cs, 0) != 0.0) {
          s += f64x2.extract_lane(rij, 0);
          const pj = out + (<usize>j << 3);
          store<f64>(pj, load<f64>(pj) + f64x2.extract_lane(rji, 0));
        }
        if (f64x2.extract_lane(cs, 1) != 0.0) {
          s += f64x2.extract_lane(rij, 1);
          const pj = out + (<usize>(j + 1) << 3);
          store<f64>(pj, load<f64>(pj) + f64x2.extract_lane(rji, 1));
        }
      }
    }
    for (; j < n; j++) {
      const cj = ldF(emis, j);
      const cs = ci + cj;
      if (cs == 0.0) continue;
      const d = chordKm(xi, yi, zi, ldF(xyz, 3 * j), ldF(xyz, 3 * j + 1), ldF(xyz, 3 * j + 2));
      const mm = mi * ldF(mass, j);
      const dd = d * d;
      s += ((ci / cs) * mm) / dd;
      const pj = out + (<usize>j << 3);
      store<f64>(pj, load<f64>(pj) + ((cj / cs) * mm) / dd);
    }
    const pi = out + (<usize>i << 3);
    store<f64>(pi, load<f64>(pi) + s);
  }
}
