#!/usr/bin/env python3
"""Golden centrality values from networkx for test/kernels/paths.test.ts.

Regenerate (Debian: apt-get install python3-networkx; this file was made with networkx 3.x):
    python3 test/golden/networkx_centrality.py > test/golden/networkx_centrality.json

Random directed graphs (seeded), unweighted and weighted (float weights, and small integer
weights that create many exactly tied path lengths), dense and sparse (disconnected), plus an
undirected set. For each graph: n, the edge list (from, to[, weight]) and
  betweenness  = nx.betweenness_centrality(G, normalized=True, weight=w)
  in_closeness = nx.closeness_centrality(G, distance=w, wf_improved=True)   (incoming distance)
  out_closeness= nx.closeness_centrality(G.reverse(), distance=w, wf_improved=True)
  in_degree / out_degree = nx.in_degree_centrality / nx.out_degree_centrality
Values are written with repr() (17 significant digits, exact round trip).
"""
import json
import random
import networkx as nx

def graph_case(name, n, edges, weighted, directed=True):
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(n))
    for e in edges:
        if weighted:
            G.add_edge(e[0], e[1], weight=e[2])
        else:
            G.add_edge(e[0], e[1])
    w = 'weight' if weighted else None
    nodes = list(range(n))
    bc = nx.betweenness_centrality(G, normalized=True, weight=w)
    ic = nx.closeness_centrality(G, distance=w, wf_improved=True)
    oc = nx.closeness_centrality(G.reverse() if directed else G, distance=w, wf_improved=True)
    if directed:
        ind = nx.in_degree_centrality(G)
        outd = nx.out_degree_centrality(G)
    else:
        ind = outd = nx.degree_centrality(G)
    return {
        'name': name, 'n': n, 'directed': directed, 'weighted': weighted,
        'edges': [list(e) for e in edges],
        'betweenness': [bc[v] for v in nodes],
        'in_closeness': [ic[v] for v in nodes],
        'out_closeness': [oc[v] for v in nodes],
        'in_degree': [ind[v] for v in nodes],
        'out_degree': [outd[v] for v in nodes],
    }

def random_edges(rng, n, p, wkind, directed=True):
    edges = []
    for u in range(n):
        for v in range(n):
            if u == v or (not directed and v <= u):
                continue
            if rng.random() < p:
                if wkind == 'float':
                    edges.append((u, v, round(rng.uniform(0.1, 10.0), 6)))
                elif wkind == 'int':
                    edges.append((u, v, rng.randint(1, 3)))
                else:
                    edges.append((u, v))
    return edges

def main():
    rng = random.Random(20261122)
    cases = []
    # hand cases (networkx's own test suite uses the directed path 0->1->2)
    cases.append(graph_case('path 0->1->2', 3, [(0, 1), (1, 2)], False))
    cases.append(graph_case('single node', 1, [], False))
    cases.append(graph_case('two nodes', 2, [(0, 1)], False))
    cases.append(graph_case('empty graph of 4', 4, [], False))
    cases.append(graph_case('weighted diamond with tie', 4, [(0, 1, 1.0), (0, 2, 2.0), (1, 3, 2.0), (2, 3, 1.0)], True))
    i = 0
    for n in (5, 8, 13, 21, 34, 60):
        for p in (0.05, 0.15, 0.4):
            for wkind in ('none', 'float', 'int'):
                edges = random_edges(rng, n, p, wkind)
                cases.append(graph_case(f'random n={n} p={p} w={wkind} #{i}', n, edges, wkind != 'none'))
                i += 1
    for n in (7, 20, 45):
        for wkind in ('none', 'float'):
            edges = random_edges(rng, n, 0.12, wkind, directed=False)
            cases.append(graph_case(f'undirected n={n} w={wkind} #{i}', n, edges, wkind != 'none', directed=False))
            i += 1
    print(json.dumps({'generator': 'test/golden/networkx_centrality.py', 'networkx': nx.__version__, 'cases': cases}))

if __name__ == '__main__':
    main()
