/**
 * Checks that a TIFF's blocks (strips or tiles) lie inside the file, and that the file's
 * compression can be decoded here, so a damaged file is an error naming the file and the block
 * rather than cells read as zeros (geotiff.js's file source pads a short read with zeros, and
 * GDAL reports `TIFFReadEncodedStrip() failed` for the same file).
 *
 * Rules (TIFF 6.0, section 15 "Tiled images" and the StripOffsets/StripByteCounts fields):
 *   - a block with a byte count > 0 must end at or before the end of the file;
 *   - an uncompressed block holds exactly width x rows x bytes per pixel (the last strip may
 *     have fewer rows), so a shorter byte count is a truncated block;
 *   - a block with byte count 0 is a sparse block (GDAL SPARSE_OK): read as NoData, as
 *     geotiff.js and GDAL do.
 * Checked for every block when a file is opened (cached per path, size and mtime), and again for
 * each block before it is read.
 */
import { getDecoder, type GeoTIFFImage } from 'geotiff';
import { InputError } from '../../errors.js';

export interface BlockLayout {
  path: string;
  fileSize: number;
  compressionCode: number;
  compression: string;
}

/** "block 3 (rows 12-15)" / "tile (2, 1) (rows 256-511, columns 512-767)", plus the band when planar. */
export function describeBlock(image: GeoTIFFImage, tx: number, ty: number, sample: number | null): string {
  const tw = image.getTileWidth(), th = image.getTileHeight();
  const r0 = ty * th, r1 = Math.min(image.getHeight(), r0 + th) - 1;
  const band = sample !== null && image.planarConfiguration === 2 && image.getSamplesPerPixel() > 1 ? `, band ${sample + 1}` : '';
  if (!image.isTiled) return `strip ${ty} (rows ${r0}-${r1}${band})`;
  const c0 = tx * tw, c1 = Math.min(image.getWidth(), c0 + tw) - 1;
  return `tile (${tx}, ${ty}) (rows ${r0}-${r1}, columns ${c0}-${c1}${band})`;
}

function blockGrid(image: GeoTIFFImage): { perRow: number; perCol: number; planes: number } {
  const perRow = Math.ceil(image.getWidth() / image.getTileWidth());
  const perCol = Math.ceil(image.getHeight() / image.getTileHeight());
  const planes = image.planarConfiguration === 2 ? image.getSamplesPerPixel() : 1;
  return { perRow, perCol, planes };
}

/** Bytes an uncompressed block at row `ty` holds (band `sample` when planar). */
function rawBlockBytes(image: GeoTIFFImage, ty: number, sample: number): number {
  const bpp = image.planarConfiguration === 2 ? image.getSampleByteSize(sample) : image.getBytesPerPixel();
  return image.getTileWidth() * image.getBlockHeight(ty) * bpp;
}

/** One block's extent (offset, byte count) against the file; sparse blocks (count 0) pass. */
export function checkOne(l: BlockLayout, image: GeoTIFFImage, index: number, offset: number, count: number): void {
  if (count === 0) return;
  const { perRow, perCol } = blockGrid(image);
  const sample = Math.floor(index / (perRow * perCol));
  const within = index % (perRow * perCol);
  const tx = within % perRow, ty = Math.floor(within / perRow);
  const what = describeBlock(image, tx, ty, sample);
  if (offset + count > l.fileSize) {
    const where = offset >= l.fileSize
      ? `starts at byte ${offset}, past the end of the file (${l.fileSize} bytes)`
      : `needs bytes ${offset}-${offset + count - 1} but the file ends at byte ${l.fileSize - 1}`;
    throw new InputError(`${l.path}: truncated file: ${what} ${where}; re-copy or re-export the file`);
  }
  if (l.compressionCode === 1) {
    const need = rawBlockBytes(image, ty, sample);
    if (count < need) {
      throw new InputError(`${l.path}: damaged file: uncompressed ${what} has ${count} bytes, its ${image.getTileWidth()} x ${image.getBlockHeight(ty)} cells need ${need}`);
    }
  }
}

const checked = new Map<string, true>();

/** Every block of the first image inside the file (once per path, size and mtime). */
export async function checkAllBlocks(l: BlockLayout, image: GeoTIFFImage, mtimeMs: number): Promise<void> {
  const key = `${l.path}\0${l.fileSize}\0${mtimeMs}`;
  if (checked.has(key)) return;
  const fd = image.getFileDirectory();
  const offsets = (await fd.loadValue(image.isTiled ? 'TileOffsets' : 'StripOffsets')) as ArrayLike<number | bigint> | undefined;
  const counts = (await fd.loadValue(image.isTiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number | bigint> | undefined;
  if (!offsets || !counts) throw new InputError(`${l.path}: damaged file: no ${image.isTiled ? 'TileOffsets/TileByteCounts' : 'StripOffsets/StripByteCounts'}`);
  const { perRow, perCol, planes } = blockGrid(image);
  const n = perRow * perCol * planes;
  if (offsets.length < n || counts.length < n) {
    throw new InputError(`${l.path}: damaged file: ${Math.min(offsets.length, counts.length)} block offsets/byte counts for ${n} blocks`);
  }
  for (let i = 0; i < n; i++) checkOne(l, image, i, Number(offsets[i]), Number(counts[i]));
  if (checked.size > 1000) checked.clear();
  checked.set(key, true);
}

/** One block, just before it is read (the file may have changed since it was opened). */
export async function checkBlock(l: BlockLayout, image: GeoTIFFImage, tx: number, ty: number, sample: number): Promise<void> {
  const { perRow, perCol } = blockGrid(image);
  const index = (image.planarConfiguration === 2 ? sample * perRow * perCol : 0) + ty * perRow + tx;
  const fd = image.getFileDirectory();
  const offset = Number(await fd.loadValueIndexed(image.isTiled ? 'TileOffsets' : 'StripOffsets', index));
  const count = Number(await fd.loadValueIndexed(image.isTiled ? 'TileByteCounts' : 'StripByteCounts', index));
  checkOne(l, image, index, offset, count);
}

// --- compression ----------------------------------------------------------------------------

/** Codes geotiff.js registers but cannot decode under Node (WebP needs a browser canvas). */
const NOT_IN_NODE = new Set([50001]);
const support = new Map<number, string | null>();

/**
 * null when blocks of this compression can be decoded (geotiff.js has a decoder for it, or one
 * was registered), else why not.
 */
export async function unsupportedCompression(code: number): Promise<string | null> {
  if (support.has(code)) return support.get(code)!;
  let why: string | null = null;
  if (NOT_IN_NODE.has(code)) why = 'needs a browser to decode';
  else {
    try {
      await getDecoder(code, { tileWidth: 1, tileHeight: 1, planarConfiguration: 1, bitsPerSample: [8], predictor: 1 } as never);
    } catch (e) {
      why = /unknown compression/i.test(String((e as Error).message)) ? 'no decoder for it' : (e as Error).message.split('\n')[0];
    }
  }
  support.set(code, why);
  return why;
}

/** The one-line error for an undecodable file, with the fix. */
export function unsupportedMessage(path: string, compression: string, code: number, why: string): string {
  return `${path}: compression ${compression} (TIFF code ${code}) is not supported (${why}); ` +
    `re-save the file with: gdal_translate -co COMPRESS=DEFLATE ${path} out.tif`;
}
