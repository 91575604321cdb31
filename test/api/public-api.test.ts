/**
 * Issue 11 item 20: every type a public function takes can be built from the public API.
 * 1. Static check (TypeScript compiler API on the built dist/src/index.d.ts): for each exported function, class
 *    constructor and public method, every parameter type declared in this project must be
 *    exported itself (so a caller can name it and write it) or be returned by an exported
 *    function (so a caller can make it). ZoneAdjacency, taken by contiguityFromZones, was
 *    neither: zoneAdjacencyKernel was not exported.
 * 2. Dynamic check: a separate Node process that imports only 'landcarbon' (the package name,
 *    through its exports map, as a user's code does) builds a ZoneAdjacency from a zone raster
 *    and gets contiguity weights from it.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '../..');

/** Read from the built declarations (dist/src/index.d.ts): far faster than type-checking src/. */
function unbuildable(): string[] {
  const index = join(ROOT, 'dist/src/index.d.ts');
  const program = ts.createProgram([index], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [], strict: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const mod = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const exports = checker.getExportsOfModule(mod).map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
  const exportedTypes = new Set(exports);
  const ours = (s: ts.Symbol | undefined) => !!s?.declarations?.some((d) => { const f = d.getSourceFile().fileName; return f.startsWith(ROOT) && !f.includes('node_modules'); });
  const produced = new Set<ts.Symbol>();
  const needed = new Map<ts.Symbol, string>();
  const named = (t: ts.Type): ts.Symbol[] => {
    if (t.isUnionOrIntersection()) return t.types.flatMap(named);
    const s = t.aliasSymbol ?? t.getSymbol();
    const args = (t as ts.TypeReference).typeArguments ?? t.aliasTypeArguments ?? [];
    const inner = args.flatMap(named);
    if (!s || !ours(s) || s.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method | ts.SymbolFlags.TypeLiteral | ts.SymbolFlags.ObjectLiteral)) return inner;
    return [s, ...inner];
  };
  const signaturesOf = (s: ts.Symbol): Array<[string, ts.Signature]> => {
    const decl = s.valueDeclaration ?? s.declarations?.[0];
    if (!decl) return [];
    const t = checker.getTypeOfSymbolAtLocation(s, decl);
    const out: Array<[string, ts.Signature]> = t.getCallSignatures().map((g) => [s.name, g]);
    for (const g of t.getConstructSignatures()) {
      out.push([`new ${s.name}`, g]);
      for (const p of g.getReturnType().getProperties()) {
        const pd = p.valueDeclaration;
        if (!pd || p.name.startsWith('_') || (ts.getCombinedModifierFlags(pd as ts.Declaration) & ts.ModifierFlags.Private)) continue;
        for (const m of checker.getTypeOfSymbolAtLocation(p, pd).getCallSignatures()) out.push([`${s.name}.${p.name}`, m]);
      }
    }
    return out;
  };
  for (const s of exports) {
    for (const [where, sig] of signaturesOf(s)) {
      let r = sig.getReturnType();
      const sym = r.getSymbol();
      if (sym?.name === 'Promise') r = (r as ts.TypeReference).typeArguments?.[0] ?? r;
      for (const x of named(r)) produced.add(x);
      if (s.flags & ts.SymbolFlags.Class) produced.add(s);
      for (const p of sig.getParameters()) {
        const pt = checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration!);
        for (const x of named(pt)) if (!needed.has(x)) needed.set(x, `${where}(${p.name})`);
      }
    }
  }
  return [...needed].filter(([s]) => !exportedTypes.has(s) && !produced.has(s)).map(([s, where]) => `${s.name} (taken by ${where})`);
}

const built = existsSync(join(ROOT, 'dist/src/index.d.ts'));

describe('public API: every type it takes can be built from it', () => {
  it.runIf(built)('static: each parameter type of an exported function is exported or returned by an exported function', () => {
    const missing = unbuildable();
    expect(missing, missing.join("; ")).toEqual([]);
  }, 60_000);

  it.runIf(built)("a program importing only 'landcarbon' builds a ZoneAdjacency and calls contiguityFromZones", () => {
    const code = `
      import { Engine, zoneAdjacencyKernel, contiguityFromZones } from 'landcarbon';
      const engine = new Engine({ threads: 1 });
      try {
        // zones [1 1 2 / 3 4 2 / 3 3 5]: rook pairs 1-2 1-3 1-4 2-4 2-5 3-4 3-5
        const adj = await zoneAdjacencyKernel(engine, new Uint8Array([1, 1, 2, 3, 4, 2, 3, 3, 5]), 3, 3, null, 'rook');
        const w = contiguityFromZones(['1', '2', '3', '4', '5'], adj, 'rook', 'zones.tif', 'units.csv');
        console.log(JSON.stringify(w.neighbors.map((n) => Array.from(n))));
      } finally {
        await engine.close();
      }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // 1: 2,3,4; 2: 1,4,5; 3: 1,4,5; 4: 1,2,3; 5: 2,3
    expect(JSON.parse(r.stdout)).toEqual([[1, 2, 3], [0, 3, 4], [0, 3, 4], [0, 1, 2], [1, 2]]);
  });
  if (!built) console.log('skipped the public-API tests: dist/ is not built (npm run build; npm test does it)');
});
