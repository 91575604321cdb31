#!/usr/bin/env python3
"""Times python-igraph (Debian python3-igraph) on the same graph as bench/paths.ts, for comparison:
betweenness (weighted, directed) + in/out closeness. Optional; not part of CI.

    node -e "import('./dist/bench/paths.js').then(m => m.writeGraphCsv(1000, 50000, '/tmp/g.csv'))"
    /usr/bin/python3 bench/igraph_paths.py /tmp/g.csv
"""
import sys, time, csv, json
import igraph as ig

rows = list(csv.reader(open(sys.argv[1])))[1:]
n = 1 + max(max(int(r[0]), int(r[1])) for r in rows)
g = ig.Graph(n=n, edges=[(int(r[0]), int(r[1])) for r in rows], directed=True)
w = [float(r[2]) for r in rows]
best = 1e30
bestcpu = 1e30
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 3):
    t0 = time.perf_counter()
    c0 = time.process_time()
    g.betweenness(directed=True, weights=w)
    g.closeness(mode='in', weights=w)
    g.closeness(mode='out', weights=w)
    best = min(best, time.perf_counter() - t0)
    bestcpu = min(bestcpu, time.process_time() - c0)
print(json.dumps({'impl': 'igraph', 'version': ig.__version__, 'nodes': n, 'edges': len(rows), 'seconds': round(best, 4), 'cpu_seconds': round(bestcpu, 4)}))
