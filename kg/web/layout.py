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
from dataclasses import dataclass

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


# ---------------------------------------------------------------- many components, no overlaps
#
# A young debate is many small components (an actor and the one or two targets it
# spoke on). One spring layout of them all draws each actor on top of its target:
# the repulsion between components swamps the pull within them. So each connected
# component is laid out on its own, spread until no two node boxes (shape and label)
# overlap and every edge shows at least MIN_EDGE px between the boxes of its ends,
# and the components are then packed side by side in rows, largest first.

FONT_PX = 14  # the page's label font size (kg/html.py)
LABEL_PAD = 4.0  # px under a label: descenders and the white outline drawn around its letters
GAP = 14.0  # px kept free between two node boxes
MIN_EDGE = 40.0  # px of every edge left visible between the boxes of its two ends
COMPONENT_GAP = 60.0  # px between the bounding boxes of two components
ASPECT = 1.6  # the packed drawing's width over its height, about a screen's
SPREAD = 4.0  # a component's first square holds this many times its nodes' box area
GROW = 0.01  # how much a component grows in each round of pushing boxes apart that still finds overlaps
# Advance widths of the printable ASCII characters (space to ~) in hundredths of an em, rounded up, in
# DejaVu Sans: the sans-serif font of a Linux browser and among the widest, so that labels are not
# underestimated in narrower fonts (Helvetica, Segoe UI, San Francisco).
_ASCII_EM = (
    32, 41, 46, 84, 64, 96, 78, 28, 40, 40, 50, 84, 32, 37, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34,
    34, 84, 84, 84, 54, 100, 69, 69, 70, 78, 64, 58, 78, 76, 30, 30, 66, 56, 87, 75, 79, 61, 79, 70, 64, 62, 74,
    69, 99, 69, 62, 69, 40, 34, 40, 84, 50, 50, 62, 64, 55, 64, 62, 36, 64, 64, 28, 28, 58, 28, 98, 64, 62, 64,
    64, 42, 53, 40, 64, 60, 82, 60, 60, 53, 64, 34, 64, 84,
)


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """The width in px of ``text`` set in the page's font, estimated from above (kerning ignored, +3%)."""
    import unicodedata

    total = 0
    for ch in text:
        o = ord(ch)
        if 32 <= o < 127:
            total += _ASCII_EM[o - 32]
            continue
        if unicodedata.combining(ch):
            continue
        base = unicodedata.normalize("NFD", ch)[0]  # á → a
        if 32 <= ord(base) < 127:
            total += _ASCII_EM[ord(base) - 32]
        else:
            total += 100 if unicodedata.east_asian_width(ch) in "WF" else 85
    return total * font_px / 100 * 1.03


@dataclass(frozen=True)
class Box:
    """What a node covers around its centre, in px: ``half`` its width either side, ``top`` above,
    ``bottom`` below (vis-network hangs the label under the shape)."""

    half: float
    top: float
    bottom: float


def node_box(label: str, size: float, font_px: float = FONT_PX) -> Box:
    """The box of a node of radius ``size`` px whose ``label`` is drawn under it, as vis-network draws it."""
    half = max(size, text_width(label, font_px) / 2)
    return Box(half, size, size + (font_px + LABEL_PAD if label else 0.0))


def components(nodes: list, edges: list[tuple]) -> list[list]:
    """Connected components of ``nodes`` under ``edges`` (u, v, …), each in the order of ``nodes``,
    in the order of their first node."""
    parent = {v: v for v in nodes}

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for u, v, *_ in edges:
        ru, rv = find(u), find(v)
        if ru != rv:
            parent[rv] = ru
    groups: dict = {}
    for v in nodes:
        groups.setdefault(find(v), []).append(v)
    return list(groups.values())


def pack(nodes: list, edges: list[tuple[object, object, float]], boxes: dict, *, seed: int = 7,
         gap: float = GAP, min_edge: float = MIN_EDGE, component_gap: float = COMPONENT_GAP,
         aspect: float = ASPECT, iterations: int = 50) -> dict:
    """Pixel positions of ``nodes`` (centres; y grows downwards) with no two :class:`Box` es of ``boxes``
    closer than ``gap`` and every edge showing at least ``min_edge`` px between its ends' boxes.

    Each connected component gets a spring layout of its own (:func:`spring`),
    scaled to its nodes' boxes, pushed apart where boxes still overlap or edges
    are short, then spread just enough that none does; the components are packed
    in rows (shelves) of about ``aspect`` times the height in width, largest first.
    """
    import numpy as np

    if not nodes:
        return {}
    laid = []
    for k, comp in enumerate(components(nodes, edges)):
        members = set(comp)
        own = [(u, v, w) for u, v, w in edges if u in members and u != v]
        pos = _arrange(comp, own, boxes, seed=seed, gap=gap, min_edge=min_edge, iterations=iterations)
        xs = np.array([pos[v][0] for v in comp])
        ys = np.array([pos[v][1] for v in comp])
        half = np.array([boxes[v].half for v in comp])
        left, right = float((xs - half).min()), float((xs + half).max())
        top = float((ys - np.array([boxes[v].top for v in comp])).min())
        bottom = float((ys + np.array([boxes[v].bottom for v in comp])).max())
        laid.append((k, comp, pos, left, top, right - left, bottom - top))
    laid.sort(key=lambda c: (-len(c[1]), -(c[5] * c[6]), c[0]))
    area = sum((c[5] + component_gap) * (c[6] + component_gap) for c in laid)
    row = max(max(c[5] for c in laid), math.sqrt(area * aspect))
    shelves: list[list] = [[]]
    used = 0.0
    for c in laid:
        if shelves[-1] and used + c[5] > row:
            shelves.append([])
            used = 0.0
        shelves[-1].append(c)
        used += c[5] + component_gap
    out = {}
    y = 0.0
    for shelf in shelves:
        height = max(c[6] for c in shelf)
        x = 0.0
        for _k, comp, pos, left, top, width, h in shelf:
            dx, dy = x - left, y + (height - h) / 2 - top  # centred in its shelf
            for v in comp:
                out[v] = (pos[v][0] + dx, pos[v][1] + dy)
            x += width + component_gap
        y += height + component_gap
    # Centred on the origin, where vis-network looks first.
    cx = (min(p[0] for p in out.values()) + max(p[0] for p in out.values())) / 2
    cy = (min(p[1] for p in out.values()) + max(p[1] for p in out.values())) / 2
    return {v: (p[0] - cx, p[1] - cy) for v, p in out.items()}


def _arrange(nodes: list, edges: list, boxes: dict, *, seed: int, gap: float, min_edge: float,
             iterations: int) -> dict:
    """One component's positions in px, around the origin, meeting :func:`pack`'s promises."""
    import numpy as np

    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    start = spring(nodes, edges, seed=seed)
    p = np.array([start[v] for v in nodes], dtype=float)
    p = _landscape(p)
    half = np.array([boxes[v].half for v in nodes], dtype=float)
    top = np.array([boxes[v].top for v in nodes], dtype=float)
    bottom = np.array([boxes[v].bottom for v in nodes], dtype=float)
    index = {v: i for i, v in enumerate(nodes)}
    ends = np.array(sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v, _w in edges}),
                    dtype=int).reshape(-1, 2)
    # The spring layout spans [-1, 1]²: scale it to a square holding the boxes SPREAD times over.
    area = float(((2 * half + gap) * (top + bottom + gap)).sum())
    p *= math.sqrt(SPREAD * area) / 2
    p = _distinct(p)
    for _ in range(iterations):
        move = np.zeros_like(p)
        i, j, push = _overlaps(p, half, top, bottom, gap)
        if len(i):
            np.add.at(move, i, -push / 2)
            np.add.at(move, j, push / 2)
        short, along = _short_edges(p, ends, half, top, bottom, min_edge)
        if len(short):
            np.add.at(move, ends[short, 0], -along / 2)
            np.add.at(move, ends[short, 1], along / 2)
        if not len(i) and not len(short):
            break
        p += move
        if len(i):
            p *= 1.0 + GROW  # a jam of boxes pushing each other to and fro clears as the whole grows a little
        p = _distinct(p)
    # Whatever is left, a uniform spread removes: it lengthens every edge and moves boxes only apart.
    p *= _spread_needed(p, ends, half, top, bottom, gap, min_edge)
    p -= (p.min(axis=0) + p.max(axis=0)) / 2
    return {v: (float(p[k, 0]), float(p[k, 1])) for k, v in enumerate(nodes)}


def _landscape(p):
    """``p`` turned so that its longest extent is horizontal (labels are wide; screens too)."""
    import numpy as np

    c = p - p.mean(axis=0)
    cov = c.T @ c
    if not np.isfinite(cov).all() or cov.trace() == 0:
        return c
    w, vecs = np.linalg.eigh(cov)
    ax = vecs[:, int(np.argmax(w))]
    angle = math.atan2(ax[1], ax[0])
    cos, sin = math.cos(-angle), math.sin(-angle)
    return c @ np.array([[cos, sin], [-sin, cos]])


def _distinct(p):
    """``p`` with nodes on the very same spot moved a little apart (a direction to push them in)."""
    import numpy as np

    rounded = np.round(p, 6)
    _, first, counts = np.unique(rounded, axis=0, return_index=True, return_counts=True)
    if (counts == 1).all():
        return p
    p = p.copy()
    seen: dict = {}
    for k, row in enumerate(map(tuple, rounded)):
        m = seen.get(row, 0)
        seen[row] = m + 1
        if m:
            p[k] += (math.cos(m * 2.4) * m, math.sin(m * 2.4) * m)
    return p


def _overlaps(p, half, top, bottom, gap, chunk: int = 2_000_000):
    """Pairs (i < j) whose boxes, widened by ``gap``, overlap, and the push that separates each along the
    axis of least overlap (j moves by +push, i by -push)."""
    import numpy as np

    n = len(p)
    x, y = p[:, 0], p[:, 1]
    out_i, out_j, out_push = [], [], []
    block = max(1, chunk // n)
    for a in range(0, n, block):
        b = min(n, a + block)
        # Overlapping in x first (n² cheap operations), then y for those pairs only.
        over = half[a:b, None] + half[None, :] + gap - np.abs(x[None, :] - x[a:b, None])
        ii, jj = np.nonzero(np.triu(over > 0, k=a + 1))  # j > i
        if not len(ii):
            continue
        ox = over[ii, jj]
        ii += a
        dx, dy = x[jj] - x[ii], y[jj] - y[ii]
        below = dy >= 0  # j under i: i's bottom meets j's top
        oy = np.where(below, bottom[ii] + top[jj], top[ii] + bottom[jj]) + gap - np.abs(dy)
        hit = oy > 0
        ii, jj, ox, oy, dx, below = ii[hit], jj[hit], ox[hit], oy[hit], dx[hit], below[hit]
        sx = np.where(dx >= 0, 1.0, -1.0)
        sy = np.where(below, 1.0, -1.0)
        # Along the axis that needs the smaller move, a little past touching.
        use_x = ox <= oy
        push = np.stack([np.where(use_x, (ox + 0.5) * sx, 0.0), np.where(use_x, 0.0, (oy + 0.5) * sy)], axis=1)
        out_i.append(ii)
        out_j.append(jj)
        out_push.append(push)
    if not out_i:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros((0, 2))
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_push)


def _exits(p, ends, half, top, bottom):
    """For each edge (i, j): its length between centres, unit direction i → j, and how far the edge runs
    inside the box of i and of j."""
    import numpy as np

    d = p[ends[:, 1]] - p[ends[:, 0]]
    length = np.hypot(d[:, 0], d[:, 1])
    u = d / np.maximum(length, 1e-12)[:, None]
    ax, ay = np.abs(u[:, 0]), np.abs(u[:, 1])
    down = u[:, 1] > 0  # j below i: leaves i through its bottom, enters j through its top
    with np.errstate(divide="ignore"):
        in_i = np.minimum(half[ends[:, 0]] / ax, np.where(down, bottom[ends[:, 0]], top[ends[:, 0]]) / ay)
        in_j = np.minimum(half[ends[:, 1]] / ax, np.where(down, top[ends[:, 1]], bottom[ends[:, 1]]) / ay)
    return length, u, in_i, in_j


def _short_edges(p, ends, half, top, bottom, min_edge):
    """Edges showing less than ``min_edge`` px between their ends' boxes, and the push that lengthens each."""
    import numpy as np

    if not len(ends):
        return np.zeros(0, dtype=int), np.zeros((0, 2))
    length, u, in_i, in_j = _exits(p, ends, half, top, bottom)
    lack = min_edge + in_i + in_j - length
    short = np.nonzero(lack > 0)[0]
    return short, u[short] * (lack[short] + 0.5)[:, None]


def _spread_needed(p, ends, half, top, bottom, gap, min_edge) -> float:
    """The least factor (≥ 1) by which spreading ``p`` about any point leaves no boxes overlapping and no
    edge short. Scaling keeps every direction, so each pair needs a factor of its own: the largest wins."""
    import numpy as np

    factor = 1.0
    i, j, _push = _overlaps(p, half, top, bottom, gap)
    if len(i):
        dx = np.abs(p[j, 0] - p[i, 0])
        dy = p[j, 1] - p[i, 1]
        need_x = half[i] + half[j] + gap
        need_y = np.where(dy >= 0, bottom[i] + top[j], top[i] + bottom[j]) + gap
        with np.errstate(divide="ignore"):
            f = np.minimum(np.where(dx > 0, need_x / dx, np.inf), np.where(dy != 0, need_y / np.abs(dy), np.inf))
        factor = max(factor, float(f.max()))
    if len(ends):
        length, _u, in_i, in_j = _exits(p, ends, half, top, bottom)
        factor = max(factor, float(((min_edge + in_i + in_j) / np.maximum(length, 1e-12)).max()))
    return factor * 1.001
