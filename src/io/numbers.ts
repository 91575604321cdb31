/**
 * Numbers shown to people and written to tables: one shared formatter.
 *
 * - Tables (CSV, JSON) keep full precision: `fmtTable` is the shortest string that reads back
 *   as the same double (ECMAScript Number::toString), NaN as an empty cell.
 * - Human-facing lines (stdout summaries, notes) use `fmtHuman`: 6 significant figures, no
 *   exponent between 1e-4 and 1e15, whole numbers printed whole (15745831, not 1.57458e7).
 *
 * Table values that are products and sums of decimal inputs (cells x hectares x coefficient)
 * are computed exactly in decimal and rounded once (`Dec`): 39 ha x -0.14 t/ha is -5.46, not
 * -5.460000000000001, the double nearest the exact result. The inputs are taken at their
 * shortest decimal form, i.e. as the user wrote them in the table.
 */

/** Shortest round-trip form; NaN -> '' (an empty CSV cell). */
export function fmtTable(v: number): string {
  if (Number.isNaN(v)) return '';
  return String(v);
}

/** `sig` significant figures (default 6) for a human line; integers stay whole; null -> n/a. */
export function fmtHuman(v: number | null, sig = 6): string {
  if (v === null) return 'n/a';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e15 || a < 1e-4) return trimExp(v.toExponential(sig - 1));
  if (a >= 10 ** sig) return String(Math.round(v));
  return String(Number(v.toPrecision(sig)));
}

function trimExp(s: string): string {
  const [m, e] = s.split('e');
  const mm = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
  return `${mm}e${e.replace('+', '')}`;
}

/** A percentage with `digits` decimals (default 2): 12.35 %. */
export function fmtPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** An exact decimal m x 10^e (m a BigInt), for sums and products of table values. */
export class Dec {
  private constructor(readonly m: bigint, readonly e: number) {}

  static readonly ZERO = new Dec(0n, 0);

  /** The double `v` at its shortest decimal form (so 0.1 is exactly one tenth). */
  static of(v: number): Dec {
    if (!Number.isFinite(v)) throw new RangeError(`Dec.of: ${v} is not finite`);
    const s = String(v);
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
    if (!m) throw new RangeError(`Dec.of: cannot parse ${s}`);
    const frac = m[3] ?? '';
    const mant = BigInt(`${m[1]}${m[2]}${frac}`);
    return new Dec(mant, Number(m[4] ?? 0) - frac.length);
  }

  mul(o: Dec | number): Dec {
    const b = typeof o === 'number' ? Dec.of(o) : o;
    return new Dec(this.m * b.m, this.e + b.e);
  }

  add(o: Dec | number): Dec {
    const b = typeof o === 'number' ? Dec.of(o) : o;
    if (this.e === b.e) return new Dec(this.m + b.m, this.e);
    if (this.e < b.e) return new Dec(this.m + b.m * 10n ** BigInt(b.e - this.e), this.e);
    return new Dec(this.m * 10n ** BigInt(this.e - b.e) + b.m, b.e);
  }

  neg(): Dec {
    return new Dec(-this.m, this.e);
  }

  sign(): number {
    return this.m > 0n ? 1 : this.m < 0n ? -1 : 0;
  }

  /** The double nearest the exact value (the JS number parser rounds correctly). */
  toNumber(): number {
    return Number(`${this.m}e${this.e}`);
  }
}

/** Exact product of the decimal forms of `xs`, rounded once to a double. */
export function exactProduct(...xs: number[]): number {
  return xs.reduce((p: Dec, x) => p.mul(x), Dec.of(1)).toNumber();
}

/** Exact sum of the decimal forms of `xs`, rounded once to a double. */
export function exactSum(xs: Iterable<number>): number {
  let s = Dec.ZERO;
  for (const x of xs) s = s.add(x);
  return s.toNumber();
}
