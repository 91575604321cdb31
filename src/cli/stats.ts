/**
 * landcarbon stats moran|gistar|cluster|geodetector|ols|gwr — spatial statistics of per-unit
 * tables (methods.md section 10). Human output is rounded and labelled; --json prints the
 * exact numbers with the keys of issue 6.
 */
import { Command, Option } from 'commander';
import { join } from 'node:path';
import { ConfigError, checkInt, checkNumber } from '../errors.js';
import { numberColumn, writeCsv } from '../io/table.js';
import { parseThreads, run, threadsOption, type IoSpec } from './common.js';
import { weightsSummary, type SpatialWeights } from '../models/stats/weights.js';
import { ols, stepwise, type OlsResult } from '../models/stats/ols.js';
import { gwr, type Kernel } from '../models/stats/gwr.js';
import { clusterStep, coordCols, geodetectorStep, gistarStep, listOpt, loadTable, moranStep, unitIds, type WeightsOpts } from '../pipeline/steps/stats.js';

// ---- shared helpers (weights, columns: src/pipeline/steps/stats.ts) -----------------------

/** Inputs of the weights options (table, GAL/GWT, zone raster) and the --write-weights output. */
/** `outputs`: the command's own output options (named by the caller, which has them). */
function weightsFiles(o: WeightsOpts, outputs: Record<string, string | undefined> = {}): IoSpec {
  return {
    inputs: { '--table': o.table, '--gal': o.gal, '--gwt': o.gwt, '--zones': o.zones },
    outputs: { '--write-weights': o.writeWeights, ...outputs },
  };
}

function addWeightsOptions(c: Command): Command {
  return c
    .option('--id <col>', 'unit id column (default: 1-based row numbers); zone codes with --zones')
    .option('--gal <file>', 'weights from a GAL file (ids = --id values or row numbers)')
    .option('--gwt <file>', 'weights from a GWT file')
    .option('--zones <tif>', 'contiguity weights from a zone raster (codes = --id values)')
    .addOption(new Option('--contiguity <rule>', 'contiguity rule with --zones').choices(['queen', 'rook']).default('queen'))
    .option('--knn <k>', 'k nearest neighbours on --coords')
    .option('--distance <d>', 'distance band on --coords (same units as the coordinates)')
    .option('--coords <x,y>', 'centroid coordinate columns')
    .addOption(new Option('--transform <t>', 'r: row-standardised, b: binary').choices(['r', 'b']).default('r'))
    .option('--allow-islands', 'keep units without neighbours (zero rows) instead of refusing them')
    .option('--write-weights <file>', 'also write the neighbour sets (.gal) or weights (.gwt)')
    .addOption(threadsOption());
}

/** Rounds for people: 4 significant digits for ordinary numbers, exponent form for tiny ones. */
export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e9) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return 'n/a';
  if (p < 1e-4) return '< 0.0001';
  return p.toFixed(4);
}

function printJson(o: unknown): void {
  process.stdout.write(JSON.stringify(o, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}

function islandNote(w: SpatialWeights): string {
  const s = weightsSummary(w);
  return `weights: ${w.source}, ${s.n} units, ${s.links} links, neighbours min/mean/max ${s.minNeighbors}/${fmt(s.meanNeighbors, 3)}/${s.maxNeighbors}` +
    (s.islands.length ? `, islands: ${s.islands.join(', ')}` : '');
}

// ---- commands -------------------------------------------------------------------------------

export function register(program: Command): void {
  const stats = program.command('stats').description('spatial statistics of unit tables: moran, gistar, cluster, geodetector, ols, gwr');

  addWeightsOptions(
    stats.command('moran').description("global Moran's I with normality/randomisation variances and a seeded permutation test")
      .option('--table <csv>', 'unit table (CSV)').option('--field <col>', 'variable'),
  )
    .option('--permutations <P>', 'permutations for p_sim (0 = none)', '0')
    .option('--seed <S>', 'seed of the permutations', '0')
    .option('--json', 'machine-readable output')
    .action(run('stats moran', (o: WeightsOpts) => weightsFiles(o), async (o: WeightsOpts & { field?: string; permutations: string; seed: string; json?: boolean; allowIslands?: boolean }) => {
      const P = checkInt('--permutations', o.permutations, 0, 10_000_000);
      const seed = checkInt('--seed', o.seed, 0);
      const { table: t, weights: w, result: r } = await moranStep({ ...o, threads: String(parseThreads(o.threads)), permutations: P, seed });
      if (o.json) {
        const out: Record<string, unknown> = {
          I: r.I, EI: r.EI, VI_norm: r.VI_norm, VI_rand: r.VI_rand, z_norm: r.z_norm, z_rand: r.z_rand,
          p_norm: r.p_norm, p_rand: r.p_rand, p_norm_greater: r.p_norm_greater, p_rand_greater: r.p_rand_greater,
          n: r.n, S0: r.S0, S1: r.S1, S2: r.S2, transform: o.transform, weights: w.source, islands: weightsSummary(w).islands,
        };
        if (P > 0) Object.assign(out, { p_sim: r.p_sim, permutations: P, seed, EI_sim: r.EI_sim, seI_sim: r.seI_sim, z_sim: r.z_sim });
        printJson(out);
        return;
      }
      const lines = [
        `Global Moran's I of "${o.field}" (${t.source}, ${r.n} units)`,
        islandNote(w) + `, transform ${o.transform === 'r' ? 'row-standardised' : 'binary'}`,
        `  I                 ${fmt(r.I)}    (expected ${fmt(r.EI)})`,
        `  normality:        variance ${fmt(r.VI_norm)}, z ${fmt(r.z_norm, 3)}, p two-sided ${fmtP(r.p_norm)}, p (I > E[I]) ${fmtP(r.p_norm_greater)}`,
        `  randomisation:    variance ${fmt(r.VI_rand)}, z ${fmt(r.z_rand, 3)}, p two-sided ${fmtP(r.p_rand)}, p (I > E[I]) ${fmtP(r.p_rand_greater)}`,
      ];
      if (P > 0) lines.push(`  permutation:      p_sim ${fmtP(r.p_sim)} (${P} permutations, seed ${seed}; pseudo p = (M+1)/(P+1))`);
      process.stdout.write(lines.join('\n') + '\n');
    }));

  addWeightsOptions(
    stats.command('gistar').description('Getis-Ord Gi* hot spots (ArcGIS classes at 90/95/99 %)')
      .option('--table <csv>', 'unit table (CSV)').option('--field <col>', 'variable'),
  )
    .option('--gi', 'Gi without the unit itself instead of Gi*')
    .option('--out <csv>', 'per-unit output: id,gi,z,p,class')
    .option('--json', 'machine-readable output')
    .action(run('stats gistar', (o: WeightsOpts & { out?: string }) => weightsFiles(o, { '--out': o.out }), async (o: WeightsOpts & { field?: string; gi?: boolean; out?: string; json?: boolean; allowIslands?: boolean }) => {
      const { table: t, weights0: w0, weights: w, star, result: r, counts } = await gistarStep({ ...o, threads: String(parseThreads(o.threads)) });
      if (o.json) {
        printJson({ statistic: star ? 'Gi*' : 'Gi', n: w.ids.length, transform: o.transform, weights: w0.source, islands: weightsSummary(w0).islands, classes: counts,
          units: w.ids.map((id, i) => ({ id, gi: r.g[i], z: r.z[i], p: r.p[i], class: r.cls[i] })) });
        return;
      }
      const lines = [`Getis-Ord ${star ? 'Gi*' : 'Gi'} of "${o.field}" (${t.source}, ${w.ids.length} units)`, islandNote(w0)];
      for (const c of ['Hot Spot - 99% Confidence', 'Hot Spot - 95% Confidence', 'Hot Spot - 90% Confidence', 'Not Significant', 'Cold Spot - 90% Confidence', 'Cold Spot - 95% Confidence', 'Cold Spot - 99% Confidence']) {
        lines.push(`  ${c.padEnd(28)} ${counts[c] ?? 0}`);
      }
      if (o.out) lines.push(`per-unit z, p and class: ${o.out}`);
      else {
        lines.push('  id            z        p       class');
        w.ids.forEach((id, i) => lines.push(`  ${id.padEnd(12)} ${fmt(r.z[i], 3).padStart(7)}  ${fmtP(r.p[i]).padStart(8)}  ${r.cls[i]}`));
      }
      process.stdout.write(lines.join('\n') + '\n');
    }));

  stats.command('cluster').description('Ward hierarchical clustering (scipy linkage layout), cut into k clusters, dendrogram SVG')
    .option('--table <csv>', 'unit table (CSV)')
    .option('--fields <a,b,c>', 'columns to cluster on')
    .option('--id <col>', 'unit id column (default: row numbers)')
    .option('--standardize', 'z-score each column first (sample standard deviation)')
    .option('--k <K>', 'number of clusters')
    .option('--out <dir>', 'output directory: linkage.csv, clusters.csv, dendrogram.svg')
    .option('--json', 'machine-readable output')
    .action(run('stats cluster', (o: { table?: string; out?: string }) => ({ inputs: { '--table': o.table }, dirs: { '--out': { dir: o.out, files: ['linkage.csv', 'clusters.csv', 'dendrogram.svg'] } } }), async (o: { table?: string; fields?: string; id?: string; standardize?: boolean; k?: string; out?: string; json?: boolean }) => {
      const { fields, ids, k, linkage: Z, labels, sizes } = clusterStep(o);
      if (o.json) {
        printJson({ n: ids.length, k, fields, standardize: !!o.standardize, linkage: Z, clusters: ids.map((id, i) => ({ id, cluster: labels[i] })), sizes });
        return;
      }
      const lines = [`Ward clustering of ${ids.length} units on ${fields.join(', ')}${o.standardize ? ' (z-scored)' : ''}, cut at k = ${k}`];
      lines.push(`  merge heights (last ${Math.min(5, Z.length)}): ${Z.slice(-5).map((r) => fmt(r.height)).join(', ')}`);
      for (let c = 1; c <= k; c++) lines.push(`  cluster ${c}: ${sizes[c - 1]} units: ${ids.filter((_, i) => labels[i] === c).slice(0, 20).join(', ')}${sizes[c - 1] > 20 ? ', ...' : ''}`);
      if (o.out) lines.push(`written: ${join(o.out, 'linkage.csv')}, ${join(o.out, 'clusters.csv')}, ${join(o.out, 'dendrogram.svg')}`);
      process.stdout.write(lines.join('\n') + '\n');
    }));

  stats.command('geodetector').description('geographical detector: factor, interaction, risk and ecological detectors')
    .option('--table <csv>', 'unit table (CSV)')
    .option('--y <col>', 'dependent variable')
    .option('--factors <a,b>', 'factor columns (class labels unless discretised)')
    .option('--discretize <M:K>', 'discretise numeric factors: equal|quantile|natural : classes (K or Kmin-Kmax, chosen by q); per factor "a=quantile:3-7,b=natural:5"')
    .option('--alpha <a>', 'significance level of the risk and ecological detectors', '0.05')
    .option('--out <dir>', 'also write factor.csv, interaction.csv, risk.csv, ecological.csv')
    .option('--json', 'machine-readable output')
    .action(run('stats geodetector', (o: { table?: string; out?: string }) => ({ inputs: { '--table': o.table }, dirs: { '--out': { dir: o.out, files: ['factor.csv', 'interaction.csv', 'risk.csv', 'ecological.csv'] } } }), async (o: { table?: string; y?: string; factors?: string; discretize?: string; alpha: string; out?: string; json?: boolean }) => {
      const alpha = checkNumber('--alpha', o.alpha, 1e-12, 0.5);
      const { table: t, n, result: res, discretization: disc } = geodetectorStep({ ...o, alpha });
      if (o.json) {
        printJson({ n, y: o.y, discretization: disc, ...res });
        return;
      }
      const names = res.factor.map((f) => f.factor);
      const stars = (p: number | null) => (p === null ? '' : p < 0.01 ? '***' : p < 0.05 ? '**' : p < 0.1 ? '*' : '');
      const wcol = Math.max(8, ...names.map((s) => s.length + 1));
      const lines = [`Geographical detector of "${o.y}" (${t.source}, ${n} units)`];
      for (const d of disc) lines.push(`  ${d.factor}: ${d.method} breaks, ${d.classes} classes (chosen by q): ${d.breaks!.map((b) => fmt(b)).join(' | ')}`);
      lines.push('Factor detector (q; *** p < 0.01, ** p < 0.05, * p < 0.10; p from the noncentral F)');
      lines.push('  ' + ''.padEnd(8) + names.map((s) => s.padStart(wcol)).join(''));
      lines.push('  ' + 'q value'.padEnd(8) + res.factor.map((f) => (f.q.toFixed(3) + stars(f.p)).padStart(wcol)).join(''));
      lines.push('Interaction detector (q of the overlay; lower triangle, diagonal = single factor)');
      lines.push('  ' + ''.padEnd(wcol) + names.map((s) => s.padStart(wcol)).join(''));
      const qab = new Map(res.interaction.map((r) => [`${r.a}\u0000${r.b}`, r]));
      for (let i = 0; i < names.length; i++) {
        let row = '  ' + names[i].padEnd(wcol);
        for (let j = 0; j <= i; j++) {
          const v = i === j ? res.factor[i].q : (qab.get(`${names[j]}\u0000${names[i]}`) ?? qab.get(`${names[i]}\u0000${names[j]}`))!.qab;
          row += v.toFixed(3).padStart(wcol);
        }
        lines.push(row);
      }
      for (const r of res.interaction) lines.push(`  ${r.a} ∩ ${r.b}: ${r.type}`);
      lines.push(`Ecological detector (F = SSW_a/SSW_b, alpha ${alpha}): significantly different: ` +
        (res.ecological.filter((e) => e.significant).map((e) => `${e.a} vs ${e.b}`).join(', ') || 'none'));
      lines.push(`Risk detector (Welch t between strata means, alpha ${alpha}): ${res.risk.map((r) => `${r.factor} ${r.pairs.filter((p) => p.significant).length}/${r.pairs.length} pairs differ` +
        (r.pairs.some((p) => p.significant === null) ? ` (${r.pairs.filter((p) => p.significant === null).length} untestable: a stratum with 1 unit)` : '')).join('; ')}`);
      if (o.out) lines.push(`written: ${o.out}/factor.csv, interaction.csv, risk.csv, ecological.csv`);
      process.stdout.write(lines.join('\n') + '\n');
    }));

  stats.command('ols').description('ordinary least squares with optional stepwise selection (enter p < 0.05, remove p > 0.10)')
    .option('--table <csv>', 'unit table (CSV)')
    .option('--y <col>', 'dependent variable')
    .option('--x <a,b,c>', 'candidate regressors')
    .option('--stepwise', 'stepwise selection (SPSS rule: enter p < 0.05, remove p > 0.10)')
    .option('--enter <p>', 'entry p', '0.05')
    .option('--remove <p>', 'removal p', '0.10')
    .option('--json', 'machine-readable output')
    .action(run('stats ols', (o: { table?: string }) => ({ inputs: { '--table': o.table } }), async (o: { table?: string; y?: string; x?: string; stepwise?: boolean; enter: string; remove: string; json?: boolean }) => {
      const t = loadTable(o.table);
      if (!o.y) throw new ConfigError('--y: required');
      const y = numberColumn(t, o.y);
      const names = listOpt(o.x, '--x');
      const X = names.map((n) => numberColumn(t, n));
      const pin = checkNumber('--enter', o.enter, 0, 1);
      const pout = checkNumber('--remove', o.remove, 0, 1);
      if (pout < pin) throw new ConfigError(`--remove ${pout} must be >= --enter ${pin}`);
      let r: OlsResult;
      let steps: unknown[] | undefined;
      if (o.stepwise) {
        const s = stepwise(y, X, names, { enter: pin, remove: pout, what: t.source });
        r = s.model;
        steps = s.steps;
      } else r = ols(y, X, names, t.source);
      if (o.json) {
        printJson({ ...r, ...(steps ? { steps } : {}) });
        return;
      }
      const lines = [`OLS of "${o.y}" (${t.source}, ${r.n} units)${o.stepwise ? `, stepwise (enter p < ${pin}, remove p > ${pout})` : ''}`];
      if (steps) for (const s of steps as { action: string; variable: string; p: number }[]) lines.push(`  step: ${s.action} ${s.variable} (p ${fmtP(s.p)})`);
      lines.push(`  ${'term'.padEnd(12)} ${'coef'.padStart(11)} ${'se'.padStart(11)} ${'t'.padStart(9)} ${'p'.padStart(9)} ${'VIF'.padStart(9)}`);
      r.terms.forEach((name, i) => lines.push(`  ${name.padEnd(12)} ${fmt(r.coef[i]).padStart(11)} ${fmt(r.se[i]).padStart(11)} ${fmt(r.t[i], 3).padStart(9)} ${fmtP(r.p[i]).padStart(9)} ${i === 0 ? '' : fmt(r.vif[i - 1], 3).padStart(9)}`));
      lines.push(`  R^2 ${fmt(r.r2)}, adjusted R^2 ${fmt(r.r2_adj)}, F ${fmt(r.F)} (p ${fmtP(r.F_p)}), residual df ${r.df_resid}`);
      process.stdout.write(lines.join('\n') + '\n');
    }));

  stats.command('gwr').description('geographically weighted regression (adaptive bisquare by default; bandwidth by golden-section search on AICc)')
    .option('--table <csv>', 'unit table (CSV)')
    .option('--y <col>', 'dependent variable')
    .option('--x <a,b,c>', 'regressors')
    .option('--coords <x,y>', 'coordinate columns (projected)')
    .option('--id <col>', 'unit id column (default: row numbers)')
    .addOption(new Option('--kernel <k>', 'kernel').choices(['bisquare', 'gaussian']).default('bisquare'))
    .option('--fixed', 'fixed (distance) bandwidth instead of adaptive (nearest neighbours)')
    .option('--bw <B>', 'bandwidth (skip the search): neighbours if adaptive, distance if --fixed')
    .option('--out <dir>', 'output directory: local.csv')
    .option('--json', 'machine-readable output')
    .action(run('stats gwr', (o: { table?: string; out?: string }) => ({ inputs: { '--table': o.table }, dirs: { '--out': { dir: o.out, files: ['local.csv'] } } }), async (o: { table?: string; y?: string; x?: string; coords?: string; id?: string; kernel: string; fixed?: boolean; bw?: string; out?: string; json?: boolean }) => {
      const t = loadTable(o.table);
      if (!o.y) throw new ConfigError('--y: required');
      const y = numberColumn(t, o.y);
      const names = listOpt(o.x, '--x');
      const X = names.map((n) => numberColumn(t, n));
      const [cx, cy] = coordCols(t, o.coords, 'gwr');
      const ids = unitIds(t, o.id);
      const bw = o.bw === undefined ? undefined : o.fixed ? checkNumber('--bw', o.bw, Number.MIN_VALUE) : checkInt('--bw', o.bw, 2, y.length);
      const r = gwr(y, X, names, cx, cy, { kernel: o.kernel as Kernel, fixed: !!o.fixed, bandwidth: bw, what: t.source });
      if (o.out) {
        const cols = ['id', ...r.terms.map((s) => `b_${s}`), ...r.terms.map((s) => `se_${s}`), ...r.terms.map((s) => `t_${s}`), 'yhat', 'residual', 'local_r2', 'influence'];
        writeCsv(join(o.out, 'local.csv'), cols, ids.map((id, i) => [id, ...r.terms.map((_, k) => r.params[i][k]), ...r.terms.map((_, k) => r.bse[i][k]), ...r.terms.map((_, k) => r.tvalues[i][k]), r.yhat[i], r.resid[i], r.localR2[i], r.influence[i]]));
      }
      const meanParams = r.terms.map((_, k) => r.params.reduce((s, p) => s + p[k], 0) / r.params.length);
      if (o.json) {
        printJson({ bandwidth: r.bandwidth, aicc: r.aicc, aic: r.aic, r2: r.r2, r2_adj: r.r2_adj, trS: r.trS, trSTS: r.trSTS, rss: r.rss, sigma2: r.sigma2, n: r.n,
          kernel: o.kernel, fixed: !!o.fixed, terms: r.terms, mean_params: meanParams, search: r.search });
        return;
      }
      const lines = [`GWR of "${o.y}" on ${names.join(', ')} (${t.source}, ${r.n} units)`,
        `  kernel ${o.fixed ? 'fixed' : 'adaptive'} ${o.kernel}, bandwidth ${o.fixed ? fmt(r.bandwidth, 6) : r.bandwidth + ' neighbours'}${o.bw === undefined ? ' (golden-section search on AICc)' : ' (given)'}`,
        `  AICc ${fmt(r.aicc, 7)}, AIC ${fmt(r.aic, 7)}, R^2 ${fmt(r.r2)}, adjusted R^2 ${fmt(r.r2_adj)}, effective parameters tr(S) ${fmt(r.trS, 5)}`,
        `  local coefficients:\n    ${'term'.padEnd(12)} ${'mean'.padStart(10)} ${'min'.padStart(10)} ${'median'.padStart(10)} ${'max'.padStart(10)}`];
      r.terms.forEach((s, k) => {
        const v = r.params.map((p) => p[k]).sort((a, b) => a - b);
        lines.push(`    ${s.padEnd(12)} ${fmt(meanParams[k]).padStart(10)} ${fmt(v[0]).padStart(10)} ${fmt(v[Math.floor(v.length / 2)]).padStart(10)} ${fmt(v[v.length - 1]).padStart(10)}`);
      });
      if (o.out) lines.push(`written: ${join(o.out, 'local.csv')}`);
      process.stdout.write(lines.join('\n') + '\n');
    }));
}
