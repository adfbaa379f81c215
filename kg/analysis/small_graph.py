"""An undirected graph with the part of :class:`networkx.Graph`'s interface that pages and the actor–actor
views use, for a page of one view that would otherwise import networkx (a quarter of a second) to hold
a few thousand edges.

It keeps networkx's storage (``_node``, ``_adj``: insertion-ordered dicts, one dict of attributes per
edge shared by both ends), so nodes, edges and their attributes come out in the same order as from
a :class:`networkx.Graph` built by the same calls.

>>> g = SmallGraph(view="congruence")
>>> g.add_node("a", label="A")
>>> g.add_edges_from([("a", "b", {"weight": 2})])
>>> list(g.edges(data="weight")), dict(g.degree(weight="weight"))
([('a', 'b', 2)], {'a': 2, 'b': 2})
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator


class _Nodes:
    """``g.nodes``: iterate, test, ``g.nodes[n]`` (the attribute dict), ``g.nodes(data=...)``."""

    def __init__(self, node: dict):
        self._node = node

    def __iter__(self) -> Iterator:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def __contains__(self, n: Hashable) -> bool:
        return n in self._node

    def __getitem__(self, n: Hashable) -> dict:
        return self._node[n]

    def __call__(self, data: bool | str = False, default=None) -> list:
        if data is True:
            return list(self._node.items())
        if data is False:
            return list(self._node)
        return [(n, d.get(data, default)) for n, d in self._node.items()]


class SmallGraph:
    """A simple undirected graph (no parallel edges), stored as networkx stores one."""

    def __init__(self, **attr):
        self.graph: dict = dict(attr)
        self._node: dict = {}
        self._adj: dict = {}

    # ------------------------------------------------------------ building

    def add_node(self, n: Hashable, **attr) -> None:
        if n not in self._node:
            self._adj[n] = {}
            self._node[n] = attr
        else:
            self._node[n].update(attr)

    def add_edge(self, u: Hashable, v: Hashable, **attr) -> None:
        for x in (u, v):
            if x not in self._node:
                self.add_node(x)
        d = self._adj[u].get(v, {})
        d.update(attr)
        self._adj[u][v] = d
        self._adj[v][u] = d

    def add_edges_from(self, edges: Iterable[tuple]) -> None:
        for u, v, *rest in edges:
            self.add_edge(u, v, **(rest[0] if rest else {}))

    # ------------------------------------------------------------ reading

    @property
    def nodes(self) -> _Nodes:
        return _Nodes(self._node)

    @property
    def adj(self) -> dict:
        return self._adj

    def __iter__(self) -> Iterator:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def __contains__(self, n: Hashable) -> bool:
        return n in self._node

    def __getitem__(self, n: Hashable) -> dict:
        return self._adj[n]

    def has_edge(self, u: Hashable, v: Hashable) -> bool:
        return u in self._adj and v in self._adj[u]

    def edges(self, data: bool | str = False, default=None) -> list:
        """Each edge once, from the end added first, in networkx's order."""
        out = []
        seen: set = set()
        for u, nbrs in self._adj.items():
            for v, d in nbrs.items():
                if v not in seen:
                    out.append((u, v) if data is False else (u, v, d) if data is True else (u, v, d.get(data, default)))
            seen.add(u)
        return out

    def degree(self, weight: str | None = None) -> list[tuple]:
        """(node, degree) pairs; with ``weight``, the sum of that attribute over the node's edges (default 1)."""
        if weight is None:
            return [(n, len(nbrs) + (n in nbrs)) for n, nbrs in self._adj.items()]
        return [(n, sum(d.get(weight, 1) for d in nbrs.values()) + (nbrs[n].get(weight, 1) if n in nbrs else 0))
                for n, nbrs in self._adj.items()]

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        loops = sum(1 for n, nbrs in self._adj.items() if n in nbrs)
        return (sum(len(nbrs) for nbrs in self._adj.values()) + loops) // 2

    def is_directed(self) -> bool:
        return False

    def is_multigraph(self) -> bool:
        return False

    def to_networkx(self):
        """The same graph as a :class:`networkx.Graph`."""
        import networkx as nx

        g = nx.Graph(**self.graph)
        g.add_nodes_from(self._node.items())
        g.add_edges_from(self.edges(data=True))
        return g
