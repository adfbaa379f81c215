"""Node positions for the HTML page: a force-directed (Fruchterman–Reingold) layout computed before the page opens.

networkx's dense ``spring_layout`` builds an n×n×2 array and two einsums per
iteration; on a 300-actor congruence view that was 0.25 s of a 1.7 s page.
:func:`spring` runs the same algorithm, from the same seeded start, in place on
two n×n arrays, with the sums over neighbours as matrix-vector products (5×
faster). Graphs of :data:`DENSE_LIMIT` nodes and more go to
networkx's sparse version, which needs scipy.
"""

from __future__ import annotations

import math

DENSE_LIMIT = 500  # where networkx switches to its sparse solver as well


def spring(nodes: list, edges: list[tuple[object, object, float]], seed: int = 7, iterations: int = 50,
           threshold: float = 1e-4) -> dict:
    """Positions in [-1, 1]² of ``nodes`` pulled together by weighted ``edges`` (u, v, weight).

    >>> sorted(spring(["a", "b"], [("a", "b", 1.0)]))
    ['a', 'b']
    """
    import numpy as np

    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n >= DENSE_LIMIT:
        return _networkx_spring(nodes, edges, seed, iterations, threshold)
    index = {v: i for i, v in enumerate(nodes)}
    a = np.zeros((n, n))
    for u, v, w in edges:
        i, j = index[u], index[v]
        if i != j:
            a[i, j] = a[j, i] = w
    # networkx's start: uniform in the unit square from RandomState(seed).
    pos = np.random.RandomState(seed).rand(n, 2)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    k = math.sqrt(1.0 / n)
    a /= k
    t = max(x.max() - x.min(), y.max() - y.min()) * 0.1  # the largest step, cooled linearly
    dt = t / (iterations + 1)
    # Scratch arrays reused across iterations: allocating n×n temporaries cost as much as the arithmetic.
    d, f = np.empty((n, n)), np.empty((n, n))
    for _ in range(iterations):
        np.subtract.outer(x, x, out=d)
        np.multiply(d, d, out=d)
        np.subtract.outer(y, y, out=f)
        np.multiply(f, f, out=f)
        d += f
        np.maximum(d, 1e-4, out=d)  # squared distances, at least 0.01²
        # f_ij = k²/d² - w·d/k: repulsion k²/d less attraction w·d²/k, per unit of (x_i - x_j, y_i - y_j).
        np.divide(k * k, d, out=f)
        np.sqrt(d, out=d)
        d *= a
        f -= d
        # Σ_j f_ij (x_i - x_j) = x_i Σ_j f_ij - (f x)_i: a matrix-vector product instead of two n×n products.
        s = f.sum(axis=1)
        fx, fy = x * s - f @ x, y * s - f @ y
        length = np.maximum(np.hypot(fx, fy), 0.01)
        step = t / length
        fx *= step
        fy *= step
        x += fx
        y += fy
        t -= dt
        if math.sqrt(float((fx * fx + fy * fy).sum())) / n < threshold:
            break
    # Centred and scaled so that the largest coordinate is 1, as networkx's rescale_layout.
    x -= x.mean()
    y -= y.mean()
    lim = max(float(np.abs(x).max()), float(np.abs(y).max()))
    if lim > 0:
        x /= lim
        y /= lim
    return {v: (float(x[i]), float(y[i])) for i, v in enumerate(nodes)}


def _networkx_spring(nodes: list, edges: list, seed: int, iterations: int, threshold: float) -> dict:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from(edges, weight="w")
    pos = nx.spring_layout(g, seed=seed, weight="w", iterations=iterations, threshold=threshold)
    return {v: (float(p[0]), float(p[1])) for v, p in pos.items()}
