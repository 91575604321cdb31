/**
 * Metadata GIS software shows with a raster:
 * - band descriptions and units in the GDAL_METADATA TIFF tag (42112): an XML list of
 *   <Item name="DESCRIPTION" sample="b" role="description"> and role="unittype" items, which
 *   GDAL reads as GetDescription() / GetUnitType() (GDAL GTiff driver documentation);
 * - class names as CLASS_<code> items of that tag, and a colour table as the TIFF ColorMap tag
 *   (320; TIFF 6.0 §5: 3 x 2^BitsPerSample 16-bit values, all reds, then greens, then blues,
 *   with PhotometricInterpretation 3, palette) for single-band UInt8/UInt16 class maps;
 * - category names in a PAM sidecar <file>.aux.xml (<CategoryNames>), GDAL's place for them,
 *   which GDAL and QGIS read with the file.
 */
import type { DType } from '../grid.js';

export type Rgb = readonly [number, number, number, ...number[]];

export interface RasterMetadata {
  /** Per band (in order): what it holds, and its unit. */
  bands?: Array<{ description?: string; unit?: string }>;
  /** Class codes of a class map with names and colours. */
  classes?: Array<{ code: number; name: string; color?: Rgb }>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The GDAL_METADATA tag text, or null when there is nothing to say. */
export function gdalMetadataXml(m: RasterMetadata | undefined): string | null {
  if (!m) return null;
  const items: string[] = [];
  (m.bands ?? []).forEach((b, i) => {
    if (b.description) items.push(`<Item name="DESCRIPTION" sample="${i}" role="description">${xml(b.description)}</Item>`);
    if (b.unit) items.push(`<Item name="UNITTYPE" sample="${i}" role="unittype">${xml(b.unit)}</Item>`);
  });
  for (const c of m.classes ?? []) items.push(`<Item name="CLASS_${c.code}">${xml(c.name)}</Item>`);
  return items.length ? `<GDALMetadata>\n${items.map((i) => `  ${i}\n`).join('')}</GDALMetadata>` : null;
}

/** ColorMap tag values (16-bit, reds then greens then blues) for a single-band class map, or null. */
export function colorMapValues(m: RasterMetadata | undefined, dtype: DType, bands: number): number[] | null {
  if (!m?.classes?.some((c) => c.color) || bands !== 1 || (dtype !== 'uint8' && dtype !== 'uint16')) return null;
  const n = dtype === 'uint8' ? 256 : 65536;
  const v = new Array<number>(3 * n).fill(0);
  for (const c of m.classes) {
    if (!c.color || !Number.isInteger(c.code) || c.code < 0 || c.code >= n) continue;
    for (let k = 0; k < 3; k++) v[k * n + c.code] = c.color[k] * 257; // 8-bit -> 16-bit (255 -> 65535)
  }
  return v;
}

/** PAM sidecar text with category names (index = code), or null. */
export function auxXml(m: RasterMetadata | undefined): string | null {
  if (!m?.classes?.length) return null;
  const max = Math.max(...m.classes.map((c) => c.code));
  if (!(max >= 0 && max < 65536)) return null;
  const names = new Array<string>(max + 1).fill('');
  for (const c of m.classes) if (Number.isInteger(c.code) && c.code >= 0) names[c.code] = c.name;
  const cats = `<CategoryNames>${names.map((n) => `<Category>${xml(n)}</Category>`).join('')}</CategoryNames>`;
  return `<PAMDataset>\n  <PAMRasterBand band="1">\n    ${cats}\n  </PAMRasterBand>\n</PAMDataset>\n`;
}
