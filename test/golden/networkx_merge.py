#!/usr/bin/env python3
"""Golden values for `landcarbon centrality --undirected --merge RULE --nodes FILE` (issue 11
item 15), from networkx. Regenerate (python3-networkx 3.x):
    python3 test/golden/networkx_merge.py > test/golden/networkx_merge.json

The edge list has the layout `landcarbon network` writes (from,to,gravity,distance_km) and holds
both directions of some pairs, as a gravity network does. Each rule builds an undirected graph
whose edge weight for a pair is the sum / max / first of its rows' distance_km; the node list
adds an isolated node "z", which networkx counts in n (degree and closeness scaling).
Values: degree = G.degree (edge counts), betweenness normalized, closeness wf_improved=True.
"""
import json
import networkx as nx

ROWS = [  # from, to, gravity, distance_km
    ("5", "8", 12.5, 3.0), ("8", "5", 11.0, 4.0), ("5", "6", 2.0, 1.5), ("6", "7", 1.0, 2.5),
    ("7", "8", 0.5, 1.0), ("8", "7", 0.25, 6.0), ("6", "8", 3.0, 4.5),
]
NODES = ["5", "6", "7", "8", "z"]

def build(rule):
    w = {}
    for a, b, _, d in ROWS:
        k = tuple(sorted((a, b)))
        if k not in w:
            w[k] = d
        elif rule == "sum":
            w[k] += d
        elif rule == "max":
            w[k] = max(w[k], d)
    G = nx.Graph()
    G.add_nodes_from(NODES)
    for (a, b), d in w.items():
        G.add_edge(a, b, weight=d)
    return G

out = {"edges_csv": "from,to,gravity,distance_km\n" + "".join(f"{a},{b},{g},{d}\n" for a, b, g, d in ROWS),
       "nodes_csv": "unit\n" + "".join(f"{n}\n" for n in NODES), "nodes": NODES, "rules": {}}
for rule in ["sum", "max", "first"]:
    G = build(rule)
    bc = nx.betweenness_centrality(G, normalized=True, weight="weight")
    cc = nx.closeness_centrality(G, distance="weight", wf_improved=True)
    out["rules"][rule] = {
        "edges": G.number_of_edges(),
        "degree": [G.degree(v) for v in NODES],
        "closeness": [cc[v] for v in NODES],
        "betweenness": [bc[v] for v in NODES],
    }
print(json.dumps(out, indent=1))
