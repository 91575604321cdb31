/**
 * Probability distributions for the spatial statistics: normal, Student t, F, noncentral F,
 * chi-square. Written here (no npm dependency) from the standard numerical definitions:
 *
 *  - log Gamma: Lanczos approximation (g = 7, 9 coefficients), relative error ~1e-15.
 *  - regularized incomplete gamma P(a, x) / Q(a, x): power series for x < a + 1, Lentz's
 *    continued fraction otherwise (Numerical Recipes ch. 6.2 definitions).
 *  - regularized incomplete beta I_x(a, b): Lentz's continued fraction with the symmetry
 *    I_x(a, b) = 1 - I_{1-x}(b, a) when x > (a + 1)/(a + b + 2) (NR ch. 6.4).
 *  - normal: Phi(z) via erfc(t) = Q(1/2, t^2), accurate in the far tails.
 *  - t: P(|T| > t) = I_{nu/(nu + t^2)}(nu/2, 1/2).
 *  - F: P(F > f) = I_{d2/(d2 + d1 f)}(d2/2, d1/2).
 *  - noncentral F (Wang et al. 2016 geodetector test): P(F <= f) =
 *    sum_j Pois(j; lambda/2) * I_x(d1/2 + j, d2/2), x = d1 f / (d1 f + d2), summed outward from
 *    the Poisson mode until the remaining Poisson mass is below 1e-16.
 *
 * Test values (test/stats/distributions.test.ts) are R's pnorm/pt/pf/pchisq outputs quoted in
 * the test file.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x), x > 0. */
export function lgamma(x: number): number {
  if (x < 0.5) {
    // reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-16;
const FPMIN = 1e-300;

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) return gser(a, x);
  return 1 - gcf(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), accurate when small. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - gser(a, x);
  return gcf(a, x);
}

function gser(a: number, x: number): number {
  let ap = a;
  let sum = 1 / a;
  let del = sum;
  for (let n = 0; n < 10000; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lgamma(a));
}

function gcf(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lgamma(a)) * h;
}

/** Regularized incomplete beta I_x(a, b). */
export function betaInc(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return Math.exp(lbt) * betacf(x, a, b) / a;
  return 1 - Math.exp(lbt) * betacf(1 - x, b, a) / b;
}

/** 1 - I_x(a, b), computed without cancellation when I_x is close to 1. */
export function betaIncUpper(x: number, a: number, b: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  return betaInc(1 - x, b, a);
}

function betacf(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** erfc(x) for any real x. */
export function erfc(x: number): number {
  if (x >= 0) return gammaQ(0.5, x * x);
  return 2 - gammaQ(0.5, x * x);
}

/** Standard normal CDF Phi(z). */
export function normalCdf(z: number): number {
  if (z < 0) return 0.5 * gammaQ(0.5, 0.5 * z * z);
  return 1 - 0.5 * gammaQ(0.5, 0.5 * z * z);
}

/** Upper tail 1 - Phi(z), accurate for large z. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/** Two-sided normal p-value P(|Z| > |z|). */
export function normalP2(z: number): number {
  return gammaQ(0.5, 0.5 * z * z);
}

/** Two-sided t p-value P(|T| > |t|) with nu degrees of freedom. */
export function tP2(t: number, nu: number): number {
  if (!Number.isFinite(t)) return 0;
  return betaInc(nu / (nu + t * t), nu / 2, 0.5);
}

/** Student t CDF. */
export function tCdf(t: number, nu: number): number {
  const p2 = tP2(t, nu);
  return t < 0 ? p2 / 2 : 1 - p2 / 2;
}

/** Upper tail P(F > f) of F(d1, d2). */
export function fSf(f: number, d1: number, d2: number): number {
  if (f <= 0) return 1;
  return betaInc(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** Upper tail P(X > x) of chi-square with k degrees of freedom. */
export function chisqSf(x: number, k: number): number {
  return gammaQ(k / 2, x / 2);
}

/**
 * Upper tail P(F > f) of the noncentral F(d1, d2, lambda): Poisson(lambda/2) mixture of
 * incomplete betas, summed from the Poisson mode outward (no underflow for large lambda).
 */
export function ncfSf(f: number, d1: number, d2: number, lambda: number): number {
  if (lambda < 0 || !Number.isFinite(lambda)) throw new RangeError(`ncfSf: noncentrality must be a finite value >= 0, got ${lambda}`);
  if (f <= 0) return 1;
  if (lambda === 0) return fSf(f, d1, d2);
  const x = (d1 * f) / (d1 * f + d2);
  const mu = lambda / 2;
  const mode = Math.floor(mu);
  const logPois = (j: number) => -mu + j * Math.log(mu) - lgamma(j + 1);
  // sum of Poisson weights times upper tails 1 - I_x(d1/2 + j, d2/2)
  let sum = 0;
  let mass = 0;
  for (let j = mode; ; j++) {
    const w = Math.exp(logPois(j));
    sum += w * betaIncUpper(x, d1 / 2 + j, d2 / 2);
    mass += w;
    if ((w < 1e-17 && j > mode) || j - mode > 100000) break;
  }
  for (let j = mode - 1; j >= 0; j--) {
    const w = Math.exp(logPois(j));
    sum += w * betaIncUpper(x, d1 / 2 + j, d2 / 2);
    mass += w;
    if (w < 1e-17) break;
  }
  // the neglected Poisson tails carry mass < 1e-16 in total
  void mass;
  return Math.min(1, Math.max(0, sum));
}
