/**
 * `landcarbon centrality --edges E.csv [--weight COLUMN] [--directed|--undirected] --out C.csv`
 * Degree, closeness (Wasserman–Faust) and betweenness of any edge list (columns from, to and
 * optionally a weight column), as networkx computes them (methods.md section 9).
 */
import { Command, Option } from 'commander';
import { checkInt } from '../errors.js';
import { centralityStep } from '../pipeline/steps/centrality.js';
import { parseThreads, run, threadsOption } from './common.js';

interface Opts {
  edges: string;
  weight?: string;
  directed?: boolean;
  undirected?: boolean;
  out: string;
  threads?: string;
  sample?: string;
  seed: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('centrality')
    .description('degree, closeness and betweenness centrality of an edge list (networkx definitions)')
    .requiredOption('--edges <csv>', 'edge list with columns from,to[,weight]; nodes are the ids found in from/to')
    .option('--weight <column>', 'column of positive path lengths (default: hop counts)')
    .addOption(new Option('--directed', 'directed graph (default)').conflicts('undirected'))
    .option('--undirected', 'undirected graph (each row is one edge in both directions)')
    .requiredOption('--out <csv>', 'output table: unit,out_degree,in_degree,out_closeness,in_closeness,betweenness')
    .addOption(threadsOption())
    .option('--sample <k>', 'Brandes–Pich: betweenness from k seeded sources (closeness then not computed)')
    .option('--seed <n>', 'seed of the source sample', '0')
    .option('--json', 'print the summary as JSON')
    .action(
      run('centrality', (o: Opts) => ({ inputs: { '--edges': o.edges }, outputs: { '--out': o.out } }), async (opts: Opts) => {
        const threads = parseThreads(opts.threads);
        const seed = checkInt('--seed', opts.seed, 0);
        const sample = opts.sample !== undefined ? checkInt('--sample', opts.sample, 1) : undefined;
        const { ids, edges, weighted, centrality: c, seconds } = await centralityStep({ edges: opts.edges, weight: opts.weight, undirected: !!opts.undirected, out: opts.out, threads, sample, seed });
        {
          const summary = {
            nodes: ids.length,
            edges,
            directed: !opts.undirected,
            weighted,
            sampling: c.sampling ? { sources: c.sampling.k, seed: c.sampling.seed, max_std_err: c.sampling.maxStdErr, mean_std_err: c.sampling.meanStdErr } : null,
            seconds,
            out: opts.out,
          };
          if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
          else process.stdout.write(`centrality: ${summary.nodes} nodes, ${summary.edges} edges (${summary.directed ? 'directed' : 'undirected'}, ${summary.weighted ? `weights "${opts.weight}"` : 'hop counts'}); wrote ${opts.out}\n`);
        }
      }),
    );
}
