/**
 * Error classes. Every message says where (file, column, option), what was expected and
 * what was found. The CLI maps InputError/ConfigError to exit code 2, anything else to 1.
 *
 *   drivers/slope.tif: grid 4096x4096 @ 30 m does not match landuse.tif 4096x4095 @ 30 m
 */

/** Bad user data: a raster, a table, a value in them. Exit code 2. */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Bad options, scenario or project file. Exit code 2. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A broken invariant inside the engine (a bug, not the user's fault). Exit code 1. */
export class InternalError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

export function isUserError(e: unknown): e is InputError | ConfigError {
  return e instanceof InputError || e instanceof ConfigError;
}

/** Exit code for any thrown value: 2 for the user's input or options, 1 otherwise. */
export function exitCodeOf(e: unknown): number {
  return isUserError(e) ? 2 : 1;
}

/** Option checks in piscina's style: TypeError-like and RangeError-like messages, as ConfigError. */
/** "in [min, max]", or ">= min (at most 2^53 - 1)" when max is Number.MAX_SAFE_INTEGER (the default). */
export function intRange(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `>= ${min} (at most 2^53 - 1)` : `in [${min}, ${max}]`;
}

export function checkInt(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new ConfigError(`${name}: expected an integer, got ${JSON.stringify(v)}`);
  }
  if (n < min || n > max) {
    throw new ConfigError(`${name}: expected an integer ${intRange(min, max)}, got ${n}`);
  }
  return n;
}

export function checkNumber(name: string, v: unknown, min = -Infinity, max = Infinity): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new ConfigError(`${name}: expected a finite number, got ${JSON.stringify(v)}`);
  }
  if (n < min || n > max) {
    throw new ConfigError(`${name}: expected a number in [${min}, ${max}], got ${n}`);
  }
  return n;
}

/**
 * Library code does not know which options the running command has, so it never names one in a
 * message. When an option could fix the error, it attaches a hint: the CLI (src/cli/common.ts
 * `run`) appends "(lower --tile-rows)" naming only the listed options the command has.
 */
export interface OptionHint {
  verb: string;
  options: string[];
}

export function withOptionHint<E extends Error>(e: E, verb: string, options: string[]): E {
  (e as E & { optionHint?: OptionHint }).optionHint = { verb, options };
  return e;
}

export function optionHintOf(e: unknown): OptionHint | null {
  return (e as { optionHint?: OptionHint } | null)?.optionHint ?? null;
}
