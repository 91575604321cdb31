/**
 * One run of a command, as the file layer sees it: what it reads, what it may write, the
 * temporary files in flight, and the manifest of each output folder. Every CLI command opens a
 * session (src/cli/common.ts `run`) with its declared inputs and outputs; the writers in
 * src/io/atomic.ts consult it. Rules (docs/reliability.md):
 *
 * - Output guard: an output that is the same file as an input of the run (same device and
 *   inode after following links, which also covers case-insensitive names and hard links), or
 *   an output directory that is an input, is refused before any work, exit 2.
 * - Preflight: each output's nearest existing ancestor must be a directory the user can write
 *   (not a file, not on a read-only file system); checked before any work, exit 2.
 * - Manifest: each output folder gets `landcarbon-run.json`, one entry per (command, output)
 *   with status, version, parameters, inputs (path, size, mtime) and the files written (size,
 *   mtime, SHA-256). Files that the previous entry of the same key recorded and this run did not
 *   write are removed when unchanged since, reported otherwise. A GDAL sidecar (<file>.aux.xml)
 *   of a replaced file is removed.
 * - Signals: SIGINT/SIGTERM remove the temporary files in flight, mark the manifests
 *   "interrupted", say what was not written, exit 130/143.
 * Without a session (library use) the writers only do their atomic temp-and-rename.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { VERSION } from '../version.js';

export const MANIFEST = 'landcarbon-run.json';
/** Outputs above this size are recorded by size and mtime only (hashing would re-read them). */
const HASH_LIMIT = 256 * 1024 * 1024;

/** Declared inputs and outputs of a command; values are option values (undefined = not given). */
export interface IoSpec {
  /** input files, by the option that names them */
  inputs?: Record<string, string | string[] | undefined | null>;
  /** output files, by option */
  outputs?: Record<string, string | string[] | undefined | null>;
  /** output directories, by option, with the file names the command writes there */
  dirs?: Record<string, { dir: string | undefined | null; files: string[] } | undefined>;
}

interface FileRec {
  file: string;
  size: number;
  mtime: string;
  sha256?: string | null;
}

interface Entry {
  key: string;
  command: string;
  status: 'running' | 'complete' | 'failed' | 'interrupted';
  version: string;
  started: string;
  finished?: string;
  parameters: unknown;
  inputs: Array<{ path: string; size: number | null; mtime: string | null }>;
  outputs: FileRec[];
  /** files of earlier runs of this key not yet removed (a failed or interrupted run keeps them) */
  earlier?: FileRec[];
  /** files of earlier runs left in place because they changed since (or are inputs of this run) */
  kept?: string[];
}

interface Group {
  /** option label, e.g. --out */
  label: string;
  /** absolute folder holding the manifest */
  folder: string;
  /** 'dir': every write under folder belongs here; 'files': only `files` */
  kind: 'dir' | 'files';
  files: Set<string>;
  key: string;
  touched: boolean;
  written: Map<string, string>; // relative name -> absolute path
  previous: Entry | null;
}

interface Input {
  label: string;
  path: string;
  id: string | null;
}

function idOf(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

function list(v: string | string[] | undefined | null): string[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v.filter((s) => typeof s === 'string' && s !== '') : [v];
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? String((e as Error)?.message ?? e);
}

/** Why `path` cannot be written, or null. `dir`: path is to be a directory. Reads only. */
export function unwritableReason(path: string, dir = false): string | null {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = null;
  }
  if (st) {
    if (dir && !st.isDirectory()) return `${path} exists and is a file, not a directory`;
    if (!dir && st.isDirectory()) return `${path} is a directory, expected a file name`;
  }
  // nearest existing ancestor: the directory that must accept a new entry
  let a = st && dir ? abs : dirname(abs);
  for (;;) {
    let s;
    try {
      s = statSync(a);
    } catch (e) {
      if (errCode(e) === 'ENOTDIR') return `${a} is inside a file, not a directory`;
      const up = dirname(a);
      if (up === a) return `no existing folder above ${path}`;
      a = up;
      continue;
    }
    if (!s.isDirectory()) return `${a} is a file, not a directory`;
    break;
  }
  try {
    accessSync(a, constants.W_OK | constants.X_OK);
  } catch (e) {
    const c = errCode(e);
    if (c === 'EROFS') return `${a} is on a read-only file system`;
    if (c === 'EACCES' || c === 'EPERM') return `no permission to write in ${a}`;
    return `cannot write in ${a} (${c})`;
  }
  // access() passes for root and on some special file systems: create and remove a probe file
  const probe = join(a, `.landcarbon-probe.${process.pid}.${probes++}.tmp`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (e) {
    const c = errCode(e);
    if (c === 'EROFS') return `${a} is on a read-only file system`;
    return `cannot create a file in ${a} (${c})`;
  }
  return null;
}

let probes = 0;

/** One-line reason for an errno raised while writing `path` (EROFS, EACCES, ENOSPC, ...). */
export function writeFailure(path: string, e: unknown): string | null {
  const c = errCode(e);
  const why: Record<string, string> = {
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a parent is a file, not a directory',
    EEXIST: 'a parent is a file, not a directory',
    EISDIR: 'it is a directory',
    ENAMETOOLONG: 'the name is too long',
  };
  return why[c] ? `cannot write ${path}: ${why[c]} (${c})` : null;
}

function readManifest(folder: string): { runs: Entry[] } {
  const p = join(folder, MANIFEST);
  try {
    const j = JSON.parse(readFileSync(p, 'utf8'));
    if (j && Array.isArray(j.runs)) return { runs: j.runs as Entry[] };
  } catch {
    // absent or not ours: start a new one (a foreign file of that name is replaced only if it is not JSON with runs)
  }
  return { runs: [] };
}

function writeManifestEntry(folder: string, entry: Entry): void {
  const m = readManifest(folder);
  const i = m.runs.findIndex((r) => r.key === entry.key);
  if (i >= 0) m.runs[i] = entry;
  else m.runs.push(entry);
  const p = join(folder, MANIFEST);
  const tmp = join(folder, `.${MANIFEST}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify({ format: 'landcarbon-run/1', runs: m.runs }, null, 2) + '\n');
  renameSync(tmp, p);
}

function fileRec(folder: string, abs: string, hash: boolean): FileRec | null {
  let st;
  try {
    st = statSync(abs);
  } catch {
    return null;
  }
  const rec: FileRec = { file: relative(folder, abs).split(sep).join('/'), size: st.size, mtime: st.mtime.toISOString() };
  if (hash) rec.sha256 = st.size <= HASH_LIMIT ? createHash('sha256').update(readFileSync(abs)).digest('hex') : null;
  return rec;
}

const sessions: Session[] = [];
const liveTemps = new Set<string>();
let handlersOn = false;

export function currentSession(): Session | null {
  return sessions.length ? sessions[sessions.length - 1] : null;
}

/** Temporary files in flight (removed on SIGINT/SIGTERM). */
export function registerTemp(tmp: string): void {
  liveTemps.add(tmp);
}
export function releaseTemp(tmp: string): void {
  liveTemps.delete(tmp);
}

export class Session {
  readonly inputs: Input[] = [];
  readonly groups: Group[] = [];
  private readonly started = new Date().toISOString();

  constructor(
    readonly command: string,
    readonly parameters: unknown,
  ) {}

  /** Adds inputs (option label -> paths); refuses any that is a declared output. */
  addInputs(label: string, paths: string | string[] | undefined | null): void {
    for (const p of list(paths)) {
      const id = idOf(p);
      if (this.inputs.some((i) => i.path === p && i.id === id)) continue;
      const inp = { label, path: p, id };
      this.inputs.push(inp);
      if (id === null) continue;
      for (const g of this.groups) {
        if (idOf(g.folder) === id) throw this.clash(g.label, g.folder, inp);
        for (const f of g.files) if (idOf(join(g.folder, f)) === id) throw this.clash(g.label, join(g.folder, f), inp);
      }
    }
  }

  /** Records a file read by a reader (for the manifest and the write-time guard). */
  noteRead(path: string): void {
    const id = idOf(path);
    if (id === null || this.inputs.some((i) => i.id === id)) return;
    this.inputs.push({ label: 'read', path, id });
  }

  private clash(label: string, out: string, inp: Input): ConfigError {
    const what = inp.label === 'read' ? 'a file this run reads' : `the input ${inp.label} ${inp.path}`;
    return new ConfigError(`${label} ${out}: is the same file as ${what}; inputs are never overwritten, choose another output`);
  }

  private checkOutput(label: string, path: string): void {
    const id = idOf(path);
    if (id !== null) {
      const inp = this.inputs.find((i) => i.id === id);
      if (inp) throw this.clash(label, path, inp);
    }
  }

  /** Output files of option `label` (several calls with one label join one manifest entry). */
  addOutputs(label: string, paths: string | string[] | undefined | null): void {
    for (const p of list(paths)) {
      this.checkOutput(label, p);
      const why = unwritableReason(p);
      if (why) throw new ConfigError(`${label} ${p}: cannot write: ${why}`);
      const abs = resolve(p);
      const folder = dirname(abs);
      let g = this.groups.find((x) => x.kind === 'files' && x.label === label && x.folder === folder);
      if (!g) {
        g = this.newGroup(label, folder, 'files', `${this.command} ${label} ${basename(abs)}`);
      }
      g.files.add(basename(abs));
    }
  }

  /** An output directory and the names the command writes there. */
  addDir(label: string, dir: string | undefined | null, files: string[]): void {
    if (!dir) return;
    const why = unwritableReason(dir, true);
    if (why) throw new ConfigError(`${label} ${dir}: cannot write: ${why}`);
    const abs = resolve(dir);
    const id = idOf(abs);
    const inp = id === null ? undefined : this.inputs.find((i) => i.id === id);
    if (inp) throw this.clash(label, dir, inp);
    for (const f of files) this.checkOutput(label, join(dir, f));
    const g = this.newGroup(label, abs, 'dir', `${this.command} ${label}`);
    for (const f of files) g.files.add(f);
  }

  private newGroup(label: string, folder: string, kind: 'dir' | 'files', key: string): Group {
    const previous = readManifest(folder).runs.find((r) => r.key === key) ?? null;
    const g: Group = { label, folder, kind, files: new Set(), key, touched: false, written: new Map(), previous };
    this.groups.push(g);
    return g;
  }

  private groupOf(abs: string): Group {
    const folder = dirname(abs);
    const name = basename(abs);
    const g =
      this.groups.find((x) => x.kind === 'files' && x.folder === folder && x.files.has(name)) ??
      this.groups.find((x) => x.kind === 'dir' && (abs.startsWith(x.folder + sep) || x.folder === folder));
    if (g) return g;
    // an output the command did not declare: still guarded and recorded, in its own entry
    return this.newGroup('(undeclared)', folder, 'files', `${this.command} (undeclared) ${name}`);
  }

  /** Called by the writers before anything is created for `path`: the input guard. */
  checkWrite(path: string): void {
    const abs = resolve(path);
    const id = idOf(abs);
    if (id !== null) {
      const inp = this.inputs.find((i) => i.id === id);
      if (inp) throw this.clash('output', path, inp);
    }
  }

  /** Called by the writers once the folder of `path` exists: the manifest says "running". */
  startWrite(path: string): void {
    const g = this.groupOf(resolve(path));
    if (!g.touched) {
      g.touched = true;
      writeManifestEntry(g.folder, this.entry(g, 'running'));
    }
  }

  /** Called by the writers after `path` was renamed into place. */
  afterWrite(path: string): void {
    const abs = resolve(path);
    const g = this.groupOf(abs);
    g.written.set(relative(g.folder, abs).split(sep).join('/'), abs);
  }

  /** Earlier files of this key: previous outputs plus what an unfinished run kept. */
  private earlierOf(g: Group): FileRec[] {
    const p = g.previous;
    if (!p) return [];
    const all = [...(p.outputs ?? []), ...(p.earlier ?? [])];
    const seen = new Set<string>();
    return all.filter((r) => r && typeof r.file === 'string' && !seen.has(r.file) && (seen.add(r.file), true));
  }

  private entry(g: Group, status: Entry['status'], outputs: FileRec[] = [], extra: Partial<Entry> = {}): Entry {
    const inputs = this.inputs.map((i) => {
      try {
        const s = statSync(i.path);
        return { path: resolve(i.path), size: s.size, mtime: s.mtime.toISOString() };
      } catch {
        return { path: resolve(i.path), size: null, mtime: null };
      }
    });
    const e: Entry = { key: g.key, command: this.command, status, version: VERSION, started: this.started, parameters: this.parameters, inputs, outputs };
    if (status !== 'running') e.finished = new Date().toISOString();
    const earlier = this.earlierOf(g).filter((r) => !g.written.has(r.file));
    if (status !== 'complete' && earlier.length) e.earlier = earlier;
    return { ...e, ...extra };
  }

  /**
   * A file of the previous run of this key that is about to become wrong (e.g. a completion
   * marker written last): removed now if it is unchanged since that run.
   */
  retireEarlier(path: string): void {
    const abs = resolve(path);
    const g = this.groupOf(abs);
    const rel = relative(g.folder, abs).split(sep).join('/');
    const rec = this.earlierOf(g).find((r) => r.file === rel);
    if (rec && this.unchanged(abs, rec) && !this.isInput(abs)) rmSync(abs, { force: true });
  }

  private isInput(abs: string): boolean {
    const id = idOf(abs);
    return id !== null && this.inputs.some((i) => i.id === id);
  }

  private unchanged(abs: string, rec: FileRec): boolean {
    try {
      const s = statSync(abs);
      return s.isFile() && s.size === rec.size && s.mtime.toISOString() === rec.mtime;
    } catch {
      return false;
    }
  }

  /** Success: manifests written, stale files of earlier runs removed (or reported). */
  finish(note: (line: string) => void): void {
    for (const g of this.groups) {
      const earlier = this.earlierOf(g).filter((r) => !g.written.has(r.file));
      if (!g.touched && earlier.length === 0) continue;
      const kept: string[] = [];
      const removed: string[] = [];
      for (const r of earlier) {
        const abs = join(g.folder, ...r.file.split('/'));
        if (!existsSync(abs)) continue;
        if (this.unchanged(abs, r) && !this.isInput(abs)) {
          rmSync(abs, { force: true });
          rmSync(abs + '.aux.xml', { force: true });
          removed.push(r.file);
        } else kept.push(r.file);
      }
      const outputs = [...g.written.values()].map((abs) => fileRec(g.folder, abs, true)).filter((r): r is FileRec => r !== null);
      writeManifestEntry(g.folder, this.entry(g, 'complete', outputs, kept.length ? { kept } : {}));
      const where = g.folder;
      if (removed.length) note(`removed ${removed.length} file(s) of an earlier run that this run did not write, in ${where}: ${removed.join(', ')}`);
      if (kept.length) note(`kept ${kept.length} file(s) of an earlier run that changed since (or are inputs), in ${where}: ${kept.join(', ')}`);
    }
  }

  /** Failure or interruption: manifests of touched folders say so (synchronous). */
  abandon(status: 'failed' | 'interrupted'): void {
    for (const g of this.groups) {
      if (!g.touched) continue;
      const outputs = [...g.written.values()].map((abs) => fileRec(g.folder, abs, false)).filter((r): r is FileRec => r !== null);
      try {
        writeManifestEntry(g.folder, this.entry(g, status, outputs));
      } catch {
        // the folder may be gone or read-only by now: nothing more to record
      }
    }
  }

  /** Declared outputs not written yet (for the interruption message). */
  unwritten(): string[] {
    const out: string[] = [];
    for (const g of this.groups) {
      for (const f of g.files) if (!g.written.has(f)) out.push(join(g.folder, f));
    }
    return out;
  }
}

function onSignal(sig: NodeJS.Signals): void {
  const removed: string[] = [];
  for (const t of liveTemps) {
    try {
      rmSync(t, { force: true });
      removed.push(t);
    } catch {
      // best effort: the process is exiting
    }
  }
  liveTemps.clear();
  const s = sessions[0];
  const unfinished = sessions.flatMap((x) => x.unwritten());
  for (let i = sessions.length - 1; i >= 0; i--) sessions[i].abandon('interrupted');
  const name = s ? s.command : 'landcarbon';
  const what = unfinished.length ? `not written: ${unfinished.slice(0, 4).join(', ')}${unfinished.length > 4 ? ` and ${unfinished.length - 4} more` : ''}` : 'no output was pending';
  process.stderr.write(`landcarbon ${name}: interrupted by ${sig}: removed ${removed.length} unfinished temporary file(s); ${what}; the run is marked "interrupted" in ${MANIFEST}\n`);
  process.exit(sig === 'SIGINT' ? 130 : 143);
}

function setHandlers(on: boolean): void {
  if (on === handlersOn) return;
  handlersOn = on;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    if (on) process.on(sig, onSignal);
    else process.off(sig, onSignal);
  }
}

/**
 * Opens a session: inputs are recorded first, then every output is guarded and preflighted.
 * Throws ConfigError (exit 2) before any work when an output is an input or cannot be written.
 */
export function openSession(command: string, spec: IoSpec, parameters: unknown): Session {
  const s = new Session(command, parameters);
  for (const [label, v] of Object.entries(spec.inputs ?? {})) s.addInputs(label, v);
  for (const [label, v] of Object.entries(spec.outputs ?? {})) s.addOutputs(label, v);
  for (const [label, d] of Object.entries(spec.dirs ?? {})) if (d) s.addDir(label, d.dir, d.files);
  sessions.push(s);
  setHandlers(true);
  return s;
}

export function closeSession(s: Session): void {
  const i = sessions.lastIndexOf(s);
  if (i >= 0) sessions.splice(i, 1);
  if (sessions.length === 0) setHandlers(false);
}

/** Declares more inputs of the current run (files named inside a scenario, say). */
export function declareInputs(label: string, paths: string | string[] | undefined | null): void {
  currentSession()?.addInputs(label, paths);
}

/** Declares more outputs of the current run (names known only after reading the inputs). */
export function declareOutputs(label: string, paths: string | string[] | undefined | null): void {
  currentSession()?.addOutputs(label, paths);
}

/** Readers call this for every file they open. */
export function noteRead(path: string): void {
  currentSession()?.noteRead(path);
}


/** See Session.retireEarlier: a completion marker of the previous run, removed before rewriting. */
export function retireEarlier(path: string): void {
  currentSession()?.retireEarlier(path);
}
