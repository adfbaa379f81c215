"""Discourse networks with the options of the Discourse Network Analyzer (DNA, leifeld/dna).

Every formula here follows DNA's Java source, ``dna/src/main/java/dna/export/Exporter.java``
(named next to each formula), so that a DNA user gets the numbers DNA defines.

Statements
    One assertion of the store is one DNA statement: variable 1 = the actor (organisation),
    variable 2 = the target (concept), the qualifier = the stance.

Qualifier (``scale``)
    ``"agreement"`` (default): DNA's boolean ``agreement`` qualifier; supports → 1, opposes → 0.
    The other stances (hesitant, divided, neutral) have no place on a boolean scale and are
    left out (counted in :attr:`DnaNetwork.dropped`).
    ``"integer"``: an integer qualifier as DNA treats one (Exporter.createArray /
    computeOneModeMatrix): opposes → -1, hesitant/divided/neutral → 0, supports → 1. DNA takes
    the levels found among *all* statements (``originalStatements``) and the range
    max − min; two statements at levels q1, q2 are congruent by 1 − |q1 − q2| / range and in
    conflict by |q1 − q2| / range, so supports vs neutral counts ½ congruence and ½ conflict.

Duplicates (Exporter.filterStatements)
    Statements are taken in date order; a statement is dropped when an earlier kept one has the
    same actor, target and qualifier value and falls in the same document / calendar week /
    month / year. Two deliberate differences from DNA's code, both towards DNA's documentation
    ("one identical statement per calendar week/month"): DNA compares only the week number or
    the month number (January 2020 and January 2021 count as one month) and takes week numbers
    from the JVM's default locale; kg compares (ISO year, ISO week), (year, month) and year.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.model.errors import UnknownNameError

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

    from kg.store import Store
    from kg.analysis.rows import Filters, Row

QUALIFIERS = ("congruence", "conflict", "subtract", "ignore")  # one-mode qualifier aggregation
AGGREGATIONS = ("combine", "subtract", "ignore")  # two-mode qualifier aggregation
ONE_MODE_NORMALIZATIONS = ("none", "average", "jaccard", "cosine")
TWO_MODE_NORMALIZATIONS = ("none", "activity", "prominence")
DUPLICATES = ("all", "document", "week", "month", "year", "acrossrange")
SCALES = ("agreement", "integer")
AGREEMENT = {"supports": 1, "opposes": 0}  # DNA's boolean agreement qualifier
INTEGER = {"supports": 1, "opposes": -1, "hesitant": 0, "divided": 0, "neutral": 0}


def check_choice(kind: str, value: str, choices: Sequence[str]) -> str:
    v = (value or "").strip().lower()
    if v == "no":  # DNA's spelling of "none"
        v = "none"
    if v == "include":  # DNA's spelling of "all"
        v = "all"
    if v not in choices:
        raise UnknownNameError(kind, value, list(choices))
    return v


@dataclass(frozen=True)
class Statement:
    """One DNA statement: actor (variable 1), concept (variable 2), qualifier value, document and date."""

    actor: str
    concept: str
    qualifier: int
    doc: str
    date: str | None  # ISO date
    actor_label: str = ""
    concept_label: str = ""
    id: str = ""


def statements_from_rows(rows: Iterable[Row], scale: str = "agreement") -> tuple[list[Statement], int]:
    """The statements of ``rows`` in date order (DNA sorts them so), and how many rows the scale leaves out."""
    scale = check_choice("stance scale", scale, SCALES)
    mapping = AGREEMENT if scale == "agreement" else INTEGER
    out, dropped = [], 0
    for r in rows:
        q = mapping.get(r.stance)
        if q is None:
            dropped += 1
            continue
        out.append(Statement(r.actor, r.target, q, r.doc, r.date, r.actor_label, r.target_label, r.assertion))
    out.sort(key=lambda s: (s.date or "", s.doc, s.id))
    return out, dropped


def qualifier_levels(statements: Sequence[Statement], scale: str = "agreement") -> list[int]:
    """Exporter.computeOneModeMatrix: a boolean qualifier always has the levels {0, 1}; an integer one,
    the distinct values among all statements, sorted."""
    if scale == "agreement":
        return [0, 1]
    return sorted({s.qualifier for s in statements}) or [0]


def _period(s: Statement, mode: str) -> object:
    if mode == "document":
        return s.doc
    if mode == "acrossrange":
        return None  # once across the whole time range
    if s.date is None:
        return None  # undated statements share one period
    d = _dt.date.fromisoformat(s.date[:10])
    if mode == "week":
        return d.isocalendar()[:2]  # Monday to Sunday, as DNA's documentation (UK weeks) says
    if mode == "month":
        return (d.year, d.month)
    return d.year


def drop_duplicates(statements: Sequence[Statement], duplicates: str = "all") -> list[Statement]:
    """Exporter.filterStatements ("check for duplicates"): keep a statement unless an earlier kept one has the
    same actor, concept and qualifier in the same document / week / month / year / time range (``acrossrange``);
    ``all`` keeps every one."""
    mode = check_choice("duplicates", duplicates, DUPLICATES)
    if mode == "all":
        return list(statements)
    seen: set[tuple] = set()
    kept = []
    for s in statements:
        key = (s.actor, s.concept, s.qualifier, _period(s, mode))
        if key not in seen:
            seen.add(key)
            kept.append(s)
    return kept


def _labels(statements: Sequence[Statement], attr: str) -> tuple[list[str], list[str]]:
    names: dict[str, str] = {}
    if attr == "actor":
        for s in statements:
            if s.actor not in names:
                names[s.actor] = s.actor_label or s.actor
    else:
        for s in statements:
            if s.concept not in names:
                names[s.concept] = s.concept_label or s.concept
    ids = sorted(names, key=lambda k: (names[k].casefold(), k))
    return ids, [names[k] for k in ids]


def statement_array(statements: Sequence[Statement], levels: Sequence[int],
                    universe: Sequence[Statement] | None = None) -> tuple[np.ndarray, list, list, list, list]:
    """Exporter.createArray: counts of statements per actor × concept × qualifier level; rows and columns are
    the actors and concepts of ``universe`` when given (DNA's ``isolates = TRUE``), else of ``statements``."""
    import numpy as np

    actors, actor_labels = _labels(statements if universe is None else universe, "actor")
    concepts, concept_labels = _labels(statements if universe is None else universe, "concept")
    ai = {a: i for i, a in enumerate(actors)}
    ci = {c: i for i, c in enumerate(concepts)}
    li = {q: i for i, q in enumerate(levels)}
    arr = np.zeros((len(actors), len(concepts), len(levels)))
    for s in statements:
        arr[ai[s.actor], ci[s.concept], li.get(s.qualifier, 0)] += 1.0
    return arr, actors, actor_labels, concepts, concept_labels


@dataclass
class DnaNetwork:
    """A network matrix as DNA returns one: ``matrix[i][j]`` between ``rows[i]`` and ``columns[j]``."""

    mode: str  # "one-mode" or "two-mode"
    rows: list[str]
    row_labels: list[str]
    columns: list[str]
    column_labels: list[str]
    matrix: np.ndarray
    statements: int
    options: dict = field(default_factory=dict)
    dropped: int = 0  # rows whose stance the qualifier scale leaves out
    start: str | None = None
    stop: str | None = None
    mid: str | None = None
    window_statements: list = field(default_factory=list, repr=False)  # a window's statements (time windows)
    array: np.ndarray | None = field(default=None, repr=False)  # actors × concepts × levels (statement_array)
    levels: list[int] = field(default_factory=list, repr=False)

    def edges(self) -> list[dict]:
        """Non-zero cells; a one-mode network's upper triangle only (its matrix is symmetric)."""
        out = []
        n, m = self.matrix.shape
        for i in range(n):
            for j in range(i + 1 if self.mode == "one-mode" else 0, m):
                w = float(self.matrix[i, j])
                if w != 0:
                    out.append({"source": self.row_labels[i], "target": self.column_labels[j], "weight": round(w, 6)})
        return out

    def n_edges(self) -> int:
        """Non-zero cells (a one-mode network's upper triangle)."""
        import numpy as np

        m = np.triu(self.matrix, 1) if self.mode == "one-mode" else self.matrix
        return int(np.count_nonzero(m))

    def density(self) -> float:
        """Share of the possible ties that are present (non-zero)."""
        n, m = self.matrix.shape
        possible = n * (n - 1) / 2 if self.mode == "one-mode" else n * m
        return round(self.n_edges() / possible, 4) if possible else 0.0

    def to_graph(self) -> nx.Graph:
        """The matrix as a weighted networkx graph (nodes keyed by IRI, ``label`` and ``type`` attributes)."""
        import networkx as nx

        g = nx.Graph(mode=self.mode, **{k: str(v) for k, v in self.options.items()})
        for k, lab in zip(self.rows, self.row_labels):
            g.add_node(k, label=lab, type="actor")
        if self.mode == "two-mode":
            for k, lab in zip(self.columns, self.column_labels):
                g.add_node(k, label=lab, type="concept")
        n, m = self.matrix.shape
        for i in range(n):
            for j in range(i + 1 if self.mode == "one-mode" else 0, m):
                w = float(self.matrix[i, j])
                if w != 0:
                    g.add_edge(self.rows[i], self.columns[j], weight=w)
        return g

    def to_dict(self) -> dict:
        return {"mode": self.mode, "options": self.options, "statements": self.statements, "dropped": self.dropped,
                "start": self.start, "stop": self.stop, "rows": self.row_labels, "columns": self.column_labels,
                "matrix": [[round(float(x), 6) for x in r] for r in self.matrix], "edges": self.edges()}


def one_mode_matrix(arr: np.ndarray, levels: Sequence[int], qualifier: str = "congruence",
                    normalization: str = "none") -> np.ndarray:
    """Exporter.computeOneModeMatrix(processedStatements, aggregation, start, stop) for a boolean or integer
    qualifier. ``arr``: actors × concepts × levels counts (:func:`statement_array`)."""
    import numpy as np

    qualifier = check_choice("qualifier aggregation", qualifier, QUALIFIERS)
    normalization = check_choice("one-mode normalization", normalization, ONE_MODE_NORMALIZATIONS)
    q = np.asarray(levels, dtype=float)
    rng = abs(q[-1] - q[0])
    # distance of levels k1, k2: |q_k1 - q_k2| / range (computeOneModeMatrix, boolean/integer branch);
    # a single level has no distance (DNA would divide 0 by 0 here)
    dist = np.abs(q[:, None] - q[None, :]) / rng if rng else np.zeros((len(q), len(q)))
    if qualifier == "ignore":
        # "ignore": sum i1 and i2 over the levels of k, then multiply per concept
        c = arr.sum(axis=2)
        mat = c @ c.T
    else:
        # mat[i1][i2] += array[i1][j][k1] * array[i2][j][k2] * (1 - |q_k1 - q_k2| / range)   (congruence)
        # mat[i1][i2] += array[i1][j][k1] * array[i2][j][k2] * (|q_k1 - q_k2| / range)       (conflict)
        # subtract = congruence - conflict
        cong = np.einsum("ajk,kl,bjl->ab", arr, 1.0 - dist, arr, optimize=True)
        conf = np.einsum("ajk,kl,bjl->ab", arr, dist, arr, optimize=True)
        mat = {"congruence": cong, "conflict": conf, "subtract": cong - conf}[qualifier]
    n = arr.shape[0]
    if n == 0 or arr.size == 0:
        return np.zeros((n, n))
    flat = arr.reshape(n, -1)
    count = flat.sum(axis=1)  # i1count, i2count: all statements of the actor
    if normalization == "none":
        norm = np.ones((n, n))
    elif normalization == "average":
        # "average": norm = (i1count + i2count) / 2
        norm = (count[:, None] + count[None, :]) / 2
    elif normalization == "jaccard":
        # "jaccard": norm = m01 + m10 + m11 over cells (j, k), where
        # m10 = sum of array[i1][j][k] where array[i2][j][k] == 0, m01 the same the other way,
        # m11 = sum of array[i1][j][k] * array[i2][j][k] where both > 0
        m10 = flat @ (flat == 0).T.astype(float)
        m11 = flat @ flat.T
        norm = m10 + m10.T + m11
    else:
        # "cosine": norm = sqrt(i1count^2) * sqrt(i2count^2), i.e. i1count * i2count (DNA's code, verbatim)
        norm = np.sqrt(count[:, None] ** 2) * np.sqrt(count[None, :] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        mat = np.where(norm == 0, 0.0, mat / np.where(norm == 0, 1.0, norm))  # norm == 0 → 0
    np.fill_diagonal(mat, 0.0)  # DNA computes only i1 != i2
    return mat


def _lex_rank(binary: Sequence[int]) -> int:
    """Exporter.lexRank: [0, 1] → 1, [1, 0] → 2, [1, 1] → 3."""
    n = len(binary)
    return sum(2 ** (n - i - 1) for i, b in enumerate(binary) if b > 0)


def two_mode_matrix(arr: np.ndarray, levels: Sequence[int], aggregation: str = "subtract",
                    normalization: str = "none", scale: str = "agreement") -> np.ndarray:
    """Exporter.computeTwoModeMatrix(processedStatements, start, stop) for a boolean or integer qualifier."""
    import numpy as np

    aggregation = check_choice("two-mode aggregation", aggregation, AGGREGATIONS)
    normalization = check_choice("two-mode normalization", normalization, TWO_MODE_NORMALIZATIONS)
    n, m, _k = arr.shape
    q = np.asarray(levels, dtype=float)
    if aggregation == "combine":
        # "combine": lexRank of the binary vector (level used at least once?) over the levels; with the
        # agreement qualifier (levels 0, 1): 1 = supports only, 2 = opposes only, 3 = both
        mat = np.array([[_lex_rank(arr[i, j] > 0) for j in range(m)] for i in range(n)], dtype=float).reshape(n, m)
    elif aggregation == "ignore":
        mat = arr.sum(axis=2)
    elif scale == "agreement":
        # "subtract", boolean: level 0 subtracts its count, level 1 adds it
        mat = arr @ np.where(q > 0, 1.0, -1.0)
    else:
        # "subtract", integer: sign(q) * |q| * count, i.e. q * count (level 0 adds nothing)
        mat = arr @ q
    if normalization == "none":
        return mat
    if aggregation == "combine":
        # "combine": the denominator counts non-zero cells (DNA warns the result is hard to interpret); for
        # prominence DNA's loop indexes mat[i][j] with i over concepts and j over actors (swapped), so kg
        # counts the non-zero cells of the concept's column, as the actor case does for a row
        used = (mat > 0).astype(float)
        denom = used.sum(axis=1, keepdims=True) if normalization == "activity" else used.sum(axis=0, keepdims=True)
    elif aggregation == "ignore":
        denom = mat.sum(axis=1, keepdims=True) if normalization == "activity" else mat.sum(axis=0, keepdims=True)
    else:
        # "subtract": activity = all statements of the actor (row of the array summed over concepts and levels);
        # prominence = all statements on the concept (column summed over actors and levels)
        total = arr.sum(axis=2)
        denom = total.sum(axis=1, keepdims=True) if normalization == "activity" else total.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom == 0, 0.0, mat / np.where(denom == 0, 1.0, denom))


def dna_network(statements: Sequence[Statement], *, two_mode: bool = False, qualifier: str = "congruence",
                aggregation: str = "subtract", normalization: str = "none", duplicates: str = "all",
                scale: str = "agreement", levels: Sequence[int] | None = None, dropped: int = 0,
                universe: Sequence[Statement] | None = None) -> DnaNetwork:
    """One network of ``statements`` (already in date order) with DNA's options; ``levels``: the qualifier
    levels of all statements (DNA takes them from every statement, also outside a time window); ``universe``:
    statements whose actors and concepts are all rows and columns, isolates included (time windows)."""
    scale = check_choice("stance scale", scale, SCALES)
    levels = list(levels) if levels is not None else qualifier_levels(statements, scale)
    kept = drop_duplicates(statements, duplicates)
    arr, actors, actor_labels, concepts, concept_labels = statement_array(kept, levels, universe)
    options = {"duplicates": check_choice("duplicates", duplicates, DUPLICATES), "scale": scale}
    if two_mode:
        mat = two_mode_matrix(arr, levels, aggregation, normalization, scale)
        options |= {"aggregation": aggregation, "normalization": normalization}
        return DnaNetwork("two-mode", actors, actor_labels, concepts, concept_labels, mat, len(kept), options, dropped,
                          array=arr, levels=levels)
    mat = one_mode_matrix(arr, levels, qualifier, normalization)
    options |= {"qualifier": qualifier, "normalization": normalization}
    return DnaNetwork("one-mode", actors, actor_labels, actors, actor_labels, mat, len(kept), options, dropped,
                      array=arr, levels=levels)


def store_statements(store: Store, filters: Filters | None = None,
                     scale: str = "agreement") -> tuple[list[Statement], int]:
    """The store's assertions that pass ``filters`` as DNA statements, and how many the scale leaves out: from
    the store's row projection when it has one (:func:`projection_statements`), else from the rows
    :func:`kg.analysis.rows.fetch_rows` reads."""
    from kg.analysis.rows import fetch_rows, filter_rows

    fast = projection_statements(store, filters, scale)
    if fast is not None:
        return fast
    return statements_from_rows(filter_rows(fetch_rows(store, filters), filters), scale)


def projection_statements(store: Store, filters: Filters | None = None,
                          scale: str = "agreement") -> tuple[list[Statement], int] | None:
    """What :func:`statements_from_rows` makes of the filtered rows, read from the store's row projection
    (:class:`kg.graph.projection.Projection`): only the columns a statement has, not the quotes, speakers
    and labels a full row carries. The filters as :func:`kg.analysis.rows.filter_rows` applies them
    (certainty at or above a floor, stances, dates compared on their first ten characters, undated rows
    out once a bound is given). None without a projection, or with a source filter (whose names
    filter_rows matches and checks): the caller reads the rows."""
    from kg.graph.projection import Projection
    from kg.model.namespaces import CERTAINTY_RANK

    scale = check_choice("stance scale", scale, SCALES)
    if filters is not None and filters.source:
        return None
    with Projection.opened(store) as proj:
        if proj is None:
            return None
        conds, args = [], []
        if filters is not None and filters.topic:
            from kg.analysis.positions import target_iri

            conds.append("r.target = ?")
            args.append(target_iri(store, filters.topic))
        for op, bound in ((">=", filters.since if filters else None), ("<=", filters.until if filters else None)):
            if bound:  # the test below, in SQL too, so that rows outside the dates are not read
                conds.append(f"r.date IS NOT NULL AND r.date <> '' AND substr(r.date, 1, 10) {op} ?")
                args.append(bound)
        where = ("WHERE " + " AND ".join(conds)) if conds else ""
        cur = proj.db.cursor()
        cur.row_factory = None
        # r.date is the document's date, written with each row (Projection.holdings filters on it too): the
        # topic's covering index has every column read here, so no row is joined with its document
        rows = cur.execute("SELECT r.assertion, r.actor, r.stance, r.target, r.certainty, r.doc, r.date "
                           f"FROM rows r {where}", args).fetchall()
        floor = CERTAINTY_RANK[filters.certainty] if filters is not None and filters.certainty else None
        stances = filters.stance if filters is not None else ()
        since = filters.since if filters is not None else None
        until = filters.until if filters is not None else None
        mapping = AGREEMENT if scale == "agreement" else INTEGER
        kept, dropped = [], 0
        for assertion, actor, stance, target, certainty, doc, date in rows:
            date = str(date)[:10] if date else None  # as kg.analysis.rows.row_from_dict
            if floor is not None and CERTAINTY_RANK.get(certainty, 0) < floor:
                continue
            if stances and stance not in stances:
                continue
            if since and not (date and date >= since):
                continue
            if until and not (date and date <= until):
                continue
            q = mapping.get(stance)
            if q is None:
                dropped += 1
                continue
            kept.append((actor, target, q, doc, date, assertion))
        labels = proj._labels(x for k in kept for x in k[:2])
    out = [Statement(actor, target, q, doc, date, (labels.get(actor) or (None,))[0] or actor,
                     (labels.get(target) or (None,))[0] or target, assertion)
           for actor, target, q, doc, date, assertion in kept]
    out.sort(key=lambda s: (s.date or "", s.doc, s.id))
    return out, dropped


def network_from_store(store: Store, filters: Filters | None = None, **options) -> DnaNetwork:
    """:func:`dna_network` of the store's assertions; ``options`` as for :func:`dna_network`."""
    statements, dropped = store_statements(store, filters, options.get("scale", "agreement"))
    return dna_network(statements, dropped=dropped, **options)
