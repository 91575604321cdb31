/**
 * Plain TypeScript reference of assembly/mlp.ts (the BP-ANN forward pass, methods.md section 2):
 * same rule, same operation order, f64 arithmetic and Math.exp, exactly as the kernel's scalar
 * path `mlp_forward_scalar`. Used by tests (kernel == reference) and benchmarks ("TS reference").
 *
 *   valid: no driver value is NaN or equal to its NoData (norm.nodata[d], NaN = none)
 *   x_d = (v_d - min_d) * scale_d;  y_h = sigmoid(b1_h + sum_d W1[h,d] x_d)
 *   z_k = b2_k + sum_h W2[k,h] y_h;  p_k = exp(z_k - max z) / sum_j exp(z_j - max z)
 *   invalid cells: p_k = NaN for all k.
 *
 * Worked example (D = 1, H = 1, K = 2): min 0, scale 0.5, v = 2 -> x = 1; W1 = [0], b1 = [0]
 * -> y = sigmoid(0) = 0.5; W2 = [2, 0], b2 = [0, 0] -> z = [1, 0]; p = [e/(e+1), 1/(e+1)]
 * = [0.7310586, 0.2689414].
 */

/** Weights of a D-H-K network, float32, row-major: w1 is H x D (row = hidden neuron), w2 is K x H. */
export interface MlpNet {
  D: number;
  H: number;
  K: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** Per-driver normalisation and NoData, float32: x = (v - min) * scale; nodata NaN = none. */
export interface MlpNorm {
  min: Float32Array;
  scale: Float32Array;
  nodata: Float32Array;
}

/** Forward pass over n = width * height cells of D float32 planes -> K float32 planes. */
export function mlpForwardRef(net: MlpNet, norm: MlpNorm, planes: Float32Array[], width: number, height: number): Float32Array[] {
  const { D, H, K, w1, b1, w2, b2 } = net;
  const n = width * height;
  const out = Array.from({ length: K }, () => new Float32Array(n));
  const x = new Float64Array(D);
  const y = new Float64Array(H);
  const z = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    let valid = true;
    for (let d = 0; d < D; d++) {
      const v = planes[d][i];
      if (v !== v || v === norm.nodata[d]) {
        valid = false;
        break;
      }
      x[d] = (v - norm.min[d]) * norm.scale[d];
    }
    if (!valid) {
      for (let k = 0; k < K; k++) out[k][i] = NaN;
      continue;
    }
    for (let h = 0; h < H; h++) {
      let acc = b1[h];
      for (let d = 0; d < D; d++) acc += w1[h * D + d] * x[d];
      y[h] = 1 / (1 + Math.exp(-acc));
    }
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      let acc = b2[k];
      for (let h = 0; h < H; h++) acc += w2[k * H + h] * y[h];
      z[k] = acc;
      if (acc > m) m = acc;
    }
    let s = 0;
    for (let k = 0; k < K; k++) {
      z[k] = Math.exp(z[k] - m);
      s += z[k];
    }
    for (let k = 0; k < K; k++) out[k][i] = z[k] / s;
  }
  return out;
}
