/**
 * I/O pool worker: decodes or encodes GeoTIFF blocks (src/io/tiff/codec.ts) and hands the
 * result buffer back without a copy (transferred).
 */
import { Piscina } from 'piscina';
import { decodeBlocks, decodeInto, encodeTiles, type DecodeIntoJob, type DecodeJob, type EncodeJob } from './codec.js';

export type CodecTask = { op: 'decode'; job: DecodeJob } | { op: 'encode'; job: EncodeJob } | { op: 'decodeInto'; job: DecodeIntoJob };

export default async function run(task: CodecTask): Promise<unknown> {
  // decoded rows land in the caller's SharedArrayBuffer: only the status comes back
  if (task.op === 'decodeInto') return decodeInto(task.job);
  const r = task.op === 'decode' ? await decodeBlocks(task.job) : encodeTiles(task.job);
  // piscina's transferable protocol: the result's buffer moves to the caller, the object is the value
  return Piscina.move({
    get [Piscina.transferableSymbol]() { return [r.data]; },
    get [Piscina.valueSymbol]() { return r; },
  } as never);
}
