/**
 * Duplicate edges in an edge list, and the rule that merges them (`landcarbon centrality
 * --merge sum|max|first`). Two rows are the same edge when they join the same ordered pair
 * (directed) or the same unordered pair (undirected: 5 -> 8 and 8 -> 5), which is how networkx
 * builds a Graph/DiGraph from an edge list (it keeps one edge per pair; the last row's
 * attributes win there, `first` keeps the first row's here, so the result does not depend on
 * how the rows were sorted beyond their order).
 *   sum   weight = sum of the rows' weights (e.g. flows in both directions)
 *   max   weight = the largest of the rows' weights
 *   first the first row's weight
 * Without weights (hop counts) every rule keeps one edge. Kept edges are in the order of their
 * first row; an edge's direction is its first row's.
 */
export type MergeRule = 'sum' | 'max' | 'first';
export const MERGE_RULES: MergeRule[] = ['sum', 'max', 'first'];

export interface MergedEdges {
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array | null;
  /** Rows folded into an earlier row. */
  merged: number;
}

function key(a: number, b: number, undirected: boolean): string {
  return undirected && b < a ? `${b},${a}` : `${a},${b}`;
}

/** The first duplicate: [row of the earlier edge, row of its duplicate], 0-based, or null. */
export function firstDuplicate(from: ArrayLike<number>, to: ArrayLike<number>, undirected: boolean): [number, number] | null {
  const seen = new Map<string, number>();
  for (let e = 0; e < from.length; e++) {
    const k = key(from[e], to[e], undirected);
    const prev = seen.get(k);
    if (prev !== undefined) return [prev, e];
    seen.set(k, e);
  }
  return null;
}

export function mergeDuplicateEdges(
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  weight: ArrayLike<number> | null,
  undirected: boolean,
  rule: MergeRule,
): MergedEdges {
  const slot = new Map<string, number>();
  const f: number[] = [], t: number[] = [], w: number[] = [];
  for (let e = 0; e < from.length; e++) {
    const k = key(from[e], to[e], undirected);
    const s = slot.get(k);
    if (s === undefined) {
      slot.set(k, f.length);
      f.push(from[e]);
      t.push(to[e]);
      if (weight) w.push(weight[e]);
      continue;
    }
    if (!weight) continue;
    if (rule === 'sum') w[s] += weight[e];
    else if (rule === 'max') w[s] = Math.max(w[s], weight[e]);
  }
  return {
    from: Int32Array.from(f),
    to: Int32Array.from(t),
    weight: weight ? Float64Array.from(w) : null,
    merged: from.length - f.length,
  };
}
