/**
 * geotiff.js's LZW decoder prints `ran off the end of the buffer before finding EOI_CODE` with
 * console.warn for every damaged block and returns what it decoded so far. The engine wants one
 * error line instead: this wrapper runs the same decoder with console.warn captured (decodeBlock
 * is synchronous, so nothing else runs meanwhile) and turns a warning into an error, which the
 * reader reports as one InputError naming the file and the block.
 */
import { addDecoder, getDecoder, BaseDecoder } from 'geotiff';

let registration: Promise<void> | null = null;

/** Registers the quiet LZW decoder for TIFF compression 5, once. */
export function registerQuietLzw(): Promise<void> {
  registration ??= (async () => {
    // geotiff.js does not export its LZW class; its registry hands out an instance.
    const params = { tileWidth: 1, tileHeight: 1, planarConfiguration: 1, bitsPerSample: [8], predictor: 1 };
    const Lzw = (await getDecoder(5, params as never)).constructor as unknown as new (p: unknown) => BaseDecoder;
    const decodeBlock = Lzw.prototype.decodeBlock as (this: BaseDecoder, b: ArrayBufferLike) => ArrayBufferLike;
    class QuietLzw extends (Lzw as unknown as typeof BaseDecoder) {
      decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
        const warn = console.warn;
        let warning: string | null = null;
        console.warn = (...a: unknown[]) => {
          warning ??= a.map(String).join(' ');
        };
        let out: ArrayBufferLike;
        try {
          out = decodeBlock.call(this, buffer);
        } finally {
          console.warn = warn;
        }
        if (warning !== null) throw new Error(`LZW data ends early (${warning}): the block is truncated or damaged`);
        return out;
      }
    }
    addDecoder(5, async () => QuietLzw as unknown as typeof BaseDecoder, undefined, false);
  })();
  return registration;
}
