"""Moving time windows of DNA networks, and DNA's polarisation score, per window.

Time windows (Exporter.computeTimeWindowMatrices, the branch for time units)
    A window is centred on a time point t that moves from the start to the stop date (DNA:
    the first and last statement date unless given) by ``step`` days (DNA always moves one
    unit; ``step`` is kg's addition). With a window size of w days, the window runs from
    t − a to t + a, both ends included, where a = round((w − 1) / 2) (Java's Math.round, half
    up): w = 30 gives a = 15, 31 days. Only windows that lie wholly between start and stop are
    kept (``!windowStart.isBefore(start) && !windowStop.isAfter(stop)``). Duplicates are removed
    once over all statements before the windows are cut (Exporter.filterStatements runs first).
    Undated statements take part in no window.

Polarisation (Polarization.java: qualityAbsdiff, greedyTimeStep)
    DNA's score of how well a split into k clusters (k = 2) explains the congruence and
    conflict networks of a window: within clusters, congruence should be at its expected
    value and conflict absent; between clusters, congruence absent and conflict at its expected
    value. The score sums the absolute differences from that ideal; normalised, it is divided
    by 2 × (‖congruence‖₁ + ‖conflict‖₁) and lies in [0, 1]. The split is searched as DNA's
    greedy algorithm does (swap two nodes of different clusters while the score improves,
    from a random balanced start); kg runs it from several seeded starts and keeps the best,
    so the result is reproducible. The networks are DNA's congruence and conflict networks
    with average-activity normalisation: Polarization's constructor builds its Exporter with
    qualifier aggregation "subtract" and normalization "average", and for one network
    (``timeWindow = "no"``) sets the aggregation to "conflict", then "congruence", and computes
    each with Exporter.computeOneModeMatrix. kg takes that path for every window.

    Checked against leifeld/dna at 2adbf78 (June 2025; Polarization.java last changed 2025-02-05).
    Quirks of DNA's code, and what kg does:

    - The greedy search *maximises* the score (``if (q2 > q1)``), and the score adds conflict
      inside clusters and congruence between them to the deviations, so on two clean camps
      the split that mixes the camps scores higher than the split along them (see the tests).
      kg keeps DNA's definition and direction.
    - With time windows DNA does not use the branch above: computeKernelSmoothedTimeSlices
      fills both the "congruence" and the "conflict" matrix with Exporter.processTimeSlice
      under the constructor's aggregation, "subtract", so the two matrices are the same
      (and its "average" there multiplies by a sum of 2 / (n_ijk + n_i'jk) terms). kg does not
      copy this: each window gets the congruence and conflict networks DNA computes for one
      network.
    - greedyTimeStep's guard sums the congruence norm twice (``calculateMatrixNorm(congruence)
      + calculateMatrixNorm(congruence)``) and joins its tests with ``||``, so a network
      without ties still runs (normalised score 0 / 0, NaN) and one of k or fewer nodes
      starts the search and logs a warning (with n = k = 2 there is no within-cluster dyad
      and the expected congruence is 0 / 0, NaN). kg returns 0 for k or fewer nodes or no
      ties, as DNA's genetic algorithm does (geneticTimeStep: ``length <= numClusters ||
      norms == 0``).
    - DNA runs the greedy search once from one random start; kg runs it from
      :data:`RESTARTS` seeded starts up to :data:`SMALL` nodes (one above) and keeps the best.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from kg.analysis.dna_networks import DnaNetwork, Statement, dna_network, drop_duplicates, qualifier_levels, statement_array
from kg.analysis.dna_networks import one_mode_matrix
from kg.model.errors import InputError

GREEDY_BLOCK = 32  # rows of candidate swaps looked at together
RESTARTS = 10  # greedy runs from seeded starts for up to SMALL nodes; one run (as DNA) above
SMALL = 100


def parse_days(value: str | int) -> int:
    """``30d``, ``30`` (days), ``4w`` (weeks) as a number of days ≥ 1."""
    v = str(value).strip().lower()
    mult = 1
    if v.endswith("w"):
        v, mult = v[:-1], 7
    elif v.endswith("d"):
        v = v[:-1]
    try:
        n = int(v) * mult
    except ValueError:
        raise InputError(f"bad duration {value!r}: use days such as 30d, or weeks such as 4w") from None
    if n < 1:
        raise InputError(f"bad duration {value!r}: must be at least one day")
    return n


def window_bounds(start: str, stop: str, size: int, step: int = 1) -> list[tuple[str, str, str]]:
    """(window start, mid-point, window stop) of each window, as ISO dates (see the module docstring)."""
    lo, hi = _dt.date.fromisoformat(start[:10]), _dt.date.fromisoformat(stop[:10])
    # Exporter.computeTimeWindowMatrices: addition = (int) Math.round(((double) windowSize - 1) / 2)
    a = int((size - 1) / 2 + 0.5)
    out = []
    t = lo
    while t <= hi:
        ws, we = t - _dt.timedelta(days=a), t + _dt.timedelta(days=a)
        if ws >= lo and we <= hi:
            out.append((ws.isoformat(), t.isoformat(), we.isoformat()))
        t += _dt.timedelta(days=step)
    return out


def time_windows(statements: Sequence[Statement], size: int, step: int = 1, *, start: str | None = None,
                 stop: str | None = None, duplicates: str = "all", scale: str = "agreement",
                 isolates: bool = False, **options) -> list[DnaNetwork]:
    """One :func:`~kg.analysis.dna_networks.dna_network` per moving window; ``options`` as for it. ``isolates``: every
    window has every actor and concept (DNA's ``isolates = TRUE``: matrices of one size), else only those
    active in the window."""
    levels = qualifier_levels(statements, scale)  # from all statements, as DNA's originalStatements
    kept = sorted((s for s in drop_duplicates(statements, duplicates) if s.date), key=lambda s: s.date[:10])
    if not kept:
        return []
    dates = [s.date[:10] for s in kept]
    start, stop = (start or dates[0])[:10], (stop or dates[-1])[:10]
    out = []
    for ws, mid, we in window_bounds(start, stop, size, step):
        inside = kept[bisect.bisect_left(dates, ws):bisect.bisect_right(dates, we)]  # ws <= date <= we
        net = dna_network(inside, duplicates="all", scale=scale, levels=levels, universe=kept if isolates else None,
                          **options)
        net.options["duplicates"] = duplicates
        net.start, net.mid, net.stop = ws, mid, we
        net.window_statements = inside
        out.append(net)
    return out


# ---------------------------------------------------------------- polarisation


def quality_absdiff(memberships: Sequence[int], congruence, conflict, normalize: bool = True, k: int = 2) -> float:
    """Polarization.qualityAbsdiff, line by line."""
    cong_norm = float(abs(congruence).sum())  # calculateMatrixNorm: entrywise 1-norm
    conf_norm = float(abs(conflict).sum())
    n = len(memberships)
    members = [0] * k
    for m in memberships:
        members[m] += 1
    within_dyads = sum(c * (c - 1) for c in members)
    between_dyads = n * (n - 1) - within_dyads
    # expectedWithinClusterCongruence[c] = (n_c (n_c - 1) / withinDyads) * (congruenceNorm / withinDyads)
    expected_within = [(c * (c - 1) / within_dyads) * (cong_norm / within_dyads) if within_dyads else 0.0
                       for c in members]
    import numpy as np

    mem = np.asarray(memberships)
    same = mem[:, None] == mem[None, :]
    off = ~np.eye(n, dtype=bool)  # i != j
    size = np.asarray(members, dtype=float)[mem]
    exp_within = np.asarray(expected_within)[mem][:, None]
    # expectedBetweenClusterConflict = (n_ci n_cj / betweenDyads) * (conflictNorm / betweenDyads)
    exp_between = 0.0
    if between_dyads:
        exp_between = (size[:, None] * size[None, :] / between_dyads) * (conf_norm / between_dyads)
    w, b = same & off, ~same
    absdiff = float(np.abs(congruence - exp_within)[w].sum()  # within-cluster congruence
                    + np.abs(conflict)[w].sum()  # conflict within clusters
                    + np.abs(congruence)[b].sum()  # between-cluster congruence
                    + np.abs(conflict - exp_between)[b].sum())  # between-cluster conflict
    if normalize:
        total = cong_norm + conf_norm
        return absdiff / (2.0 * total) if total else 0.0
    return absdiff * 0.5


@dataclass(frozen=True)
class PolarisationResult:
    score: float  # normalised: in [0, 1]
    raw: float  # DNA's unnormalised score (normalizeScores = FALSE, rDNA's default)
    memberships: tuple[int, ...]


def _random_memberships(n: int, k: int, rng: random.Random) -> list[int]:
    """ClusterSolution.createRandomMemberships: 0, 1, …, k-1 repeated to n, shuffled."""
    mem = [i % k for i in range(n)]
    rng.shuffle(mem)
    return mem


def _greedy_swaps_slow(mem: list[int], congruence, conflict, k: int) -> list[int]:
    """Polarization.greedyTimeStep's loop as written: the whole score for every candidate swap."""
    n = len(mem)
    q = quality_absdiff(mem, congruence, conflict, True, k)
    changed = True
    while changed:
        changed = False
        for i in range(n):
            for j in range(i + 1, n):
                if mem[i] != mem[j]:
                    mem2 = list(mem)
                    mem2[i], mem2[j] = mem[j], mem[i]
                    q2 = quality_absdiff(mem2, congruence, conflict, True, k)
                    if q2 > q:
                        mem, q, changed = mem2, q2, True
    return mem


def _greedy_swaps(mem: list[int], congruence, conflict, k: int) -> list[int]:
    """Polarization.greedyTimeStep's loop (for i, for j > i in different clusters: swap when the score rises;
    repeat until a pass swaps nothing), with each swap's change of the score worked out in O(1).

    A swap keeps the cluster sizes, so the expected values of qualityAbsdiff stay fixed: the score is a sum
    over ordered pairs of w_c(i, j) = |cong - E_c| + |conf| (both in cluster c) or b(i, j) = |cong| +
    |conf - E_b| (different clusters). Swapping i (cluster p) and j (cluster q) changes only the pairs of i
    and of j with the others; the pair (i, j) stays between clusters.
    """
    import numpy as np

    if k != 2:
        return _greedy_swaps_slow(mem, congruence, conflict, k)
    n = len(mem)
    cong, conf = np.asarray(congruence, dtype=float), np.asarray(conflict, dtype=float)
    cong_norm, conf_norm = float(np.abs(cong).sum()), float(np.abs(conf).sum())
    members = [mem.count(c) for c in range(k)]
    within = sum(c * (c - 1) for c in members)
    between = n * (n - 1) - within
    off = 1.0 - np.eye(n)
    w = [(np.abs(cong - ((m * (m - 1) / within) * (cong_norm / within) if within else 0.0)) + np.abs(conf)) * off
         for m in members]
    # between clusters: the expected conflict depends on the two clusters' sizes (both fixed)
    b_exp = np.zeros((n, n))
    sizes = np.asarray(members, dtype=float)[np.asarray(mem)]
    if between:
        b_exp = (sizes[:, None] * sizes[None, :] / between) * (conf_norm / between)
    # with k = 2 every between pair has the same sizes, so b does not change when nodes swap
    b = (np.abs(cong) + np.abs(conf - b_exp)) * off
    ind = np.zeros((k, n))
    ind[np.asarray(mem), np.arange(n)] = 1.0
    sw = [w[c] @ ind[c] for c in range(k)]  # sw[c][i]: sum of w_c(i, l) over l in cluster c
    sb = [b @ ind[c] for c in range(k)]  # sb[c][i]: sum of b(i, l) over l in cluster c
    # the change of the score when i and j (in different clusters) swap:
    #   d_i + d_j = a[i] + a[j] + c[i, j], with a[i] = sb[p_i][i] - sw[p_i][i] + sw[q_i][i] - sb[q_i][i]
    #   (p_i: i's cluster, q_i: the other) and c = 2 b - w_0 - w_1
    c = 2.0 * b - w[0] - w[1]
    memv = np.asarray(mem)

    def gains():
        s = sb[0] - sw[0] + sw[1] - sb[1]
        return np.where(memv == 0, s, -s)

    a = gains()
    cols = np.arange(n)

    def next_swap(i: int, j0: int) -> tuple[int, int] | None:
        """The first (i', j) from (i, j0) on in DNA's loop order (i' ascending, then j > i') whose swap raises
        the score: looked for in blocks of rows at once (a and memv stay as they are until a swap)."""
        while i < n:
            hi = min(n, i + GREEDY_BLOCK)
            gain = a[i:hi, None] + a[None, :] + c[i:hi, :]  # a[i] + a[j] + c[i, j], as row by row; > 0: q2 > q1
            ok = (memv[i:hi, None] != memv[None, :]) & (gain > 1e-12) & (cols[None, :] > cols[i:hi, None])
            ok[0, :j0] = False
            first = int(np.argmax(ok))
            if ok.flat[first]:
                return i + first // n, first % n
            i, j0 = hi, 0
        return None

    changed = True
    while changed:
        changed = False
        i, j0 = 0, 1
        while (hit := next_swap(i, j0)) is not None:
            i, j = hit
            p, q = int(memv[i]), int(memv[j])
            memv[i], memv[j] = q, p
            sw[p] += w[p][:, j] - w[p][:, i]
            sw[q] += w[q][:, i] - w[q][:, j]
            sb[p] += b[:, j] - b[:, i]
            sb[q] += b[:, i] - b[:, j]
            a = gains()
            changed = True
            j0 = j + 1  # on along the same row i
    return [int(x) for x in memv]


def dna_polarisation(congruence, conflict, k: int = 2, restarts: int | None = None,
                     seed: int = 0) -> PolarisationResult:
    """Polarization.greedyTimeStep: swap pairs of nodes in different clusters while the normalised score
    rises; the best of ``restarts`` seeded starts (default: :data:`RESTARTS` up to :data:`SMALL` nodes, else one
    run, as DNA). ``k`` or fewer nodes or no ties: 0 (geneticTimeStep; see the module docstring)."""
    n = congruence.shape[0]
    if restarts is None:
        restarts = RESTARTS if n <= SMALL else 1
    if n <= k or float(abs(congruence).sum() + abs(conflict).sum()) == 0.0:
        return PolarisationResult(0.0, 0.0, tuple([0] * n))
    rng = random.Random(seed)
    best_q, best_mem = -1.0, None
    for _ in range(restarts):
        mem = _greedy_swaps(_random_memberships(n, k, rng), congruence, conflict, k)
        q = quality_absdiff(mem, congruence, conflict, True, k)
        if q > best_q:
            best_q, best_mem = q, mem
    raw = quality_absdiff(best_mem, congruence, conflict, False, k)
    return PolarisationResult(round(best_q, 6), round(raw, 6), tuple(best_mem))


def polarisation_of(statements: Sequence[Statement], levels: Sequence[int] | None = None,
                    scale: str = "agreement", k: int = 2) -> PolarisationResult:
    """DNA's polarisation of ``statements`` (duplicates already handled): of their congruence and conflict
    networks with average-activity normalisation, as Polarization.java builds them."""
    levels = list(levels) if levels is not None else qualifier_levels(statements, scale)
    arr = statement_array(statements, levels)[0]
    return dna_polarisation(*polarisation_networks(arr, levels), k)


def polarisation_networks(arr, levels: Sequence[int]):
    """The congruence and conflict networks DNA's polarisation scores, from an actors × concepts × levels
    array (:func:`~kg.analysis.dna_networks.statement_array`): Polarization's Exporter has normalization
    "average" (for one network: computeOneModeMatrix with aggregation "conflict", then "congruence")."""
    return (one_mode_matrix(arr, levels, "congruence", "average"),
            one_mode_matrix(arr, levels, "conflict", "average"))


def _modularity(adj, nodes: Sequence[str], groups: Sequence[Sequence[str]]) -> float:
    """Newman's weighted modularity (as networkx's): sum over communities of L_c / m - (d_c / 2m)^2."""
    import numpy as np

    index = {n: i for i, n in enumerate(nodes)}
    comm = np.zeros(len(nodes), dtype=int)
    for c, members in enumerate(groups):
        for n in members:
            comm[index[n]] = c
    two_m = float(adj.sum())
    if not two_m:
        return 0.0
    deg = adj.sum(axis=1)
    q = 0.0
    for c in range(len(groups)):
        inside = comm == c
        q += float(adj[np.ix_(inside, inside)].sum()) / two_m - (float(deg[inside].sum()) / two_m) ** 2
    return q


def _membership_modularity(adj, membership: Sequence[int]) -> float:
    """:func:`_modularity` of the partition given as a community number per row of ``adj``: the same sum,
    community by community, with a singleton's term taken from its row alone."""
    import numpy as np

    two_m = float(adj.sum())
    if not two_m:
        return 0.0
    mem = np.asarray(membership)
    deg = adj.sum(axis=1)
    order = np.argsort(mem, kind="stable")
    bounds = np.flatnonzero(np.diff(mem[order])) + 1
    q = 0.0
    for members in np.split(order, bounds):
        if len(members) == 1:
            i = int(members[0])
            q += float(adj[i, i]) / two_m - (float(deg[i]) / two_m) ** 2
        else:
            q += float(adj[np.ix_(members, members)].sum()) / two_m - (float(deg[members].sum()) / two_m) ** 2
    return q

@dataclass(frozen=True)
class WindowMeasures:
    start: str
    mid: str
    stop: str
    statements: int
    nodes: int
    edges: int
    density: float
    coalitions: int
    modularity: float | None
    polarisation: float
    polarisation_raw: float

    def to_dict(self) -> dict:
        return asdict(self)


def window_measures(statements: Sequence[Statement], size: int, step: int = 1, *, scale: str = "agreement",
                    duplicates: str = "all", start: str | None = None, stop: str | None = None,
                    isolates: bool = False, **options) -> list[WindowMeasures]:
    """Per window: density of the network with ``options``; coalitions (communities of its positive ties) and
    their modularity; DNA's polarisation of the window's statements.

    A window's coalitions are found on its matrix (:func:`kg.analysis.graph_analysis.matrix_communities`): the
    same igraph graph, so the same partition, as the networkx graph of its positive ties would give, without
    building one per window (that cost more than the analyses)."""
    import numpy as np

    from kg.analysis.graph_analysis import matrix_communities

    levels = qualifier_levels(statements, scale)
    kept_all = drop_duplicates(statements, duplicates)
    out = []
    for net in time_windows(kept_all, size, step, start=start, stop=stop, scale=scale, duplicates=duplicates,
                            isolates=isolates, **options):
        modularity, n_coal = None, 0
        if net.mode == "one-mode" and (net.matrix > 0).any():
            membership, _q = matrix_communities(net.matrix)
            sizes = np.bincount(np.asarray(membership))
            n_coal = int((sizes >= 2).sum())
            modularity = round(_membership_modularity(np.where(net.matrix > 0, net.matrix, 0.0), membership), 4)
        arr = net.array
        arr = arr[arr.sum(axis=(1, 2)) > 0]  # polarisation without isolates, as DNA recommends
        pol = dna_polarisation(*polarisation_networks(arr, levels))
        out.append(WindowMeasures(net.start, net.mid, net.stop, net.statements, int(arr.shape[0]),
                                  net.n_edges(), net.density(), n_coal, modularity, pol.score, pol.raw))
    return out
