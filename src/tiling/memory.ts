/**
 * The memory budget of a command: `--memory <size>` (binary units: 512M = 512 MiB, 4G = 4 GiB).
 * The budget bounds the raster data a command holds at once (blocks of every input, output and
 * scratch plane, plus the fixed buffers it declares); block sizes follow from it, results do not
 * (docs/block-plan.md). Node itself, the compiled module and small tables come on top (~100 MiB).
 */
import { Option } from 'commander';
import { totalmem } from 'node:os';
import { ConfigError } from '../errors.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Smallest budget accepted: below it even a few rows of a small raster would not fit with the writers' tile rows. */
export const MIN_MEMORY = 16 * MiB;
/** The default budget never exceeds this (larger blocks stop paying once a block is a few GiB). */
export const DEFAULT_MEMORY_CAP = 32 * GiB;

const UNITS: Record<string, number> = { '': 1, B: 1, K: KiB, M: MiB, G: GiB, T: 1024 * GiB };

/**
 * Bytes of a size text: "4G", "512M", "1.5G", "4GiB", "2048MB", "65536K" or a plain byte count.
 * Units are binary (K = 1024). Throws a ConfigError naming the option otherwise.
 */
export function parseMemory(v: unknown, name = '--memory'): number {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?$/i.exec(s);
  if (!m) {
    throw new ConfigError(`${name}: expected a size like 512M, 4G or 1.5G (binary units K, M, G, T), got ${JSON.stringify(v)}`);
  }
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]);
  if (!(bytes >= MIN_MEMORY)) throw new ConfigError(`${name}: expected at least 16M, got ${s}`);
  if (!Number.isSafeInteger(bytes)) throw new ConfigError(`${name}: ${s} is too large`);
  return bytes;
}

/** Default budget: half the machine's RAM, at most 32 GiB, at least 16 MiB. */
export function defaultMemory(): number {
  return Math.max(MIN_MEMORY, Math.min(DEFAULT_MEMORY_CAP, Math.floor(totalmem() / 2 / MiB) * MiB));
}

/** "1.5 GiB", "512 MiB" (messages and --help). */
export function formatBytes(b: number): string {
  if (b >= GiB) return `${+(b / GiB).toFixed(2)} GiB`;
  if (b >= MiB) return `${+(b / MiB).toFixed(1)} MiB`;
  if (b >= KiB) return `${+(b / KiB).toFixed(1)} KiB`;
  return `${b} B`;
}

/** "4G"-style text of the default (for --help). */
function shortSize(b: number): string {
  return b % GiB === 0 ? `${b / GiB}G` : `${Math.round(b / MiB)}M`;
}

/** The `--memory <size>` option every raster command carries. */
export function memoryOption(): Option {
  const d = defaultMemory();
  return new Option('--memory <size>', 'memory budget for raster blocks, e.g. 512M, 4G (outputs do not depend on it)').default(
    shortSize(d),
    `half the RAM, at most 32G: ${shortSize(d)}`,
  );
}

/**
 * Hidden `--block-rows <n>`: caps rows per block below what the budget allows. For tests that
 * force tiny blocks (outputs must be byte-identical for any block size); not for users.
 */
export function blockRowsOption(): Option {
  return new Option('--block-rows <n>', 'at most this many rows per block (testing)').hideHelp();
}
