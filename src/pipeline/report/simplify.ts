/**
 * Douglas-Peucker simplification of a closed ring (Douglas and Peucker 1973), for drawing only:
 * vertices within `tol` (same units as the ring) of the simplified line are dropped. The ring is
 * split at its first vertex and the vertex farthest from it, so both halves keep their ends.
 * GIS layers are written unsimplified.
 */
import type { Ring } from './polygonize.js';

function segDist2(p: [number, number], a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2 : 0;
  t = Math.max(0, Math.min(1, t));
  const x = a[0] + t * dx - p[0], y = a[1] + t * dy - p[1];
  return x * x + y * y;
}

function dp(r: Ring, i0: number, i1: number, tol2: number, keep: Uint8Array): void {
  const stack: Array<[number, number]> = [[i0, i1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    let best = -1, bd = tol2;
    for (let i = a + 1; i < b; i++) {
      const d = segDist2(r[i], r[a], r[b]);
      if (d > bd) { bd = d; best = i; }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push([a, best], [best, b]);
    }
  }
}

export function simplifyRing(r: Ring, tol: number): Ring {
  const n = r.length - 1; // closed: r[n] = r[0]
  if (n < 5) return r;
  let far = 1, fd = -1;
  for (let i = 1; i < n; i++) {
    const d = (r[i][0] - r[0][0]) ** 2 + (r[i][1] - r[0][1]) ** 2;
    if (d > fd) { fd = d; far = i; }
  }
  const keep = new Uint8Array(n + 1);
  keep[0] = keep[far] = keep[n] = 1;
  dp(r, 0, far, tol * tol, keep);
  dp(r, far, n, tol * tol, keep);
  const out: Ring = [];
  for (let i = 0; i <= n; i++) if (keep[i]) out.push(r[i]);
  return out.length >= 4 ? out : r;
}
