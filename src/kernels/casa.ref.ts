/**
 * Plain TypeScript reference of the CASA month kernel (assembly/casa.ts): same rule, same
 * f64 arithmetic per cell, f32 inputs. Used by tests and as the "TS reference" benchmark.
 */

/** Per vegetation type parameters (index = type index of the typeIndex array). */
export interface CasaTypeParams {
  /** Maximum light use efficiency, g C/MJ. */
  epsMax: number;
  ndviMin: number;
  ndviMax: number;
  srMin: number;
  srMax: number;
}

export interface CasaConstants {
  /** Weight of FPAR_NDVI (seed 002: 0.5). */
  alpha: number;
  /** FPAR bounds (seed 002: 0.001, 0.95). */
  fparMin: number;
  fparMax: number;
  /** Numerator of T2 (methods.md: 1.1814; some versions 1.1919 or 1.184). */
  t2Coef: number;
  /** Months with T below this (C) have eps = 0 (methods.md: -10). */
  tMin: number;
}

export const CASA_DEFAULTS: CasaConstants = { alpha: 0.5, fparMin: 0.001, fparMax: 0.95, t2Coef: 1.1814, tMin: -10 };

/** One month of inputs, NaN = missing. W given directly, or EET and PET (W = 0.5 + 0.5 EET/PET). */
export interface CasaMonth {
  /** NDVI, -1 <= NDVI < 1. */
  ndvi: Float32Array;
  /** Mean air temperature, C. */
  temp: Float32Array;
  /** Precipitation, mm/month. */
  prec: Float32Array;
  /** Total solar radiation, MJ/m2/month. */
  sol: Float32Array;
  w?: Float32Array;
  eet?: Float32Array;
  pet?: Float32Array;
}

export interface CasaMonthOutputs {
  npp?: Float32Array;
  rh?: Float32Array;
}

/** Adds one month's NPP and R_H (g C/m2/month) into the f64 annual sums. */
export function casaMonthRef(
  month: CasaMonth,
  topt: Float32Array,
  typeIndex: Int32Array,
  types: CasaTypeParams[],
  c: CasaConstants,
  nppSum: Float64Array,
  rhSum: Float64Array,
  out: CasaMonthOutputs = {},
): void {
  const n = typeIndex.length;
  const frange = c.fparMax - c.fparMin;
  const useW = !!month.w;
  for (let i = 0; i < n; i++) {
    const t = typeIndex[i];
    const nd = month.ndvi[i];
    const T = month.temp[i];
    const R = month.prec[i];
    const S = month.sol[i];
    const To = topt[i];
    const W = useW ? month.w![i] : 0.5 + (0.5 * month.eet![i]) / month.pet![i];
    let npp: number;
    let rh: number;
    if (t < 0 || nd !== nd || T !== T || R !== R || S !== S || To !== To || W !== W) {
      npp = NaN;
      rh = NaN;
    } else {
      const p = types[t];
      const sr = (1 + nd) / (1 - nd);
      const fn = Math.min(Math.max(((nd - p.ndviMin) / (p.ndviMax - p.ndviMin)) * frange + c.fparMin, c.fparMin), c.fparMax);
      const fs = Math.min(Math.max(((sr - p.srMin) / (p.srMax - p.srMin)) * frange + c.fparMin, c.fparMin), c.fparMax);
      const fpar = c.alpha * fn + (1 - c.alpha) * fs;
      const apar = S * fpar * 0.5;
      let eps = 0;
      if (!(T < c.tMin)) {
        const t1 = 0.8 + 0.02 * To - 0.0005 * To * To;
        const t2 = c.t2Coef / (1 + Math.exp(0.2 * (To - 10 - T))) / (1 + Math.exp(0.3 * (-To - 10 + T)));
        eps = t1 * t2 * W * p.epsMax;
      }
      npp = apar * eps;
      rh = 0.22 * (Math.exp(0.0913 * T) + Math.log(0.3145 * R + 1)) * 30 * 0.465;
    }
    if (out.npp) out.npp[i] = npp;
    if (out.rh) out.rh[i] = rh;
    nppSum[i] += npp;
    rhSum[i] += rh;
  }
}
