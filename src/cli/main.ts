/**
 * landcarbon CLI entry. Each command lives in its own file exporting `register(program)`;
 * add new commands to COMMANDS below.
 */
import { Command, CommanderError } from 'commander';
import { Exit, Register } from './common.js';

const COMMANDS: Array<() => Promise<{ register: Register }>> = [
  // one line per command file, in the order of the chain
  () => import('./sample.js'),
  () => import('./info.js'),
  () => import('./prepare.js'),
  () => import('./zonal.js'),
  () => import('./markov.js'),
  () => import('./suitability.js'),
  () => import('./simulate.js'),
  () => import('./plus.js'),
  () => import('./accuracy.js'),
  () => import('./carbon.js'),
  () => import('./balance.js'),
  () => import('./grey.js'),
  () => import('./network.js'),
  () => import('./centrality.js'),
  () => import('./stats.js'),
  () => import('./study.js'),
  () => import('./map.js'),
  () => import('./demo.js'),
  () => import('./bench.js'),
];

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name('landcarbon')
    .description('WebAssembly-accelerated land-use carbon-balance engine')
    .version('0.1.0')
    // CSV options for every command (src/io/table.ts): input encoding, and a BOM for Excel
    .option('--encoding <label>', 'encoding of input CSV tables: utf-8 (default), gb18030/gbk (Chinese Excel), big5, windows-1252, ...')
    .option('--excel', 'write output CSVs with a UTF-8 byte-order mark, so Excel shows non-ASCII names')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      // help/version exit 0; unknown options and missing arguments are bad input
      return e.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`landcarbon: internal error: ${(e as Error).message}\n`);
    return 1;
  }
}
