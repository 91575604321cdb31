// No message may name an option the command lacks (issue 11 item 11). For every command, every
// string literal that names `--xxx` in its definition and in the src/ functions it can reach
// (a name-based call graph, below) is checked against the command's commander options (its own
// and the global ones). Library code shared by commands with different options attaches an
// option hint instead (src/errors.ts withOptionHint; the memory message of src/wasm/arena.ts),
// which the CLI turns into the options the running command has.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { Exit, NO_FILES, run } from '../../src/cli/common.js';
import { ConfigError, withOptionHint } from '../../src/errors.js';
import { inStudyTerms, STUDY_KEYS, studyKeyPaths } from '../../src/pipeline/study-terms.js';

const SRC = resolve(import.meta.dirname, '../../src');
const CLI = join(SRC, 'cli');

/** Source without comments (line and block), string literals kept. */
function stripComments(code: string): string {
  let out = '';
  for (let i = 0; i < code.length; ) {
    const c = code[i];
    if (c === '/' && code[i + 1] === '/') { while (i < code.length && code[i] !== '\n') i++; continue; }
    if (c === '/' && code[i + 1] === '*') { i = code.indexOf('*/', i + 2) + 2; continue; }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      out += code.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** String literals naming options in `code`: [literal, option names]; option definitions excluded. */
function optionMentions(code: string, argvFile: boolean): Array<{ text: string; names: string[] }> {
  const out: Array<{ text: string; names: string[] }> = [];
  const re = /(\.(?:option|requiredOption)\(\s*|new Option\(\s*)?(['"`])((?:\\.|(?!\2)[\s\S])*)\2/g;
  for (const m of code.matchAll(re)) {
    if (m[1]) continue; // the option's own definition: '--x <v>'
    const text = m[3];
    // demo-plan.ts builds the argv of other commands (checked by running the demo, test/cli/demo.test.ts)
    if (argvFile && /^--[a-z][a-z0-9-]*$/.test(text)) continue;
    const names = [...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((x) => x[1]);
    if (names.length) out.push({ text, names });
  }
  return out;
}

/**
 * A name-based call graph. A unit is a top-level declaration of a src file (function, const,
 * class), or, in a CLI file, the stretch of a declaration from one `.command('x')` to the next
 * (the definition and action of command x). A unit references a unit of its own file or a name
 * it imports when that name appears in its text. This over-approximates what a command can
 * print only where two commands share a function.
 */
interface Unit { file: string; name: string; code: string; command: string | null }

const TOP = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/;

function unitsOf(file: string): Unit[] {
  const code = stripComments(readFileSync(file, 'utf8'));
  const lines = code.split('\n');
  const units: Unit[] = [];
  let cur: { name: string; lines: string[] } | null = null;
  const flush = () => {
    if (!cur) return;
    const text = cur.lines.join('\n');
    // split at .command('x') into per-command units
    const cuts = [...text.matchAll(/\.command\(\s*['"]([\w-]+)/g)];
    if (cuts.length === 0) units.push({ file, name: cur.name, code: text, command: null });
    else {
      units.push({ file, name: cur.name, code: text.slice(0, cuts[0].index), command: null });
      cuts.forEach((c, i) => units.push({ file, name: cur!.name, code: text.slice(c.index, i + 1 < cuts.length ? cuts[i + 1].index : text.length), command: c[1] }));
    }
  };
  for (const line of lines) {
    const m = TOP.exec(line);
    if (m) {
      flush();
      cur = { name: m[1], lines: [line] };
    } else if (cur) cur.lines.push(line);
  }
  flush();
  return units;
}

/** Imported local names of `file` -> [source file, exported name]. */
function importsOf(file: string): Map<string, [string, string]> {
  const code = stripComments(readFileSync(file, 'utf8'));
  const out = new Map<string, [string, string]>();
  for (const m of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+['"](\.[^'"]+)\.js['"]/g)) {
    const src = resolve(dirname(file), m[2] + '.ts');
    for (const part of m[1].split(',')) {
      const t = part.trim().replace(/^type\s+/, '');
      if (!t) continue;
      const [orig, local] = t.split(/\s+as\s+/);
      out.set((local ?? orig).trim(), [src, orig.trim()]);
    }
  }
  for (const m of code.matchAll(/export\s+\{([^}]*)\}\s+from\s+['"](\.[^'"]+)\.js['"]/g)) {
    const src = resolve(dirname(file), m[2] + '.ts');
    for (const part of m[1].split(',')) {
      const t = part.trim().replace(/^type\s+/, '');
      if (t) out.set(t.split(/\s+as\s+/).pop()!.trim(), [src, t.split(/\s+as\s+/)[0].trim()]);
    }
  }
  return out;
}

function srcFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? srcFiles(join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [join(dir, d.name)] : [],
  );
}

const FILES = srcFiles(SRC);
const UNITS = new Map(FILES.map((f) => [f, unitsOf(f)]));
const IMPORTS = new Map(FILES.map((f) => [f, importsOf(f)]));

function referenced(u: Unit): Unit[] {
  const out: Unit[] = [];
  const words = new Set(u.code.match(/[A-Za-z_$][\w$]*/g) ?? []);
  for (const v of UNITS.get(u.file)!) if (v !== u && v.command === null && words.has(v.name)) out.push(v);
  for (const [local, [src, name]] of IMPORTS.get(u.file)!) {
    if (!words.has(local) || !UNITS.has(src)) continue;
    let targets = UNITS.get(src)!.filter((v) => v.name === name);
    // a re-export: follow it one level
    if (targets.length === 0 && IMPORTS.get(src)!.has(name)) {
      const [src2, name2] = IMPORTS.get(src)!.get(name)!;
      targets = (UNITS.get(src2) ?? []).filter((v) => v.name === name2);
    }
    out.push(...targets);
  }
  return out;
}

function reachable(start: Unit[]): Unit[] {
  const seen = new Set<Unit>();
  const todo = [...start];
  while (todo.length) {
    const u = todo.pop()!;
    if (seen.has(u)) continue;
    seen.add(u);
    todo.push(...referenced(u));
  }
  return [...seen];
}

/** Leaf commands (e.g. "carbon emissions") and their option names (own, negated, global). */
async function commands(): Promise<Array<{ path: string; name: string; options: Set<string> }>> {
  const program = await buildProgram();
  const global = program.options.map((o) => o.long!.slice(2));
  const out: Array<{ path: string; name: string; options: Set<string> }> = [];
  const walk = (c: Command, prefix: string[]): void => {
    const path = [...prefix, c.name()];
    if (c.commands.length === 0) {
      const own = c.options.map((o) => o.long!.slice(2));
      const names = new Set([...own, ...own.filter((n) => n.startsWith('no-')).map((n) => n.slice(3)), ...global, 'help']);
      out.push({ path: path.join(' '), name: c.name(), options: names });
    }
    for (const s of c.commands) walk(s, path);
  };
  for (const c of program.commands) walk(c, []);
  return out;
}

describe('every message naming --option names an option of the command', () => {
  it('walks each command\'s sources (command file + imported src modules)', async () => {
    const cmds = await commands();
    expect(cmds.length).toBeGreaterThan(20);
    const bad: string[] = [];
    let checked = 0;
    // run and demo reach every step; they print every error and progress line in the study's
    // terms (src/pipeline/study-terms.ts; unit and CLI tests below), so their mentions are not
    // options. init is checked like the others.
    const STUDY_COMMANDS = new Set(['run', 'demo']);
    const byPath = new Map(cmds.map((c) => [c.path, c]));
    for (const c of cmds) {
      if (STUDY_COMMANDS.has(c.name)) continue;
      const own = [...UNITS.values()].flat().filter((u) => u.command === c.name && u.file.startsWith(CLI));
      expect(own.length, `definition of ${c.path}`).toBeGreaterThan(0);
      for (const u of reachable(own)) {
        for (const m of optionMentions(u.code, u.file.endsWith('demo-plan.ts'))) {
          // a command line of another command quoted in the text (init's `landcarbon run ... --out`)
          const quoted = [...m.text.matchAll(/landcarbon ([a-z]+)(?: ([a-z]+))?/g)].map((x) => byPath.get(`${x[1]} ${x[2]}`) ?? byPath.get(x[1])).find((x) => x);
          const target = quoted ?? c;
          for (const n of m.names) {
            checked++;
            if (!target.options.has(n)) bad.push(`${c.path}: --${n} in ${relative(SRC, u.file)} (${u.name}): ${JSON.stringify(m.text.slice(0, 90))}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect([...new Set(bad)]).toEqual([]);
  });
});

describe('study runs word option mentions in the study\'s terms', () => {
  it('keys the study file sets become key paths, which exist; other settings are quoted; own options stay', () => {
    const keys = new Set(studyKeyPaths());
    for (const [opt, key] of Object.entries(STUDY_KEYS)) expect(keys.has(key), `--${opt} -> ${key}`).toBe(true);
    const has = (n: string) => ['threads', 'seed', 'help'].includes(n);
    expect(inStudyTerms('--k 9: expected 1 <= k <= 7 (number of units)', has)).toBe('stats.clusters 9: expected 1 <= k <= 7 (number of units)');
    expect(inStudyTerms('--knn 4: needs at least 5 units; --threads 2, --seed 3, --no-seed', has)).toBe('"knn" 4: needs at least 5 units; --threads 2, --seed 3, --no-seed');
    expect(inStudyTerms('a--b and x --pixel-area-ha', has)).toBe('a--b and x "pixel-area-ha"');
  });
});

describe('option hints from library code', () => {
  async function message(withTileRows: boolean): Promise<string> {
    const c = new Command('x').exitOverride();
    if (withTileRows) c.option('--tile-rows <n>', 'rows per task');
    c.action(run('x', NO_FILES, () => {
      throw withOptionHint(new ConfigError('needs 10 MiB'), 'lower', ['tile-rows', 'strip-rows']);
    }));
    let err = '';
    const we = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      await expect(c.parseAsync(['node', 'x'])).rejects.toBeInstanceOf(Exit);
    } finally {
      process.stderr.write = we;
    }
    return err;
  }
  it('name only the options the command has', async () => {
    expect(await message(true)).toBe('landcarbon x: needs 10 MiB (lower --tile-rows)\n');
    expect(await message(false)).toBe('landcarbon x: needs 10 MiB\n');
  });
});
