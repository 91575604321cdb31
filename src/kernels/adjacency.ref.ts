/**
 * TS reference of assembly/adjacency.ts: which zones of a zone raster touch (rook/queen).
 * The implementation lives with the weights (src/models/stats/weights.ts, zoneAdjacency); this
 * file names it in the kernel/reference layout used by tests and benchmarks.
 */
export { zoneAdjacency as zoneAdjacencyRef } from '../models/stats/weights.js';
