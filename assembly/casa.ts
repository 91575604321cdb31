// CASA NPP, heterotrophic respiration and NEP for one month, accumulated into annual sums.
//
// Rule (methods.md section 6; seed 002 eq. 1-9; Potter et al. 1993; Zhu et al. 2006;
// R_H after Zhuang et al. as in seed 002), per cell with vegetation type index t:
//   SR = (1 + NDVI) / (1 - NDVI)
//   FPAR_x = (x - x_min,t) / (x_max,t - x_min,t) * (FPAR_max - FPAR_min) + FPAR_min,
//            clamped to [FPAR_min, FPAR_max], for x = NDVI and x = SR
//   FPAR = alpha * FPAR_NDVI + (1 - alpha) * FPAR_SR
//   APAR = SOL * FPAR * 0.5                                   (SOL in MJ/m2/month)
//   T1 = 0.8 + 0.02 Topt - 0.0005 Topt^2
//   T2 = c2 / (1 + exp(0.2 (Topt - 10 - T))) / (1 + exp(0.3 (-Topt - 10 + T)))
//   W  = the W raster, or 0.5 + 0.5 EET / PET
//   eps = T1 * T2 * W * eps_max,t, and eps = 0 when T < tmin (-10 C)   (g C/MJ)
//   NPP = APAR * eps                                          (g C/m2/month)
//   R_H = 0.22 (exp(0.0913 T) + ln(0.3145 R + 1)) * 30 * 0.465 (g C/m2/month; T in C, R in mm)
//   nppSum += NPP; rhSum += R_H (f64, in month order: the same for any tiling)
// A cell with type index < 0 or any NaN input gets NaN (NoData) in the month outputs and
// the sums. All math in f64; inputs f32, annual sums f64, month outputs f32.
// The host validates inputs (PET > 0, R >= 0, NDVI < 1, x_max > x_min) before the call.
//
// Parameters arrive as an f64 record laid out by the host (src/kernels/casa.ts, R_*).
// Per-type parameters: 5 f64 per type: eps_max, ndvi_min, ndvi_max, sr_min, sr_max.
//
// Two paths: casa_month (scalar, Math.exp/Math.log) and casa_month_simd (f64x2, two cells per
// step, a polynomial exp: Cody-Waite reduction by ln 2 and a degree-13 Taylor polynomial on
// |r| <= ln2/2, truncation error < 2e-16 relative; log stays scalar per lane). The SIMD path
// computes every cell with the same lane math (a last odd cell is duplicated into both lanes),
// so its results do not depend on the tiling either. The two paths agree to ~1e-15 relative.

const R_N = 0;
const R_START = 1;
const R_NDVI = 2;
const R_TEMP = 3;
const R_PREC = 4;
const R_SOL = 5;
const R_WMODE = 6;
const R_W = 7;
const R_PET = 8;
const R_TOPT = 9;
const R_TIDX = 10;
const R_PARAMS = 11;
const R_ALPHA = 13;
const R_FMIN = 14;
const R_FMAX = 15;
const R_T2C = 16;
const R_NPP_OUT = 17;
const R_RH_OUT = 18;
const R_NPP_SUM = 19;
const R_RH_SUM = 20;
const R_TMIN = 21;

// @ts-ignore: decorator
@inline function pu(rec: usize, i: i32): usize {
  return <usize>load<f64>(rec + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function pf(rec: usize, i: i32): f64 {
  return load<f64>(rec + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function clamp(x: f64, lo: f64, hi: f64): f64 {
  return x < lo ? lo : x > hi ? hi : x;
}

/** One month over cells [start, start + n) of the buffers described by the record at `rec`. */
export function casa_month(rec: usize): void {
  const n = <i32>pf(rec, R_N);
  const start = <usize>pf(rec, R_START);
  const ndviP = pu(rec, R_NDVI) + (start << 2);
  const tempP = pu(rec, R_TEMP) + (start << 2);
  const precP = pu(rec, R_PREC) + (start << 2);
  const solP = pu(rec, R_SOL) + (start << 2);
  const wmode = <i32>pf(rec, R_WMODE);
  const wP = pu(rec, R_W) + (start << 2);
  const petP = wmode == 1 ? pu(rec, R_PET) + (start << 2) : 0;
  const toptP = pu(rec, R_TOPT) + (start << 2);
  const tidxP = pu(rec, R_TIDX) + (start << 2);
  const params = pu(rec, R_PARAMS);
  const alpha = pf(rec, R_ALPHA);
  const fmin = pf(rec, R_FMIN);
  const fmax = pf(rec, R_FMAX);
  const frange = fmax - fmin;
  const t2c = pf(rec, R_T2C);
  const tmin = pf(rec, R_TMIN);
  const nppOut = pu(rec, R_NPP_OUT);
  const rhOut = pu(rec, R_RH_OUT);
  const nppSum = pu(rec, R_NPP_SUM) + (start << 3);
  const rhSum = pu(rec, R_RH_SUM) + (start << 3);
  const nppOutP = nppOut != 0 ? nppOut + (start << 2) : 0;
  const rhOutP = rhOut != 0 ? rhOut + (start << 2) : 0;

  for (let i = 0; i < n; i++) {
    const o4 = <usize>i << 2;
    const o8 = <usize>i << 3;
    const t = load<i32>(tidxP + o4);
    const nd = <f64>load<f32>(ndviP + o4);
    const T = <f64>load<f32>(tempP + o4);
    const R = <f64>load<f32>(precP + o4);
    const S = <f64>load<f32>(solP + o4);
    const To = <f64>load<f32>(toptP + o4);
    let W: f64;
    if (wmode == 1) {
      W = 0.5 + 0.5 * (<f64>load<f32>(wP + o4)) / (<f64>load<f32>(petP + o4));
    } else {
      W = <f64>load<f32>(wP + o4);
    }
    let npp: f64;
    let rh: f64;
    // NaN check: x != x
    if (t < 0 || nd != nd || T != T || R != R || S != S || To != To || W != W) {
      npp = NaN;
      rh = NaN;
    } else {
      const pp = params + (<usize>t) * 40;
      const emax = load<f64>(pp);
      const nmin = load<f64>(pp, 8);
      const nmax = load<f64>(pp, 16);
      const smin = load<f64>(pp, 24);
      const smax = load<f64>(pp, 32);
      const sr = (1.0 + nd) / (1.0 - nd);
      const fn = clamp((nd - nmin) / (nmax - nmin) * frange + fmin, fmin, fmax);
      const fs = clamp((sr - smin) / (smax - smin) * frange + fmin, fmin, fmax);
      const fpar = alpha * fn + (1.0 - alpha) * fs;
      const apar = S * fpar * 0.5;
      let eps: f64 = 0.0;
      if (!(T < tmin)) {
        const t1 = 0.8 + 0.02 * To - 0.0005 * To * To;
        const t2 = t2c / (1.0 + Math.exp(0.2 * (To - 10.0 - T))) / (1.0 + Math.exp(0.3 * (-To - 10.0 + T)));
        eps = t1 * t2 * W * emax;
      }
      npp = apar * eps;
      rh = 0.22 * (Math.exp(0.0913 * T) + Math.log(0.3145 * R + 1.0)) * 30.0 * 0.465;
    }
    if (nppOutP != 0) store<f32>(nppOutP + o4, <f32>npp);
    if (rhOutP != 0) store<f32>(rhOutP + o4, <f32>rh);
    store<f64>(nppSum + o8, load<f64>(nppSum + o8) + npp);
    store<f64>(rhSum + o8, load<f64>(rhSum + o8) + rh);
  }
}

// ---- SIMD path (f64x2) ------------------------------------------------------------------

// fdlibm's split of ln 2 (hi has trailing zero bits, so k * hi is exact for |k| < 2^11)
// @ts-ignore: decorator
@inline const LN2_HI: f64 = 6.93147180369123816490e-01;
// @ts-ignore: decorator
@inline const LN2_LO: f64 = 1.90821492927058770002e-10;
// @ts-ignore: decorator
@inline const LOG2E: f64 = 1.4426950408889634;

/** e^x per lane for |x| <= 700 (clamped there); NaN stays NaN. */
// @ts-ignore: decorator
@inline function vexp(x0: v128): v128 {
  const x = f64x2.max(f64x2.min(x0, f64x2.splat(700.0)), f64x2.splat(-700.0));
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(LN2_LO)));
  // Taylor coefficients 1/n!, n = 13 .. 0, Horner
  let p = f64x2.splat(1.6059043836821613e-10);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.08767569878681e-9));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.505210838544172e-8));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.755731922398589e-7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.7557319223985893e-6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873e-5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.984126984126984e-4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.388888888888889e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.333333333333333e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.1666666666666664e-2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.16666666666666666));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // 2^k from the exponent bits
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return f64x2.mul(p, scale);
}

/** Exposed for the error-bound test: out[i] = vexp(x[i]) for i < n (n even or odd). */
export function casa_vexp(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) {
    const j = i + 1 < n ? i + 1 : i;
    const v = f64x2.replace_lane(f64x2.splat(load<f64>(x + (<usize>i << 3))), 1, load<f64>(x + (<usize>j << 3)));
    const e = vexp(v);
    store<f64>(out + (<usize>i << 3), f64x2.extract_lane(e, 0));
    if (j != i) store<f64>(out + (<usize>j << 3), f64x2.extract_lane(e, 1));
  }
}

// @ts-ignore: decorator
@inline function pair32(p: usize, i: usize, j: usize): v128 {
  return f64x2.replace_lane(f64x2.splat(<f64>load<f32>(p + (i << 2))), 1, <f64>load<f32>(p + (j << 2)));
}

// @ts-ignore: decorator
@inline function pairParam(params: usize, t0: i32, t1: i32, off: usize): v128 {
  const a = params + <usize>(t0 < 0 ? 0 : t0) * 40 + off;
  const b = params + <usize>(t1 < 0 ? 0 : t1) * 40 + off;
  return f64x2.replace_lane(f64x2.splat(load<f64>(a)), 1, load<f64>(b));
}

// @ts-ignore: decorator
@inline function isNum(x: v128): v128 {
  return f64x2.eq(x, x);
}

/** The same month as casa_month, two cells per step in f64x2 lanes. */
export function casa_month_simd(rec: usize): void {
  const n = <usize>pf(rec, R_N);
  const start = <usize>pf(rec, R_START);
  const ndviP = pu(rec, R_NDVI) + (start << 2);
  const tempP = pu(rec, R_TEMP) + (start << 2);
  const precP = pu(rec, R_PREC) + (start << 2);
  const solP = pu(rec, R_SOL) + (start << 2);
  const wmode = <i32>pf(rec, R_WMODE);
  const wP = pu(rec, R_W) + (start << 2);
  const petP = wmode == 1 ? pu(rec, R_PET) + (start << 2) : 0;
  const toptP = pu(rec, R_TOPT) + (start << 2);
  const tidxP = pu(rec, R_TIDX) + (start << 2);
  const params = pu(rec, R_PARAMS);
  const alpha = f64x2.splat(pf(rec, R_ALPHA));
  const alpha1 = f64x2.splat(1.0 - pf(rec, R_ALPHA));
  const fminS = pf(rec, R_FMIN);
  const fmaxS = pf(rec, R_FMAX);
  const fmin = f64x2.splat(fminS);
  const fmax = f64x2.splat(fmaxS);
  const frange = f64x2.splat(fmaxS - fminS);
  const t2c = f64x2.splat(pf(rec, R_T2C));
  const tmin = f64x2.splat(pf(rec, R_TMIN));
  const nppOut = pu(rec, R_NPP_OUT);
  const rhOut = pu(rec, R_RH_OUT);
  const nppSum = pu(rec, R_NPP_SUM) + (start << 3);
  const rhSum = pu(rec, R_RH_SUM) + (start << 3);
  const nppOutP = nppOut != 0 ? nppOut + (start << 2) : 0;
  const rhOutP = rhOut != 0 ? rhOut + (start << 2) : 0;
  const one = f64x2.splat(1.0);
  const half = f64x2.splat(0.5);
  const zero = f64x2.splat(0.0);
  const nan = f64x2.splat(NaN);

  for (let i: usize = 0; i < n; i += 2) {
    const j: usize = i + 1 < n ? i + 1 : i;
    const t0 = load<i32>(tidxP + (i << 2));
    const t1 = load<i32>(tidxP + (j << 2));
    const nd = pair32(ndviP, i, j);
    const T = pair32(tempP, i, j);
    const R = pair32(precP, i, j);
    const S = pair32(solP, i, j);
    const To = pair32(toptP, i, j);
    let W: v128;
    if (wmode == 1) {
      W = f64x2.add(half, f64x2.div(f64x2.mul(half, pair32(wP, i, j)), pair32(petP, i, j)));
    } else {
      W = pair32(wP, i, j);
    }
    let valid = i64x2.replace_lane(i64x2.splat(t0 >= 0 ? -1 : 0), 1, t1 >= 0 ? -1 : 0);
    valid = v128.and(valid, v128.and(v128.and(isNum(nd), isNum(T)), v128.and(isNum(R), isNum(S))));
    valid = v128.and(valid, v128.and(isNum(To), isNum(W)));

    const emax = pairParam(params, t0, t1, 0);
    const nmin = pairParam(params, t0, t1, 8);
    const nmax = pairParam(params, t0, t1, 16);
    const smin = pairParam(params, t0, t1, 24);
    const smax = pairParam(params, t0, t1, 32);
    const sr = f64x2.div(f64x2.add(one, nd), f64x2.sub(one, nd));
    let fn = f64x2.add(f64x2.mul(f64x2.div(f64x2.sub(nd, nmin), f64x2.sub(nmax, nmin)), frange), fmin);
    fn = f64x2.max(f64x2.min(fn, fmax), fmin);
    let fs = f64x2.add(f64x2.mul(f64x2.div(f64x2.sub(sr, smin), f64x2.sub(smax, smin)), frange), fmin);
    fs = f64x2.max(f64x2.min(fs, fmax), fmin);
    const fpar = f64x2.add(f64x2.mul(alpha, fn), f64x2.mul(alpha1, fs));
    const apar = f64x2.mul(f64x2.mul(S, fpar), half);
    const t1v = f64x2.sub(f64x2.add(f64x2.splat(0.8), f64x2.mul(f64x2.splat(0.02), To)), f64x2.mul(f64x2.mul(f64x2.splat(0.0005), To), To));
    const e1 = vexp(f64x2.mul(f64x2.splat(0.2), f64x2.sub(f64x2.sub(To, f64x2.splat(10.0)), T)));
    const e2 = vexp(f64x2.mul(f64x2.splat(0.3), f64x2.add(f64x2.sub(f64x2.neg(To), f64x2.splat(10.0)), T)));
    const t2 = f64x2.div(f64x2.div(t2c, f64x2.add(one, e1)), f64x2.add(one, e2));
    let eps = f64x2.mul(f64x2.mul(f64x2.mul(t1v, t2), W), emax);
    eps = v128.bitselect(zero, eps, f64x2.lt(T, tmin));
    let npp = f64x2.mul(apar, eps);
    const y = f64x2.add(f64x2.mul(f64x2.splat(0.3145), R), one);
    const lg = f64x2.replace_lane(f64x2.splat(Math.log(f64x2.extract_lane(y, 0))), 1, Math.log(f64x2.extract_lane(y, 1)));
    const et = vexp(f64x2.mul(f64x2.splat(0.0913), T));
    let rh = f64x2.mul(f64x2.mul(f64x2.mul(f64x2.splat(0.22), f64x2.add(et, lg)), f64x2.splat(30.0)), f64x2.splat(0.465));
    npp = v128.bitselect(npp, nan, valid);
    rh = v128.bitselect(rh, nan, valid);

    const n0 = f64x2.extract_lane(npp, 0);
    const r0 = f64x2.extract_lane(rh, 0);
    if (nppOutP != 0) store<f32>(nppOutP + (i << 2), <f32>n0);
    if (rhOutP != 0) store<f32>(rhOutP + (i << 2), <f32>r0);
    store<f64>(nppSum + (i << 3), load<f64>(nppSum + (i << 3)) + n0);
    store<f64>(rhSum + (i << 3), load<f64>(rhSum + (i << 3)) + r0);
    if (j != i) {
      const n1 = f64x2.extract_lane(npp, 1);
      const r1 = f64x2.extract_lane(rh, 1);
      if (nppOutP != 0) store<f32>(nppOutP + (j << 2), <f32>n1);
      if (rhOutP != 0) store<f32>(rhOutP + (j << 2), <f32>r1);
      store<f64>(nppSum + (j << 3), load<f64>(nppSum + (j << 3)) + n1);
      store<f64>(rhSum + (j << 3), load<f64>(rhSum + (j << 3)) + r1);
    }
  }
}
