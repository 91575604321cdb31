/**
 * Plain TypeScript reference of the class-map kernel (assembly/classmap.ts): same rule, same
 * output bits. Used by tests and benchmarks ("TS reference").
 *
 *   va = lutA[a_i - lutMin] (NaN when out of range); single: out = va; change: out = vb - va;
 *   NaN -> nodata; stored as float32 (Math.fround via Float32Array) or float64.
 */
import type { ClassMapInput } from './classmap.js';
import { classMapTables } from './classmap.js';

export function classMapRef(input: ClassMapInput): Float32Array | Float64Array {
  const { lutA, lutB } = classMapTables(input);
  const a = input.classes.data;
  const b = input.future?.data;
  const min = input.lutMin;
  const range = lutA.length;
  const n = a.length;
  const out = input.outType === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const nd = input.nodata;
  for (let i = 0; i < n; i++) {
    const oa = a[i] - min;
    const va = oa >= 0 && oa < range ? lutA[oa] : NaN;
    if (b) {
      const ob = b[i] - min;
      const vb = ob >= 0 && ob < range ? lutB[ob] : NaN;
      out[i] = Number.isNaN(va) || Number.isNaN(vb) ? nd : vb - va;
    } else {
      out[i] = Number.isNaN(va) ? nd : va;
    }
  }
  return out;
}
