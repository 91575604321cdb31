// CSV reading and writing (issue 11 item 9): invalid UTF-8 is named, GBK/GB18030 decodes with
// --encoding, semicolon/tab delimiters are detected, --excel writes a UTF-8 BOM.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli/helpers.js';
import { writeGeoTIFF } from '../../src/io/geotiff.js';
import { columnIndex, parseCsv, readCsv } from '../../src/io/table.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-csv-'));
const p = (f: string) => join(dir, f);
// 耕地 (cropland) and 林地 (forest) in GBK, as Chinese Excel saves "CSV (comma delimited)"
const GBK = Buffer.from([
  ...Buffer.from('code,name,coefficient\n1,'), 0xb8, 0xfb, 0xb5, 0xd8, ...Buffer.from(',0.42\n2,'), 0xc1, 0xd6, 0xb5, 0xd8, ...Buffer.from(',-0.62\n'),
]);

beforeAll(async () => {
  writeFileSync(p('gbk.csv'), GBK);
  writeFileSync(p('semi.csv'), 'code;name;coefficient\n1;cropland;0.42\n2;forest;-0.62\n');
  writeFileSync(p('comma-dec.csv'), 'code;name;coefficient\n1;cropland;0,42\n2;forest;-0,62\n');
  await writeGeoTIFF(p('lu.tif'), { grid: { width: 2, height: 2, transform: [0, 100, 0, 200, 0, -100], crs: { epsg: 32650 }, nodata: 255 }, dtype: 'uint8', data: Uint8Array.from([1, 2, 2, 255]) });
});

describe('CSV input', () => {
  it('GBK read as UTF-8: exit 2 naming the line and bytes and the fix (was U+FFFD names, exit 0)', async () => {
    const r = await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('gbk.csv'), '--out', p('o1'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`landcarbon carbon emissions: ${p('gbk.csv')}: not valid UTF-8 (line 2: bytes 0xB8 0xFB); a file saved by Chinese Excel is GBK: pass --encoding gb18030, or save it as "CSV UTF-8"\n`);
  });

  it('--encoding gb18030 decodes the names', async () => {
    const r = await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('gbk.csv'), '--out', p('o2'), '--encoding', 'gb18030');
    expect(r.code, r.err).toBe(0);
    const t = readFileSync(p('o2/by_class.csv'), 'utf8');
    expect(t.split('\n')[1]).toMatch(/^1,耕地,/);
    expect(t.split('\n')[2]).toMatch(/^2,林地,/);
    expect(readCsv(p('gbk.csv'), { encoding: 'gbk' }).rows[1][1]).toBe('林地');
    const bad = await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('gbk.csv'), '--out', p('o3'), '--encoding', 'klingon');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--encoding: unknown encoding "klingon"');
  });

  it('a semicolon-separated table is read (was: missing column "code" (columns: code;name;coefficient))', async () => {
    const r = await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('semi.csv'), '--out', p('o4'));
    expect(r.code, r.err).toBe(0);
    // 1 ha cells: 1 x 0.42 + 2 x -0.62
    expect(readFileSync(p('o4/by_class.csv'), 'utf8')).toBe('code,name,area_ha,emission,cells,unit\n1,cropland,1,0.42,1,table units/yr\n2,forest,2,-1.24,2,table units/yr\n');
    expect(parseCsv('a\tb\n1\t2\n', 't.tsv').columns).toEqual(['a', 'b']);
  });

  it('decimal commas are named; a header that is one field says which separator it looks like', async () => {
    const r = await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('comma-dec.csv'), '--out', p('o5'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('row 1 (code 1), column "coefficient": expected a number, got "0,42" (a decimal comma? numbers need a decimal point)');
    const t = parseCsv('code;name;coefficient\n1;a;2\n', 'x.csv', { delimiter: ',' });
    expect(() => columnIndex(t, 'code')).toThrow('x.csv: missing column "code" (columns: code;name;coefficient); the header is one field: the file looks semicolon-separated');
  });
});

describe('CSV output', () => {
  it('UTF-8 without BOM by default; --excel prepends the BOM (and our reader takes it)', async () => {
    await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('semi.csv'), '--out', p('o6'));
    expect(readFileSync(p('o6/by_class.csv'))[0]).toBe(0x63); // "c"
    const r = await cli('carbon', 'emissions', '--landuse', p('lu.tif'), '--coefficients', p('semi.csv'), '--out', p('o7'), '--excel');
    expect(r.code, r.err).toBe(0);
    expect([...readFileSync(p('o7/by_class.csv')).subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, 0x63]);
    expect(readCsv(p('o7/by_class.csv')).columns[0]).toBe('code');
  });
});
