/**
 * Sampling statistics for kernel benchmarks through Benchmark.js (the `benchmark` package):
 * it times repeated runs of an async function (deferred benchmark), calibrating how many runs
 * make one sample, and reports the mean time per run, its relative margin of error (RME, %, at
 * 95 % confidence from Student's t), the standard deviation and every sample. Module
 * instantiation and data generation stay outside `fn`.
 *
 *   const s = await sample(() => zonalSums(engine, input), { minSamples: 5 });
 *   // s.mean_s, s.rme_pct, s.samples, s.min_s
 */
import Benchmark from 'benchmark';

export interface Sampled {
  /** Mean seconds per run. */
  mean_s: number;
  /** Relative margin of error of the mean, percent (95 % confidence). */
  rme_pct: number;
  sd_s: number;
  /** Fastest sample, seconds per run. */
  min_s: number;
  /** Number of samples; each sample is the mean of `runs_per_sample` runs. */
  samples: number;
  runs_per_sample: number;
  /** Seconds per run of every sample. */
  sample_s: number[];
}

export interface SampleOptions {
  /** At least this many samples (default 5). */
  minSamples?: number;
  /** Stop sampling after this many seconds once minSamples are taken (default 1). */
  maxTime?: number;
}

export function sample(fn: () => Promise<unknown>, opts: SampleOptions = {}): Promise<Sampled> {
  return new Promise((resolve, reject) => {
    const b = new Benchmark('case', {
      defer: true,
      minSamples: opts.minSamples ?? 5,
      maxTime: opts.maxTime ?? 1,
      // Benchmark.js compiles `fn` into a timing loop; the deferred form calls it with a resolver
      fn: (deferred: { resolve(): void }) => {
        fn().then(() => deferred.resolve(), (e: unknown) => {
          failure = e;
          deferred.resolve();
        });
      },
    });
    let failure: unknown = null;
    b.on('complete', () => {
      if (failure) return reject(failure);
      if (b.error) return reject(b.error);
      const s = b.stats;
      resolve({
        mean_s: s.mean, rme_pct: s.rme, sd_s: s.deviation, min_s: Math.min(...s.sample), samples: s.sample.length,
        runs_per_sample: b.count, sample_s: s.sample,
      });
    });
    b.on('error', () => reject(b.error));
    b.run({ async: true });
  });
}
